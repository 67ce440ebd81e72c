//! Many incidents at once, Slack's rate limits, and a Slack outage: the channel gets a bounded
//! number of messages, 429s are retried after Retry-After, and what was missed is delivered
//! once Slack answers again — while SMS pages never wait for Slack.

use std::time::{Duration, Instant};

use firebell_engine::ChatPlatform;
use firebell_engine::IncidentNumber;
use firebell_tests::TestApp;

use super::{Mode, OPS, edits, first_card, open, start, top_level};

/// Waits (10 s) until every chat post has gone out.
async fn drained(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let stats = app.engine().stats().await.expect("stats");
        if stats.outbox_depth == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "outbox still holds {} rows",
            stats.outbox_depth
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_fifty_incidents_is_three_cards_and_one_summary_that_keeps_up() {
    let (app, fake) = start(Mode::Socket, "storm_after = 3\nstorm_window = \"2m\"\n").await;

    for i in 0..50 {
        open(
            &app,
            &format!("storm-{i}"),
            &format!("Host web-{i:02} down"),
        )
        .await;
    }
    drained(&app).await;

    // Every incident is shown: three by cards of their own, the rest by one summary.
    let engine = app.engine();
    let mut bundled = 0;
    for n in 1..=50 {
        let card = engine
            .chat_card(
                ChatPlatform::Slack,
                IncidentNumber::parse(&n.to_string()).expect("number"),
            )
            .await
            .expect("db")
            .unwrap_or_else(|| panic!("incident #{n} is not shown in Slack"));
        bundled += usize::from(card.bundle.is_some());
    }
    assert_eq!(bundled, 47);

    let calls = fake.calls();
    let posts = top_level(&calls);
    assert_eq!(
        posts.len(),
        4,
        "three cards and one storm summary, not fifty messages"
    );
    let summary = posts[3];
    let summary_ts = summary.ts.clone().expect("ts");
    let last = edits(&calls, &summary_ts)
        .last()
        .map(|e| e.all_text())
        .unwrap_or_default();
    assert!(
        last.contains("47"),
        "the summary counts the bundled incidents: {last}"
    );
    let all_posts = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.status == 200)
        .count();
    assert!(
        all_posts <= 8,
        "cards, summary and one page line per thread: {all_posts} posts"
    );

    // Acknowledging every bundled incident from chat shows on the summary.
    let numbers: Vec<String> = (4..=50).map(|n| n.to_string()).collect();
    let envelope = fake
        .send_envelope(
            "events_api",
            firebell_tests::fake_slack::message_event(
                OPS,
                super::ALICE,
                &format!("!ack {}", numbers.join(" ")),
                None,
            ),
        )
        .await;
    fake.wait_ack(&envelope).await;
    fake.wait_until("the summary shows them acknowledged", |c| {
        edits(c, &summary_ts)
            .last()
            .is_some_and(|e| e.all_text().contains("47 acknowledged"))
    })
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_retry_after() {
    let (app, fake) = start(Mode::Socket, "").await;
    fake.rate_limit_next("chat.postMessage", 1);

    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;

    let posts = fake.calls_to("chat.postMessage");
    assert_eq!(posts[0].status, 429);
    let retried = posts
        .iter()
        .find(|c| c.status == 200)
        .expect("the card went out");
    assert!(
        retried.at.duration_since(posts[0].at) >= Duration::from_secs(1),
        "the retry waited for Retry-After"
    );
    assert_eq!(
        top_level(&fake.calls()).len(),
        1,
        "one card despite the 429"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_missed_during_a_slack_outage_go_out_when_it_returns() {
    let (app, fake) = start(Mode::Socket, "").await;
    fake.set_down(true);

    open(&app, "disk", "Disk full on db-01").await;
    // The incident is open and the ladder runs whatever Slack does.
    fake.wait_until("a failed attempt", |c| c.iter().any(|m| m.status == 503))
        .await;
    let (_, body) = app.api_get("/api/v1/incidents/1").await;
    assert_eq!(body["incident"]["status"], "triggered");

    // Slack comes back; the backlog goes out after its backoff (time moves on the manual clock).
    fake.set_down(false);
    app.advance(chrono::Duration::minutes(5));
    let card_ts = first_card(&fake).await;
    fake.wait_until("alice's page in the thread", |c| {
        super::in_thread(c, &card_ts)
            .iter()
            .any(|m| m.text().contains("<@U0ALICE>"))
    })
    .await;
    drained(&app).await;
    assert_eq!(
        top_level(&fake.calls()).len(),
        1,
        "one card, not one per retry"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slack_outage_never_holds_up_an_sms_page() {
    let (app, fake, phones) = super::start_with_phones().await;
    fake.wait_connected().await;
    fake.set_down(true);

    open(&app, "disk", "Disk full on db-01").await;
    fake.wait_until("Slack failing", |c| c.iter().any(|m| m.status == 503))
        .await;
    // Two minutes on, alice's SMS goes out although every chat post is still failing.
    app.advance(chrono::Duration::minutes(2));
    let sent = phones
        .wait_for("alice's SMS", |r| r.iter().any(|m| m.is_twilio_sms()))
        .await;
    let sms = sent.iter().find(|m| m.is_twilio_sms()).expect("found");
    assert_eq!(sms.field("To"), Some(crate::telephony::ALICE_PHONE));
    assert!(top_level(&fake.calls()).is_empty(), "Slack is still down");
    app.stop().await;
}
