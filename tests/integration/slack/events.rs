//! Events API mode: Slack POSTs to `/slack/events`, `/slack/interactions` and `/slack/commands`.
//! Every request must be signed with the signing secret within five minutes; anything else gets
//! 401 and changes nothing.

use firebell_tests::TestApp;
use firebell_tests::fake_slack::{message_event, sign, slash_command_form};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ALICE, Mode, OPS, SIGNING_SECRET, first_card, open, start};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

async fn post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &str,
    timestamp: i64,
    signature: &str,
) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(format!("{}{path}", app.base))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_verification_is_answered_and_signed_commands_act() {
    let (app, fake) = start(Mode::Events, "").await;
    let body = json!({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}).to_string();
    let ts = now();
    let (status, answer) = post(
        &app,
        "/slack/events",
        "application/json",
        &body,
        ts,
        &sign(SIGNING_SECRET, ts, &body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );

    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let form = slash_command_form(OPS, ALICE, "ack 1", &fake.response_url());
    let ts = now();
    let (status, answer) = post(
        &app,
        "/slack/commands",
        FORM,
        &form,
        ts,
        &sign(SIGNING_SECRET, ts, &form),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["response_type"], "in_channel", "{answer}");
    let (_, incident) = app.api_get("/api/v1/incidents/1").await;
    assert_eq!(incident["incident"]["status"], "acknowledged");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_or_unsigned_requests_get_401_and_change_nothing() {
    let (app, fake) = start(Mode::Events, "").await;
    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let form = slash_command_form(OPS, ALICE, "resolve 1", &fake.response_url());
    let ts = now();

    let cases = [
        ("forged", ts, sign("not-the-secret", ts, &form)),
        ("stale", ts - 600, sign(SIGNING_SECRET, ts - 600, &form)),
        (
            "from the future",
            ts + 600,
            sign(SIGNING_SECRET, ts + 600, &form),
        ),
        ("for another body", ts, sign(SIGNING_SECRET, ts, "text=ack")),
        ("garbage", ts, "v0=zz".to_owned()),
    ];
    for (what, at, signature) in cases {
        for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
            let (status, answer) = post(&app, path, FORM, &form, at, &signature).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{what} on {path}: {answer}"
            );
            assert!(
                answer["message"].as_str().is_some(),
                "{what}: a JSON body says why: {answer}"
            );
        }
    }
    let resp = app
        .client
        .post(format!("{}/slack/commands", app.base))
        .header("content-type", FORM)
        .body(form.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "unsigned");

    let (_, incident) = app.api_get("/api/v1/incidents/1").await;
    assert_eq!(
        incident["incident"]["status"], "triggered",
        "nothing changed"
    );
    app.stop().await;
}

/// Timeline messages of incident 1 that contain `needle`.
async fn notes_with(app: &TestApp, needle: &str) -> usize {
    let (_, incident) = app.api_get("/api/v1/incidents/1").await;
    incident["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["message"].as_str().is_some_and(|m| m.contains(needle)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_event_runs_its_command_once() {
    let (app, fake) = start(Mode::Events, "").await;
    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let send = |body: String, retry: Option<&'static str>| {
        let app = &app;
        async move {
            let ts = now();
            let mut req = app
                .client
                .post(format!("{}/slack/events", app.base))
                .header("content-type", "application/json")
                .header("x-slack-request-timestamp", ts.to_string())
                .header("x-slack-signature", sign(SIGNING_SECRET, ts, &body));
            if let Some(n) = retry {
                req = req
                    .header("x-slack-retry-num", n)
                    .header("x-slack-retry-reason", "http_timeout");
            }
            let resp = req.body(body).send().await.expect("request");
            assert_eq!(resp.status(), StatusCode::OK);
        }
    };

    let event = message_event(OPS, ALICE, "!note 1 checking the disk", None).to_string();
    send(event.clone(), None).await;
    app.api_wait("/api/v1/incidents/1", |i| {
        i.to_string().contains("checking the disk")
    })
    .await;
    // Slack did not see our 200 in time and sends the same event again, twice.
    send(event.clone(), Some("1")).await;
    send(event, Some("2")).await;
    // A new event after the retries; once it has run, so have they.
    let later = message_event(OPS, ALICE, "!note 1 after the retries", None).to_string();
    send(later, None).await;
    app.api_wait("/api/v1/incidents/1", |i| {
        i.to_string().contains("after the retries")
    })
    .await;
    let in_channel = |calls: &[firebell_tests::fake_slack::SlackCall]| {
        calls
            .iter()
            .filter(|c| {
                c.method == "chat.postMessage"
                    && c.str("channel") == Some(OPS)
                    && c.str("thread_ts").is_none()
            })
            .count()
    };
    // The card, and an answer to each note command that ran.
    fake.wait_until("two answers", |calls| in_channel(calls) >= 3)
        .await;
    // Give a wrongly repeated command the moment it would need to show.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(notes_with(&app, "checking the disk").await, 1);
    assert_eq!(in_channel(&fake.calls()), 3, "{:#?}", fake.calls());
    app.stop().await;
}
