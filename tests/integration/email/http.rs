//! `POST /integrations/email/{key}` with a raw message, and the mail log API — on every backend,
//! so the mail log's store runs on SQLite and PostgreSQL.

use firebell_tests::backends;
use firebell_tests::fixtures::{DB_KEY, WEB_KEY};
use reqwest::StatusCode;
use serde_json::Value;

use super::{MailApp, config};

const PROBLEM: &str = "From: Zabbix <zabbix@mon.example.com>\r\nSubject: Problem: Disk space is low on db-01\r\nMessage-ID: <p1@mon>\r\n\r\nFree: 3%\r\n";
const RESOLVED: &str = "From: zabbix@mon.example.com\r\nSubject: Resolved: Disk space is low on db-01\r\n\r\nFree: 40%\r\n";

async fn post(app: &MailApp, key: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(format!("{}/integrations/email/{key}", app.base))
        .header("content-type", "message/rfc822")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_message_triggers_and_its_recovery_resolves() {
    for backend in backends() {
        let app = MailApp::start(backend, config("", "")).await;
        let (s, body) = post(&app, WEB_KEY, PROBLEM).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{backend:?}: {body}");
        assert_eq!(body["status"], "success");
        assert_eq!(body["outcome"], "triggered");
        assert_eq!(body["incident"], 1);
        assert_eq!(body["dedup_key"], "disk space is low on db-01");

        let (s, body) = post(&app, WEB_KEY, RESOLVED).await;
        assert_eq!(
            (s, body["outcome"].as_str()),
            (StatusCode::ACCEPTED, Some("resolved")),
            "{body}"
        );
        assert_eq!(app.incident(1).await["status"], "resolved");

        let log = app.log(5).await;
        assert_eq!(log.len(), 2);
        let first = &log[1];
        assert_eq!(first["via"], "http");
        assert_eq!(first["recipient"], Value::Null);
        assert_eq!(first["message_id"], "p1@mon");
        assert_eq!(first["from"], "zabbix@mon.example.com");
        assert_eq!(first["size"], PROBLEM.len());
        assert_eq!(
            first["received_at"], "2026-11-21T03:00:00Z",
            "the engine's clock"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_json_4xx_and_refusals_are_logged() {
    for backend in backends() {
        let app = MailApp::start(backend, config("", "")).await;
        let (s, body) = post(&app, "NOTAKEY000000000000000000000000X", PROBLEM).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["errors"][0]
                .as_str()
                .unwrap()
                .contains("integration key"),
            "{body}"
        );

        let (s, body) = post(&app, WEB_KEY, "").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            body["errors"][0]
                .as_str()
                .unwrap()
                .contains("the body is empty"),
            "{body}"
        );

        let (s, body) = post(&app, WEB_KEY, "plain text, not a mail").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Message is invalid");

        let big = format!("From: a@b\r\nSubject: big\r\n\r\n{}", "x".repeat(300_000));
        let (s, body) = post(&app, DB_KEY, big).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(
            body["errors"][0]
                .as_str()
                .unwrap()
                .contains("200000 bytes ([email] max_size)"),
            "{body}"
        );

        let log = app.log(10).await;
        let got: Vec<(String, String)> = log
            .iter()
            .map(|m| {
                (
                    m["service"].as_str().unwrap_or("").to_owned(),
                    m["outcome"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("db".to_owned(), "refused".to_owned()),
                ("web".to_owned(), "refused".to_owned())
            ],
            "{log:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_log_filters_by_service_and_outcome_and_checks_its_input() {
    for backend in backends() {
        let app = MailApp::start(backend, config("", "")).await;
        post(&app, WEB_KEY, PROBLEM).await;
        post(&app, DB_KEY, PROBLEM).await;
        post(&app, DB_KEY, "nonsense").await;

        let (_, body) = app.api("/api/v1/email/log?service=db").await;
        assert_eq!(body["mails"].as_array().unwrap().len(), 2, "{body}");
        let (_, body) = app
            .api("/api/v1/email/log?service=db&outcome=refused")
            .await;
        assert_eq!(body["mails"].as_array().unwrap().len(), 1, "{body}");
        let (_, body) = app.api("/api/v1/email/log?limit=1").await;
        assert_eq!(body["mails"][0]["outcome"], "refused", "newest first");

        for (query, status, needle) in [
            (
                "service=nope",
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown service `nope`",
            ),
            (
                "outcome=lost",
                StatusCode::BAD_REQUEST,
                "unknown outcome `lost`",
            ),
            ("limit=0", StatusCode::BAD_REQUEST, "from 1 to 1000"),
            (
                "since=1d",
                StatusCode::BAD_REQUEST,
                "unknown query parameter `since`",
            ),
        ] {
            let (s, body) = app.api(&format!("/api/v1/email/log?{query}")).await;
            assert_eq!(s, status, "{query}: {body}");
            assert!(
                body["message"].as_str().unwrap().contains(needle),
                "{query}: {body}"
            );
        }
        let anonymous = app
            .client
            .get(format!("{}/api/v1/email/log", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_limit_is_max_size_not_the_events_limit() {
    let text = format!(
        "{}\n[email]\ndomain = \"alerts.example.com\"\nlisten = \"127.0.0.1:0\"\nmax_size = \"2MB\"\n",
        firebell_tests::fixtures::config_toml()
    );
    let config = firebell::Loaded::parse(&text, "test.toml", &|_| None).expect("valid");
    let app = MailApp::start(firebell_tests::Backend::Sqlite, config).await;
    let big = format!(
        "From: a@b\r\nSubject: PROBLEM: big log\r\n\r\n{}",
        "x".repeat(1_500_000)
    );
    let (s, body) = post(&app, WEB_KEY, big).await;
    assert_eq!(
        s,
        StatusCode::ACCEPTED,
        "1.5 MB is over the 512 KB of events but within 2MB: {body}"
    );
    let (s, _) = post(&app, WEB_KEY, "x".repeat(2_100_000)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    app.stop().await;
}
