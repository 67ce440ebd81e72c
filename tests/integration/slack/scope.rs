//! Commands are scoped to the room they are typed in: `!ack all` in one team's channel leaves
//! another team's incidents paging; a number reaches any incident, and the answer says whose it
//! was; a direct message has no room, so `all` there is refused with what to type instead; in a
//! storm summary's thread `all` means that storm.

use std::time::{Duration, Instant};

use firebell_engine::ChatPlatform;
use firebell_engine::IncidentNumber;
use firebell_tests::fake_slack::{FakeSlack, SlackCall, message_event};
use firebell_tests::fixtures::{DB_KEY, WEB_KEY, config_toml_two_rooms};
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use super::{ALICE, Mode, OPS, config_from, top_level};
use crate::ingest_flow::trigger;

/// A direct message between alice and the bot (Slack's IM channel ids start with `D`).
const ALICE_DM: &str = "D0ALICEBOT";

async fn start(extra: &str) -> (TestApp, FakeSlack) {
    let fake = FakeSlack::start().await;
    let config = config_from(&config_toml_two_rooms(), &fake, Mode::Socket, extra);
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    fake.wait_connected().await;
    (app, fake)
}

async fn open(app: &TestApp, key: &str, dedup: &str, summary: &str) {
    let (status, body) = app
        .post_json("/v2/enqueue", &trigger(key, dedup, summary))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

async fn status(app: &TestApp, n: i64) -> String {
    let (_, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    body["incident"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// alice types `text` in `channel` (in the thread of `thread_ts`, if given).
async fn say(fake: &FakeSlack, channel: &str, text: &str, thread_ts: Option<&str>) {
    let mut event = message_event(channel, ALICE, text, thread_ts);
    if channel.starts_with('D') {
        event["event"]["channel_type"] = "im".into();
    }
    let envelope = fake.send_envelope("events_api", event).await;
    fake.wait_ack(&envelope).await;
}

/// Waits for firebell's answer containing `needle`, posted where a command was typed: in
/// `channel`, in the thread of `thread_ts` or (`None`) at the top level.
async fn answer(
    fake: &FakeSlack,
    channel: &str,
    thread_ts: Option<&str>,
    needle: &str,
) -> SlackCall {
    let is_it = |c: &SlackCall| {
        c.method == "chat.postMessage"
            && c.str("channel") == Some(channel)
            && c.str("thread_ts") == thread_ts
            && c.text().contains(needle)
    };
    let calls = fake
        .wait_until(&format!("an answer in {channel} saying {needle:?}"), |c| {
            c.iter().any(is_it)
        })
        .await;
    calls.into_iter().find(is_it).expect("found")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_all_in_one_room_acknowledges_its_incidents_and_leaves_the_other_rooms_triggered() {
    let (app, fake) = start("").await;
    open(&app, WEB_KEY, "checkout", "Checkout 500s").await; // #1 web → ops
    open(&app, DB_KEY, "replication", "Replication lag").await; // #2 db → data
    open(&app, WEB_KEY, "login", "Slow logins").await; // #3 web → ops

    say(&fake, OPS, "!ack all", None).await;

    let reply = answer(&fake, OPS, None, "acknowledged").await;
    assert!(
        reply.text().contains("#1") && reply.text().contains("#3"),
        "{}",
        reply.text()
    );
    assert!(!reply.text().contains("#2"), "{}", reply.text());
    assert_eq!(status(&app, 1).await, "acknowledged");
    assert_eq!(status(&app, 3).await, "acknowledged");
    assert_eq!(
        status(&app, 2).await,
        "triggered",
        "room data's incident is not ops's to acknowledge"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_by_number_from_another_room_works_and_the_answer_names_the_service_and_its_room() {
    let (app, fake) = start("").await;
    open(&app, WEB_KEY, "checkout", "Checkout 500s").await; // #1 web → ops
    open(&app, DB_KEY, "replication", "Replication lag").await; // #2 db → data

    say(&fake, OPS, "!ack 2", None).await;

    let reply = answer(&fake, OPS, None, "Acknowledged").await;
    assert!(
        reply.text().contains("(service db, posted in #data)"),
        "{}",
        reply.text()
    );
    assert_eq!(status(&app, 2).await, "acknowledged");
    assert_eq!(status(&app, 1).await, "triggered");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_all_in_a_direct_message_is_refused_with_what_to_type_but_numbers_work() {
    let (app, fake) = start("").await;
    open(&app, WEB_KEY, "checkout", "Checkout 500s").await; // #1 web → ops
    open(&app, DB_KEY, "replication", "Replication lag").await; // #2 db → data

    say(&fake, ALICE_DM, "!ack all", None).await;

    let reply = answer(&fake, ALICE_DM, None, "direct message").await;
    assert!(
        reply.text().contains("`!ack 42 43`"),
        "the refusal says what would work: {}",
        reply.text()
    );
    assert_eq!(status(&app, 1).await, "triggered");
    assert_eq!(status(&app, 2).await, "triggered");

    say(&fake, ALICE_DM, "!ack 2", None).await;
    let reply = answer(&fake, ALICE_DM, None, "Acknowledged").await;
    assert!(
        reply.text().contains("(service db, posted in #data)"),
        "{}",
        reply.text()
    );
    assert_eq!(status(&app, 2).await, "acknowledged");
    app.stop().await;
}

/// Waits (30 s) until every chat post has gone out.
async fn drained(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.engine().stats().await.expect("stats").outbox_depth > 0 {
        assert!(Instant::now() < deadline, "the outbox never drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_all_in_a_storm_summarys_thread_acknowledges_only_that_storms_incidents() {
    let (app, fake) = start("storm_after = 2\nstorm_window = \"2m\"\n").await;
    open(&app, DB_KEY, "replication", "Replication lag").await; // #1 db → data, a card
    for i in 0..5 {
        // #2, #3: cards in ops; #4–#6: one storm summary in ops.
        open(
            &app,
            WEB_KEY,
            &format!("host-{i}"),
            &format!("Host web-0{i} down"),
        )
        .await;
    }
    drained(&app).await;
    let calls = fake.calls();
    assert_eq!(
        top_level(&calls)
            .iter()
            .filter(|m| m.str("channel") == Some(OPS))
            .count(),
        3,
        "two cards and a summary in ops"
    );
    let summary_ts = top_level(&calls)
        .into_iter()
        .filter(|m| m.str("channel") == Some(OPS))
        .nth(2)
        .and_then(|m| m.ts.clone())
        .expect("the summary's ts");
    let mut stormed = Vec::new();
    for n in 1..=6 {
        let number = IncidentNumber::parse(&n.to_string()).expect("number");
        let card = app
            .engine()
            .chat_card(ChatPlatform::Slack, number)
            .await
            .expect("db");
        if card.is_some_and(|c| c.message_id == summary_ts) {
            stormed.push(n);
        }
    }
    assert_eq!(stormed, [4, 5, 6], "the storm summary shows #4–#6");

    say(&fake, OPS, "!ack all", Some(&summary_ts)).await;

    answer(&fake, OPS, Some(&summary_ts), "acknowledged — Host web-0").await;
    for n in [4, 5, 6] {
        assert_eq!(
            status(&app, n).await,
            "acknowledged",
            "#{n} is in the storm"
        );
    }
    for n in [1, 2, 3] {
        assert_eq!(
            status(&app, n).await,
            "triggered",
            "#{n} is not in the storm"
        );
    }
    app.stop().await;
}
