//! `POST /discord/interactions`: Discord signs every request with Ed25519 over timestamp ‖ body.
//! Signed ones are answered (PING with PONG, `/firebell` and buttons like the gateway's);
//! forged, stale or unsigned ones get 401 and change nothing.

use firebell_tests::TestApp;
use firebell_tests::fake_discord::{InteractionSigner, ping, slash_command};
use reqwest::StatusCode;
use serde_json::Value;

use super::{ALICE, OPS, first_card, open, start, status};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn post(app: &TestApp, body: &str, timestamp: &str, signature: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(format!("{}/discord/interactions", app.base))
        .header("content-type", "application/json")
        .header("x-signature-timestamp", timestamp)
        .header("x-signature-ed25519", signature)
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

async fn signed(app: &TestApp, signer: &InteractionSigner, body: &Value) -> (StatusCode, Value) {
    let body = body.to_string();
    let ts = now().to_string();
    post(app, &body, &ts, &signer.sign(&ts, &body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_ping_gets_pong_and_a_signed_slash_command_acts() {
    let (app, fake, signer) = start().await;
    let (code, answer) = signed(&app, &signer, &ping()).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["type"], 1);

    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let (code, answer) = signed(&app, &signer, &slash_command(OPS, ALICE, "ack 1")).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["type"], 4, "{answer}");
    let flags = answer["data"]["flags"].as_u64().unwrap_or(0);
    assert_eq!(
        flags & 64,
        0,
        "a change is answered in the channel: {answer}"
    );
    assert_eq!(
        answer["data"]["allowed_mentions"]["parse"],
        Value::Array(vec![])
    );
    assert_eq!(status(&app, 1).await, "acknowledged");

    // An unlinked person is told privately how to get linked.
    let (_, answer) = signed(
        &app,
        &signer,
        &slash_command(OPS, "299999999999999999", "resolve 1"),
    )
    .await;
    let flags = answer["data"]["flags"].as_u64().unwrap_or(0);
    assert_eq!(flags & 64, 64, "privately: {answer}");
    let told = answer["data"]["content"].as_str().unwrap_or_default();
    assert!(
        told.contains("discord = ") && told.contains("299999999999999999"),
        "{answer}"
    );
    assert_eq!(
        status(&app, 1).await,
        "acknowledged",
        "the stranger changed nothing"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_or_unsigned_interactions_get_401_and_change_nothing() {
    let (app, fake, signer) = start().await;
    open(&app, "disk", "Disk full on db-01").await;
    first_card(&fake).await;
    let body = slash_command(OPS, ALICE, "resolve 1").to_string();
    let other = InteractionSigner::other();
    let ts = now();
    let cases = [
        ("forged", ts.to_string(), other.sign(&ts.to_string(), &body)),
        (
            "stale",
            (ts - 600).to_string(),
            signer.sign(&(ts - 600).to_string(), &body),
        ),
        (
            "from the future",
            (ts + 600).to_string(),
            signer.sign(&(ts + 600).to_string(), &body),
        ),
        (
            "for another body",
            ts.to_string(),
            signer.sign(&ts.to_string(), "{}"),
        ),
        ("garbage", ts.to_string(), "zz".to_owned()),
    ];
    for (what, timestamp, signature) in cases {
        let (code, answer) = post(&app, &body, &timestamp, &signature).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert!(
            answer["message"].as_str().is_some(),
            "{what}: a JSON body says why: {answer}"
        );
    }
    let resp = app
        .client
        .post(format!("{}/discord/interactions", app.base))
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "unsigned");
    assert_eq!(status(&app, 1).await, "triggered", "nothing changed");
    app.stop().await;
}
