use firebell_engine::Ingested;

use super::*;
use crate::reply::Tone;
use crate::test_support::{TestEngine, parse};
use firebell_engine::ChatPlatform;

const USAGE: &str =
    " Usage: `!maintenance <host|service:NAME|label=value> <duration> [reason…] | list | end <id>`";

#[test]
fn maintenance_parses_a_window_a_list_and_an_end() {
    assert_eq!(
        parse("!maintenance web-01 2h kernel  upgrade"),
        Ok(Command::Maintenance(Maintenance::Start {
            matcher: "web-01".into(),
            duration: HumanDuration::from_minutes(120),
            reason: Some("kernel  upgrade".into()),
        }))
    );
    assert_eq!(
        parse("!maint service:db 30m"),
        Ok(Command::Maintenance(Maintenance::Start {
            matcher: "service:db".into(),
            duration: HumanDuration::from_minutes(30),
            reason: None,
        }))
    );
    assert_eq!(
        parse("!maintenance list"),
        Ok(Command::Maintenance(Maintenance::List))
    );
    assert_eq!(
        parse("!maintenance end #4"),
        Ok(Command::Maintenance(Maintenance::End { id: 4 }))
    );
}

#[test]
fn maintenance_mistakes_say_what_would_be_right() {
    let msg = |text: &str| parse(text).unwrap_err().to_string();
    assert_eq!(
        msg("!maintenance"),
        format!("What should be silenced, and for how long?{USAGE}")
    );
    assert_eq!(
        msg("!maintenance web-01"),
        format!("For how long? e.g. `!maintenance web-01 2h`.{USAGE}")
    );
    assert_eq!(
        msg("!maintenance web-01 1x"),
        format!("unknown duration `1x` — try 30m, 1h, 2h30m or 1d.{USAGE}")
    );
    assert_eq!(
        msg("!maintenance web-01 8d"),
        format!("duration `8d` is longer than the maximum of 7d.{USAGE}")
    );
    assert!(msg("!maintenance end").starts_with("Which window?"));
    assert!(msg("!maintenance end soon").starts_with("`soon` is not a window id"));
    assert!(msg("!maintenance list all").starts_with("unexpected `all` at the end"));
}

#[tokio::test]
async fn a_window_silences_matching_alerts_and_is_announced_in_the_room_it_was_asked_in() {
    let t = TestEngine::start().await;
    let in_ops = Context::chat(ChatPlatform::Slack, "U0ALICE").in_room("ops");

    let reply = t.say_as(in_ops, "!maintenance monitor 2h disk swap").await;

    assert_eq!(
        reply,
        Reply::success(
            "Maintenance *1* started for host monitor until Mon 02 Mar 12:00 CET (in 2h) — \
             matching alerts are recorded but page nobody. End it early with `!maintenance end 1`."
        )
    );
    let w = t.engine.maintenance_window(1).await.unwrap();
    assert_eq!(w.room.as_deref(), Some("ops"));
    assert_eq!(w.reason.as_deref(), Some("disk swap"));
    let ingested = t.engine.ingest(t.alert("db", "Disk full")).await.unwrap();
    assert!(
        matches!(ingested, Ingested::Suppressed { window: 1, .. }),
        "{ingested:?}"
    );
}

#[tokio::test]
async fn list_shows_open_windows_and_end_closes_one() {
    let t = TestEngine::start().await;
    assert_eq!(
        t.say("!maintenance list").await,
        Reply::info("No maintenance window is open.")
    );
    t.say("!maintenance service:db 30m failover test").await;
    t.engine
        .ingest(t.alert("db", "Primary down"))
        .await
        .unwrap();

    let reply = t.say("!maintenance list").await;

    assert_eq!(
        reply,
        Reply::info(
            "*1 maintenance window*\n• *1* service db until Mon 02 Mar 10:30 CET (in 30m) — \
             failover test · by alice · 1 alert suppressed"
        )
    );

    let reply = t.say("!maintenance end 1").await;

    assert_eq!(
        reply,
        Reply::success(
            "Ended maintenance *1* for service db — 1 alert suppressed while it was open."
        )
    );
    assert_eq!(
        t.say("!maintenance end 1").await,
        Reply::error("maintenance window 1 has already ended")
    );
    assert_eq!(
        t.say("!maintenance end 7").await,
        Reply::error("there is no maintenance window 7 — `!maintenance list` shows the open ones")
    );
}

#[tokio::test]
async fn a_bad_matcher_is_refused_with_the_forms_that_work() {
    let t = TestEngine::start().await;
    let reply = t.say("!maintenance service:nope 1h").await;
    assert_eq!(reply.tone, Tone::Error);
    assert_eq!(
        reply.text(),
        format!("unknown service `nope` — services: db, web.{USAGE}")
    );
    let reply = t.say("!maintenance we/b 1h").await;
    assert!(
        reply
            .text()
            .starts_with("`we/b` is not a host name — use a host (`web-01`)"),
        "{}",
        reply.text()
    );
}
