//! An incident's life in a Slack channel over Socket Mode: the card with its buttons, the page
//! in its thread, a button click, `!resolve` typed in the thread, and the card keeping up.

use firebell_tests::fake_slack::{block_action, message_event, slash_command};
use serde_json::Value;

use super::{ALICE, Mode, OPS, edits, first_card, in_thread, open, start};

async fn status(app: &firebell_tests::TestApp, n: i64) -> String {
    let (_, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    body["incident"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_becomes_a_card_a_button_acknowledges_and_resolve_in_the_thread_closes_it() {
    let (app, fake) = start(Mode::Socket, "").await;

    // Arrange: an alert opens incident #1; its card goes to the service's channel.
    open(&app, "disk-db-01", "Disk full on db-01").await;
    let card_ts = first_card(&fake).await;
    let card = fake.calls_to("chat.postMessage")[0].clone();
    let card_json = card.body.to_string();
    for button in ["firebell_ack", "firebell_resolve", "firebell_escalate"] {
        assert!(
            card_json.contains(button),
            "the card has a {button} button: {card_json}"
        );
    }
    assert!(
        card.all_text().contains("Disk full on db-01"),
        "{}",
        card.all_text()
    );
    assert_eq!(card.token.as_deref(), Some(super::BOT_TOKEN));

    // The on-call person (alice, level 1) is mentioned in the card's thread.
    let calls = fake
        .wait_until("alice paged in the thread", |c| {
            in_thread(c, &card_ts)
                .iter()
                .any(|m| m.text().contains("<@U0ALICE>"))
        })
        .await;
    assert_eq!(in_thread(&calls, &card_ts).len(), 1, "one page line so far");

    // Act: alice clicks Acknowledge on the card (a block_actions envelope over the socket).
    // The card's buttons sit in its colour-bar attachment, so Slack names that container.
    let mut click = block_action(
        OPS,
        ALICE,
        &card_ts,
        "firebell_ack",
        "1",
        &fake.response_url(),
    );
    click["container"]["type"] = "message_attachment".into();
    click["container"]["attachment_id"] = 1.into();
    let envelope = fake.send_envelope("interactive", click).await;
    fake.wait_ack(&envelope).await;

    // Assert: the card is edited in place to show who acknowledged, and alice alone is told.
    let calls = fake
        .wait_until("the card edited to acknowledged", |c| {
            edits(c, &card_ts)
                .iter()
                .any(|e| e.all_text().contains("Acknowledged"))
        })
        .await;
    let edit = edits(&calls, &card_ts)
        .into_iter()
        .find(|e| e.all_text().contains("Acknowledged"))
        .expect("found above")
        .clone();
    assert!(
        edit.all_text().contains("Alice Adams"),
        "{}",
        edit.all_text()
    );
    assert!(
        !edit.body.to_string().contains("firebell_ack"),
        "no Acknowledge button once acknowledged"
    );
    let calls = fake
        .wait_until("a private answer to the click", |c| {
            c.iter()
                .any(|m| m.method == "chat.postEphemeral" && m.str("user") == Some(ALICE))
        })
        .await;
    let answer = calls
        .iter()
        .find(|m| m.method == "chat.postEphemeral")
        .expect("found");
    assert!(answer.text().contains("#1"), "{}", answer.text());
    assert_eq!(status(&app, 1).await, "acknowledged");

    // Act: `!resolve` typed in the card's thread, without a number.
    let envelope = fake
        .send_envelope(
            "events_api",
            message_event(OPS, ALICE, "!resolve fixed the disk", Some(&card_ts)),
        )
        .await;
    fake.wait_ack(&envelope).await;

    // Assert: resolved; the card shows it and the thread tells it.
    let calls = fake
        .wait_until("the card edited to resolved", |c| {
            edits(c, &card_ts)
                .iter()
                .any(|e| e.all_text().contains("Resolved"))
        })
        .await;
    assert_eq!(status(&app, 1).await, "resolved");
    let resolved = edits(&calls, &card_ts)
        .into_iter()
        .rfind(|e| e.all_text().contains("Resolved"))
        .expect("found")
        .clone();
    assert!(
        !resolved.body.to_string().contains("firebell_resolve"),
        "a resolved card has no buttons"
    );
    let calls = fake
        .wait_until("the resolve in the thread", |c| {
            in_thread(c, &card_ts)
                .iter()
                .any(|m| m.text().contains("Resolved by"))
        })
        .await;
    let thread: Vec<String> = in_thread(&calls, &card_ts)
        .iter()
        .map(|m| m.text().to_owned())
        .collect();
    let acked = thread
        .iter()
        .position(|t| t.contains("Acknowledged"))
        .expect("ack in thread");
    let done = thread
        .iter()
        .position(|t| t.contains("Resolved by"))
        .expect("resolve in thread");
    assert!(acked < done, "the thread reads in order: {thread:#?}");
    // Nothing was posted as a new top-level message after the card.
    assert_eq!(
        super::top_level(&calls).len(),
        1,
        "one card, edited in place"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_answer_in_the_ack_and_unlinked_people_are_told_how_to_link() {
    let (app, fake) = start(Mode::Socket, "").await;
    open(&app, "cpu-web-01", "CPU at 100% on web-01").await;
    first_card(&fake).await;

    // `/firebell ack 1` from alice: the answer rides on the envelope's ack, in the channel.
    let envelope = fake
        .send_envelope(
            "slash_commands",
            slash_command(OPS, ALICE, "ack 1", &fake.response_url()),
        )
        .await;
    let ack = fake.wait_ack(&envelope).await;
    let payload: &Value = &ack["payload"];
    assert_eq!(payload["response_type"], "in_channel", "{ack}");
    assert!(
        payload["text"].as_str().unwrap_or_default().contains("#1"),
        "{ack}"
    );
    assert_eq!(status(&app, 1).await, "acknowledged");

    // Someone not in firebell.toml types a command: only they are told, with the line to add.
    let envelope = fake
        .send_envelope(
            "events_api",
            message_event(OPS, "U0STRANGER", "!resolve 1", None),
        )
        .await;
    fake.wait_ack(&envelope).await;
    let calls = fake
        .wait_until("a private reply to the stranger", |c| {
            c.iter()
                .any(|m| m.method == "chat.postEphemeral" && m.str("user") == Some("U0STRANGER"))
        })
        .await;
    let reply = calls
        .iter()
        .find(|m| m.method == "chat.postEphemeral" && m.str("user") == Some("U0STRANGER"))
        .expect("found");
    assert!(
        reply.text().contains("slack = \"U0STRANGER\""),
        "{}",
        reply.text()
    );
    assert_eq!(
        status(&app, 1).await,
        "acknowledged",
        "the stranger changed nothing"
    );

    // A slash command that fails is answered privately.
    let envelope = fake
        .send_envelope(
            "slash_commands",
            slash_command(OPS, ALICE, "ack 999", &fake.response_url()),
        )
        .await;
    let ack = fake.wait_ack(&envelope).await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_in_alert_text_never_ping_anyone() {
    let (app, fake) = start(Mode::Socket, "").await;
    open(
        &app,
        "evil",
        "<!channel> <!here> <!everyone> @here @channel <@U0BOB> *bold* <https://evil.example|click>",
    )
    .await;
    first_card(&fake).await;
    // Let the page and the card settle, then look at everything that was sent.
    fake.wait_until("the page", |c| {
        c.iter().any(|m| m.text().contains("<@U0ALICE>"))
    })
    .await;
    for call in fake.calls() {
        let sent = call.body.to_string();
        for ping in [
            "<!channel>",
            "<!here>",
            "<!everyone>",
            "<@U0BOB>",
            "<https://evil",
        ] {
            assert!(
                !sent.contains(ping),
                "{ping} reached Slack unescaped in {}: {sent}",
                call.method
            );
        }
        let text = call.all_text();
        for word in ["@here", "@channel"] {
            assert!(
                !text.contains(word),
                "{word} reached Slack as a bare word: {text}"
            );
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_dropped_socket_firebell_reconnects_and_sends_what_it_missed_at_once() {
    let (app, fake) = start(Mode::Socket, "").await;
    // Slack goes away: the socket closes and every call fails.
    fake.set_down(true);
    open(&app, "disk", "Disk full on db-01").await;
    fake.wait_until("a failed post", |c| c.iter().any(|m| m.status == 503))
        .await;

    // Slack returns. Without the clock moving (the post's retry is not due yet), the new
    // connection's hello sends the backlog.
    fake.set_down(false);
    fake.wait_connection_count(2).await;
    let card_ts = first_card(&fake).await;
    fake.wait_until("alice's page", |c| {
        in_thread(c, &card_ts)
            .iter()
            .any(|m| m.text().contains("<@U0ALICE>"))
    })
    .await;

    // Commands work over the new connection.
    let envelope = fake
        .send_envelope("events_api", message_event(OPS, ALICE, "!ack 1", None))
        .await;
    fake.wait_ack(&envelope).await;
    fake.wait_until("the card acknowledged", |c| {
        edits(c, &card_ts)
            .iter()
            .any(|e| e.all_text().contains("Acknowledged"))
    })
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_by_sms_is_told_in_the_cards_thread() {
    let (app, fake, phones) = super::start_with_phones().await;
    open(&app, "disk", "Disk full on db-01").await;
    let card_ts = first_card(&fake).await;

    app.advance(chrono::Duration::minutes(2));
    phones
        .wait_for("alice's SMS", |r| r.iter().any(|m| m.is_twilio_sms()))
        .await;
    let calls = fake
        .wait_until("the SMS in the thread", |c| {
            in_thread(c, &card_ts)
                .iter()
                .any(|m| m.text().contains("Texted Alice Adams (level 1)"))
        })
        .await;
    let texted = in_thread(&calls, &card_ts)
        .into_iter()
        .find(|m| m.text().contains("Texted"))
        .expect("found");
    assert!(
        !texted.text().contains("<@"),
        "no second ping: {}",
        texted.text()
    );
    app.stop().await;
}
