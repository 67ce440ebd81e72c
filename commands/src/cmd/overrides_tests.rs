use super::*;
use crate::reply::Tone;
use crate::test_support::{TestEngine, parse};
use firebell_engine::ChatPlatform;

fn minutes(m: i64) -> HumanDuration {
    HumanDuration::from_minutes(m)
}

#[test]
fn override_parses_self_someone_list_and_cancel() {
    assert_eq!(
        parse("!override primary 2h"),
        Ok(Command::Override(Override::Take {
            schedule: "primary".into(),
            user: None,
            duration: minutes(120),
        }))
    );
    assert_eq!(
        parse("!override primary @bob 1d"),
        Ok(Command::Override(Override::Take {
            schedule: "primary".into(),
            user: Some(UserRef::Id("bob".into())),
            duration: minutes(1440),
        }))
    );
    assert_eq!(
        parse("!override primary <@U0BOB> 30m"),
        Ok(Command::Override(Override::Take {
            schedule: "primary".into(),
            user: Some(UserRef::Mention("U0BOB".into())),
            duration: minutes(30),
        }))
    );
    assert_eq!(
        parse("!override LIST"),
        Ok(Command::Override(Override::List { schedule: None }))
    );
    assert_eq!(
        parse("!override list primary"),
        Ok(Command::Override(Override::List {
            schedule: Some("primary".into())
        }))
    );
    assert_eq!(
        parse("!override cancel #3"),
        Ok(Command::Override(Override::Cancel { id: 3 }))
    );
}

#[test]
fn every_mistake_says_what_would_be_right() {
    let msg = |text: &str| parse(text).unwrap_err().to_string();
    let usage = " Usage: `!override <schedule> [@user] <duration> | list [schedule] | cancel <id>`";
    assert_eq!(
        msg("!override"),
        format!("Which schedule, and for how long?{usage}")
    );
    assert_eq!(
        msg("!override primary"),
        format!("For how long? e.g. `!override primary 2h`.{usage}")
    );
    assert_eq!(
        msg("!override primary 1x"),
        format!("unknown duration `1x` — try 30m, 1h, 2h30m or 1d.{usage}")
    );
    assert_eq!(
        msg("!override primary bob"),
        format!("For how long should bob take `primary`? e.g. `!override primary bob 2h`.{usage}")
    );
    assert_eq!(
        msg("!override primary 2h bob"),
        format!(
            "unexpected `bob` after the duration — name the person before it: \
             `!override primary @bob 2h`.{usage}"
        )
    );
    assert_eq!(
        msg("!override primary 15d"),
        format!("duration `15d` is longer than the maximum of 14d.{usage}")
    );
    assert!(msg("!override cancel").starts_with("Which override?"));
    assert!(msg("!override cancel abc").starts_with("`abc` is not an override id"));
    assert!(msg("!override cancel 3 4").starts_with("unexpected `4` at the end"));
    assert!(
        msg("!override primary <@> 2h").starts_with("`<@>` is neither a duration nor a person")
    );
}

#[tokio::test]
async fn override_gives_the_sender_the_pager_until_a_time_in_their_zone() {
    let t = TestEngine::start().await;

    let reply = t.say("!override primary 2h").await;

    assert_eq!(
        reply,
        Reply::success(
            "Override *#1*: Alice Adams (alice) is on call for *primary* for 2h, until Mon 02 Mar \
             12:00 CET (in 2h). Undo with `!override cancel 1`."
        )
    );
    let now = t.engine.on_call(Some("primary")).await.unwrap();
    assert_eq!(now[0].user.as_ref().map(|u| u.as_str()), Some("alice"));
    assert_eq!(now[0].override_id, Some(1));
}

#[tokio::test]
async fn override_for_a_mentioned_person_maps_the_chat_id() {
    let t = TestEngine::start().await;

    let reply = t.say("!override secondary <@U0BOB> 1h").await;

    assert_eq!(reply.tone, Tone::Success, "{}", reply.text());
    assert!(
        reply
            .text()
            .contains("Bob Brown (bob) is on call for *secondary*"),
        "{}",
        reply.text()
    );
    let now = t.engine.on_call(Some("secondary")).await.unwrap();
    assert_eq!(now[0].user.as_ref().map(|u| u.as_str()), Some("bob"));
}

#[tokio::test]
async fn unknown_people_and_schedules_are_refused() {
    let t = TestEngine::start().await;
    let reply = t.say("!override primary dave 1h").await;
    assert_eq!(reply.tone, Tone::Error);
    assert!(
        reply
            .text()
            .starts_with("`dave` is not a firebell user — users: alice, bob, carol. Usage:"),
        "{}",
        reply.text()
    );
    assert_eq!(
        t.say("!override tertiary 1h").await,
        Reply::error("unknown schedule `tertiary` — schedules: primary, secondary")
    );
    let discord = Context::chat(ChatPlatform::Discord, "200000000000000001");
    let reply = t.say_as(discord, "!override primary <@U0BOB> 1h").await;
    assert!(
        reply.text().contains("(`U0BOB`) is not linked"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn list_shows_overrides_and_cancel_ends_them() {
    let t = TestEngine::start().await;
    assert_eq!(
        t.say("!override list").await,
        Reply::info("No overrides in effect.")
    );
    t.say("!override primary 2h").await;
    t.say("!override secondary @carol 1d").await;

    let reply = t.say("!override list primary").await;

    assert_eq!(
        reply,
        Reply::info(
            "*1 override* for *primary*\n• *#1* primary — Alice Adams (alice), from Mon 02 Mar \
             10:00 CET until Mon 02 Mar 12:00 CET (in 2h) · by alice"
        )
    );
    assert!(
        t.say("!override list")
            .await
            .text()
            .starts_with("*2 overrides*")
    );

    let reply = t.say("!override cancel 1").await;

    assert_eq!(
        reply,
        Reply::success(
            "Cancelled override *#1*: Alice Adams (alice) no longer holds *primary* through it."
        )
    );
    let now = t.engine.on_call(Some("primary")).await.unwrap();
    assert_eq!(now[0].user.as_ref().map(|u| u.as_str()), Some("bob"));
    assert_eq!(
        t.say("!override cancel 1").await,
        Reply::error("override 1 is already cancelled")
    );
    assert_eq!(
        t.say("!override cancel 9").await,
        Reply::error("there is no override 9")
    );
    assert_eq!(
        t.say("!override list tertiary").await,
        Reply::error("unknown schedule `tertiary` — schedules: primary, secondary")
    );
}
