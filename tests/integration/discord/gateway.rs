//! An incident's life in a Discord channel over the gateway: the embed with its buttons, the
//! page in the card's thread, a click, `!resolve` typed in the thread, the embed keeping up —
//! and only one replica ever holding the gateway.

use std::sync::Arc;
use std::time::Duration;

use firebell::{App, AppParts};
use firebell_tests::fake_discord::{
    FakeDiscord, InteractionSigner, component_click, message_create,
};
use firebell_tests::{Backend, TestApp, t0};
use serde_json::Value;

use super::{ALICE, OPS, config, edits, first_card, open, posts_to, start, status};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_becomes_an_embed_a_click_acknowledges_and_resolve_in_the_thread_closes_it() {
    let (app, fake, _) = start().await;

    // Arrange: an alert opens #1; its card goes to the room's channel with three buttons.
    open(&app, "disk-db-01", "Disk full on db-01").await;
    let card_id = first_card(&fake).await;
    let card = posts_to(&fake.calls(), OPS)[0].clone();
    let body = card.body.to_string();
    for id in [
        "firebell_ack:1",
        "firebell_resolve:1",
        "firebell_escalate:1",
    ] {
        assert!(body.contains(id), "the card has a {id} button: {body}");
    }
    assert!(
        card.all_text().contains("Disk full on db-01"),
        "{}",
        card.all_text()
    );
    assert_eq!(card.body["allowed_mentions"]["parse"], Value::Array(vec![]));
    assert!(card.auth.as_deref().is_some_and(|a| a.starts_with("Bot ")));

    // The on-call person is paged in the card's thread (its id is the card's), pinging only her.
    let calls = fake
        .wait_until("alice paged in the thread", |c| {
            posts_to(c, &card_id)
                .iter()
                .any(|m| m.content().contains(&format!("<@{ALICE}>")))
        })
        .await;
    let page = posts_to(&calls, &card_id)[0];
    assert_eq!(
        page.body["allowed_mentions"]["users"],
        serde_json::json!([ALICE])
    );
    assert!(
        calls
            .iter()
            .any(|c| c.route == "POST /channels/{}/messages/{}/threads")
    );

    // Act: alice clicks Acknowledge (an INTERACTION_CREATE over the gateway).
    fake.dispatch(
        "INTERACTION_CREATE",
        component_click(OPS, ALICE, &card_id, "firebell_ack:1"),
    )
    .await;

    // Assert: the click is answered to alice only, and the card is edited in place.
    let calls = fake
        .wait_until("the card edited to acknowledged", |c| {
            edits(c, &card_id)
                .iter()
                .any(|e| e.all_text().contains("Acknowledged"))
        })
        .await;
    let answer = fake.interaction_responses();
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert_eq!(answer[0].body["type"], 4);
    let flags = answer[0].body["data"]["flags"].as_u64().unwrap_or(0);
    assert_eq!(flags & 64, 64, "only the clicker sees the answer");
    assert!(
        answer[0].body["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("#1")
    );
    let edit = edits(&calls, &card_id)
        .into_iter()
        .find(|e| e.all_text().contains("Acknowledged"))
        .expect("found")
        .clone();
    assert!(
        !edit.body.to_string().contains("firebell_ack:1"),
        "no Acknowledge button once acknowledged"
    );
    assert_eq!(status(&app, 1).await, "acknowledged");

    // Act: `!resolve` typed in the card's thread, without a number.
    fake.dispatch(
        "MESSAGE_CREATE",
        message_create(&card_id, ALICE, "!resolve fixed the disk"),
    )
    .await;

    // Assert: resolved; the card loses its buttons and the thread tells it.
    let calls = fake
        .wait_until("the card edited to resolved", |c| {
            edits(c, &card_id)
                .iter()
                .any(|e| e.all_text().contains("Resolved"))
        })
        .await;
    assert_eq!(status(&app, 1).await, "resolved");
    let resolved = edits(&calls, &card_id)
        .into_iter()
        .rfind(|e| e.all_text().contains("Resolved"))
        .expect("found")
        .clone();
    assert_eq!(
        resolved.body["components"],
        Value::Array(vec![]),
        "a resolved card has no buttons"
    );
    fake.wait_until("the resolve in the thread", |c| {
        posts_to(c, &card_id)
            .iter()
            .any(|m| m.content().contains("Resolved by"))
    })
    .await;
    assert_eq!(
        posts_to(&fake.calls(), OPS).len(),
        1,
        "one card, edited in place"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_in_alert_text_never_ping_anyone() {
    let (app, fake, _) = start().await;
    open(
        &app,
        "evil",
        "@everyone @here <@&700000000000000001> <@200000000000000002> **bold** [click](https://evil.example)",
    )
    .await;
    let card_id = first_card(&fake).await;
    fake.wait_until("the page", |c| !posts_to(c, &card_id).is_empty())
        .await;
    for call in fake
        .calls()
        .iter()
        .filter(|c| c.route == super::CREATE || c.route == super::EDIT)
    {
        let am = &call.body["allowed_mentions"];
        assert_eq!(
            am["parse"],
            Value::Array(vec![]),
            "{}: {}",
            call.path,
            call.body
        );
        let users = am["users"].as_array().cloned().unwrap_or_default();
        assert!(
            users.iter().all(|u| u == ALICE),
            "only alice is ever pinged: {am}"
        );
        let text = call.all_text();
        for raw in [
            "@everyone",
            "@here",
            "<@&700000000000000001>",
            "<@200000000000000002>",
            "[click](https://evil",
        ] {
            assert!(!text.contains(raw), "{raw} reached Discord raw: {text}");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried() {
    let (app, fake, _) = start().await;
    fake.rate_limit_next(super::CREATE, 0.1);
    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let creates = fake.calls_to(super::CREATE);
    assert_eq!(creates[0].status, 429);
    assert_eq!(
        posts_to(&fake.calls(), OPS).len(),
        1,
        "one card despite the 429"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_gateway_lookup_is_asked_again_of_the_configured_host_never_of_discord_itself() {
    // Arrange: the configured API's `GET /gateway` fails once, as a proxy restarting would.
    let fake = FakeDiscord::start().await;
    fake.fail_next("GET /gateway", 502, 0, "Bad Gateway");
    let signer = InteractionSigner::new();

    // Act
    let app = TestApp::spawn_with(Backend::Sqlite, config(&fake, &signer)).await;

    // Assert: firebell asked the configured host again and connected to the gateway it named
    // (serenity alone would dial wss://gateway.discord.gg, and keep dialling it for good).
    fake.wait_ready().await;
    let lookups = fake.calls_to("GET /gateway");
    assert!(lookups.len() >= 2, "{lookups:?}");
    assert_eq!(lookups[0].status, 502);
    assert_eq!(fake.identifies(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_hold_one_gateway_session_and_hand_over() {
    if std::env::var("DATABASE_URL").is_err() {
        eprintln!("skipped: needs PostgreSQL (DATABASE_URL) for two replicas");
        return;
    }
    let fake = FakeDiscord::start().await;
    let signer = InteractionSigner::new();
    let first = TestApp::spawn_with(Backend::Postgres, config(&fake, &signer)).await;
    fake.wait_ready().await;

    // A second replica on the same database and the same bot.
    let second = App::start(AppParts {
        config: config(&fake, &signer),
        store: first.db.store().await,
        listener: tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind"),
        clock: Arc::new(firebell_engine::ManualClock::new(t0())),
        console: None,
    })
    .await
    .expect("second replica starts");

    // Several lead checks later, still one session.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(fake.identifies(), 1, "only the leader identifies");
    assert_eq!(fake.open_gateways(), 1);

    // The leader goes away: the second replica takes the gateway over.
    let stopped = std::time::Instant::now();
    first.stop().await;
    let deadline = stopped + Duration::from_secs(15);
    while fake.identifies() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the second replica never took over"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Printed for the record (`--nocapture`); how long is not asserted.
    eprintln!("gateway handover took {:?}", stopped.elapsed());
    assert_eq!(fake.open_gateways(), 1, "still one session");
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_gateway_drops_the_session_comes_back_and_commands_still_work() {
    let (app, fake, _) = start().await;
    open(&app, "disk", "Disk full on db-01").await;
    let card_id = first_card(&fake).await;

    fake.drop_gateway().await;
    fake.dispatch("MESSAGE_CREATE", message_create(OPS, ALICE, "!ack 1"))
        .await;
    fake.wait_until("the card acknowledged", |c| {
        edits(c, &card_id)
            .iter()
            .any(|e| e.all_text().contains("Acknowledged"))
    })
    .await;
    assert_eq!(status(&app, 1).await, "acknowledged");
    assert_eq!(fake.open_gateways(), 1, "one session after the reconnect");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_is_one_card_and_one_summary_in_the_channel() {
    let fake = FakeDiscord::start().await;
    let signer = InteractionSigner::new();
    let mut config = config(&fake, &signer);
    if let Some(d) = config.discord.as_mut() {
        d.storm_after = 1;
    }
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    fake.wait_ready().await;

    for i in 0..12 {
        open(
            &app,
            &format!("storm-{i}"),
            &format!("Host web-{i:02} down"),
        )
        .await;
    }
    let calls = fake
        .wait_until("the summary counting eleven", |c| {
            posts_to(c, OPS).len() == 2
                && posts_to(c, OPS)[1]
                    .id
                    .as_deref()
                    .is_some_and(|id| edits(c, id).iter().any(|e| e.all_text().contains("11")))
        })
        .await;
    assert_eq!(
        posts_to(&calls, OPS).len(),
        2,
        "one card, one storm summary"
    );
    app.stop().await;
}
