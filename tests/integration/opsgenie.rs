//! Opsgenie's Alert API over real HTTP, on every backend: what Alertmanager's `opsgenie_configs`
//! sends (recorded from Alertmanager 0.25 with `api_url` pointed at a recorder), create /
//! acknowledge / close / notes by alias and by id, heartbeat pings, and every mistake answered in
//! Opsgenie's error shape.

use firebell_tests::fixtures::{DB_KEY, WEB_KEY, recorded};
use firebell_tests::{Backend, TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A request with `Authorization: GenieKey <key>` (or none), answered as JSON.
async fn genie(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(key) = key {
        req = req.header("authorization", format!("GenieKey {key}"));
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

async fn post(app: &TestApp, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    genie(
        app,
        reqwest::Method::POST,
        path,
        Some(key),
        Some(&body.to_string()),
    )
    .await
}

/// Opsgenie's answer to an accepted request.
fn assert_accepted(status: StatusCode, body: &Value, what: &str) {
    assert_eq!(status, StatusCode::ACCEPTED, "{what}: {body}");
    assert_eq!(
        body["result"], "Request will be processed",
        "{what}: {body}"
    );
    assert!(body["took"].is_number(), "{what}: {body}");
    assert!(
        body["requestId"].as_str().is_some_and(|r| r.len() == 36),
        "{what}: {body}"
    );
}

/// Opsgenie's error shape: a message, the time taken and a request id; never a 5xx.
fn assert_error(status: StatusCode, body: &Value, want: StatusCode, needle: &str) {
    assert_eq!(status, want, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    let errors = body["errors"].to_string();
    assert!(
        message.contains(needle) || errors.contains(needle),
        "`{needle}` not in {body}"
    );
    assert!(body["took"].is_number(), "{body}");
    assert!(body["requestId"].is_string(), "{body}");
}

async fn incident(app: &TestApp, n: i64) -> Value {
    let (status, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_alertmanager_opsgenie_requests_open_and_close_one_incident_per_group() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        for file in [
            "am025_opsgenie_create_01.json",
            "am025_opsgenie_create_02.json",
            "am025_opsgenie_close_03.json",
        ] {
            let f = recorded(&format!("opsgenie/{file}"));
            assert_eq!(f["headers"]["User-Agent"], "Alertmanager/0.25.0");
            let auth = f["headers"]["Authorization"].as_str().unwrap();
            let key = auth.strip_prefix("GenieKey ").expect("GenieKey auth");
            assert_eq!(key, WEB_KEY, "recorded with the web service's key");
            let (status, body) = post(&app, f["path"].as_str().unwrap(), key, &f["body"]).await;
            assert_accepted(status, &body, file);
        }
        let a = incident(&app, 1).await;
        let a = &a["incident"];
        assert_eq!(
            a["title"],
            "[FIRING:1] FirebellE2EOpsgenie e2e-og-host-a (firebell-e2e critical)"
        );
        assert_eq!(
            a["dedup_key"],
            "b022ef702b9620834978a1caa964196ad3d33ed1c6370b13c0a8542f77eac21e"
        );
        assert_eq!(a["severity"], "critical", "P1");
        assert_eq!(a["service"], "web");
        assert_eq!(a["source"], "http://vm:9193/#/alerts?receiver=og");
        assert_eq!(a["status"], "resolved", "{backend:?}: closed by alias");
        assert_eq!(a["details"]["entity"], "e2e-og-host-a");
        assert_eq!(a["details"]["tags"], json!(["firebell", "firebell-e2e"]));
        assert_eq!(a["details"]["details"]["job"], "firebell-e2e");
        assert!(
            a["details"]["description"]
                .as_str()
                .unwrap()
                .starts_with("firebell e2e test alert (opsgenie path)")
        );
        let b = incident(&app, 2).await;
        assert_eq!(b["incident"]["severity"], "warning", "P3");
        assert_eq!(b["incident"]["status"], "triggered", "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_is_deduplicated_acknowledged_noted_and_closed_by_alias_or_by_id() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let create = json!({
            "message": "Disk full on db-01", "alias": "disk/db-01", "priority": "P2",
            "source": "nagios", "description": "/var is at 100%", "tags": ["disk"],
            "details": {"free": "0%"}, "entity": "db-01"
        });
        for _ in 0..2 {
            let (status, body) = post(&app, "/v2/alerts", DB_KEY, &create).await;
            assert_accepted(status, &body, "create");
        }
        let i = incident(&app, 1).await;
        assert_eq!(i["incident"]["service"], "db");
        assert_eq!(i["incident"]["severity"], "error", "P2");
        assert_eq!(
            i["incident"]["alert_count"], 2,
            "{backend:?}: the alias dedups"
        );

        let ack = json!({"user": "alice", "source": "script", "note": "on it"});
        let (status, body) = post(
            &app,
            "/v2/alerts/disk%2Fdb-01/acknowledge?identifierType=alias",
            DB_KEY,
            &ack,
        )
        .await;
        assert_accepted(status, &body, "acknowledge by alias");
        assert_eq!(
            incident(&app, 1).await["incident"]["status"],
            "acknowledged"
        );

        let note = json!({"user": "alice", "note": "checking the log rotation"});
        let (status, body) = post(
            &app,
            "/v2/alerts/disk%2Fdb-01/notes?identifierType=alias",
            DB_KEY,
            &note,
        )
        .await;
        assert_accepted(status, &body, "note by alias");
        let tl = incident(&app, 1).await["timeline"].to_string();
        assert!(tl.contains("checking the log rotation"), "{tl}");
        assert!(tl.contains("on it"), "the acknowledge's note too: {tl}");

        // Opsgenie's default identifier type is `id`: firebell's incident number.
        let (status, body) = post(&app, "/v2/alerts/1/close", DB_KEY, &json!({})).await;
        assert_accepted(status, &body, "close by id");
        assert_eq!(incident(&app, 1).await["incident"]["status"], "resolved");

        // Without an alias every create is an alert of its own.
        let bare = json!({"message": "Backup failed"});
        for _ in 0..2 {
            let (status, body) = post(&app, "/v2/alerts", DB_KEY, &bare).await;
            assert_accepted(status, &body, "create without alias");
        }
        let (_, open) = app.api_get("/api/v1/incidents?status=triggered").await;
        assert_eq!(open["incidents"].as_array().unwrap().len(), 2, "{open}");
        assert_eq!(open["incidents"][0]["severity"], "warning", "P3 by default");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_get_opsgenie_errors_that_say_what_would_be_right() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let post_m = reqwest::Method::POST;
    let ok = r#"{"message":"m"}"#;

    let (s, b) = genie(&app, post_m.clone(), "/v2/alerts", None, Some(ok)).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "GenieKey");
    let (s, b) = genie(&app, post_m.clone(), "/v2/alerts", Some("nope"), Some(ok)).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "integration key");

    for (body, needle) in [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ("{}", "message"),
        (r#"{"message":""}"#, "message"),
        (r#"{"message":"m","priority":"P9"}"#, "P1, P2, P3, P4 or P5"),
        (r#"{"message":"m","tags":"a,b"}"#, "tags"),
        (r#"{"message":"m","details":{"a":1}}"#, "details"),
        (r#"{"message":7}"#, "message"),
    ] {
        let (s, b) = genie(
            &app,
            post_m.clone(),
            "/v2/alerts",
            Some(WEB_KEY),
            Some(body),
        )
        .await;
        let want = if body == "{" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_error(s, &b, want, needle);
    }
    let long_alias = format!(r#"{{"message":"m","alias":"{}"}}"#, "a".repeat(600));
    let (s, b) = genie(
        &app,
        post_m.clone(),
        "/v2/alerts",
        Some(WEB_KEY),
        Some(&long_alias),
    )
    .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "alias");

    for (path, want, needle) in [
        (
            "/v2/alerts/x/close?identifierType=tiny",
            StatusCode::UNPROCESSABLE_ENTITY,
            "identifierType",
        ),
        (
            "/v2/alerts/abc/close",
            StatusCode::UNPROCESSABLE_ENTITY,
            "incident number",
        ),
        ("/v2/alerts/99/close", StatusCode::NOT_FOUND, "99"),
        // Not UTF-8 once decoded: still Opsgenie's shape, never axum's plain text.
        ("/v2/alerts/%FF/close", StatusCode::BAD_REQUEST, ""),
        (
            "/v2/alerts/x/close?identifierType=%FF",
            StatusCode::UNPROCESSABLE_ENTITY,
            "identifierType",
        ),
        ("/v2/alerts/99/notes", StatusCode::NOT_FOUND, "99"),
        (
            "/v2/alerts/nothing-here/notes?identifierType=alias",
            StatusCode::NOT_FOUND,
            "nothing-here",
        ),
    ] {
        let body = r#"{"note":"n"}"#;
        let (s, b) = genie(&app, post_m.clone(), path, Some(WEB_KEY), Some(body)).await;
        assert_error(s, &b, want, needle);
    }
    let (s, b) = genie(
        &app,
        post_m.clone(),
        "/v2/alerts/x/notes?identifierType=alias",
        Some(WEB_KEY),
        Some("{}"),
    )
    .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "note");

    let (_, open) = app.api_get("/api/v1/incidents").await;
    assert!(
        open["incidents"].as_array().unwrap().is_empty(),
        "nothing was written: {open}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_ping_checks_in_with_the_heartbeats_own_key() {
    use crate::heartbeats::{NIGHTLY_KEY, config, watching};
    let app = TestApp::spawn_with(Backend::Sqlite, config()).await;
    watching(&app).await;
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let (s, b) = genie(
            &app,
            method,
            "/v2/heartbeats/backup-nightly/ping",
            Some(NIGHTLY_KEY),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        assert_eq!(b["result"], "PONG - Heartbeat received", "{b}");
    }
    let (_, list) = app.api_get("/api/v1/heartbeats").await;
    let nightly = list["heartbeats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "backup-nightly")
        .cloned()
        .unwrap();
    assert!(nightly["last_checkin"].is_string(), "{nightly}");

    let get = reqwest::Method::GET;
    let (s, b) = genie(
        &app,
        get.clone(),
        "/v2/heartbeats/backup-nightly/ping",
        Some(WEB_KEY),
        None,
    )
    .await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "heartbeat");
    let (s, b) = genie(
        &app,
        get.clone(),
        "/v2/heartbeats/backup-nightly/ping",
        None,
        None,
    )
    .await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "GenieKey");
    let (s, b) = genie(
        &app,
        get,
        "/v2/heartbeats/no-such/ping",
        Some(NIGHTLY_KEY),
        None,
    )
    .await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "no-such");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genie_key_over_its_rate_gets_429_and_writes_nothing() {
    let toml = firebell_tests::fixtures::config_toml().replacen(
        "events_per_minute = 100000",
        "events_per_minute = 3",
        1,
    );
    let config = firebell::Loaded::parse(&toml, "t.toml", &|_| None).unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let alert = json!({"message": "m", "alias": format!("k{i}")});
        let (s, body) = post(&app, "/v2/alerts", WEB_KEY, &alert).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_error(s, &body, StatusCode::TOO_MANY_REQUESTS, "retry later");
        }
        statuses.push(s.as_u16());
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429]);
    let (_, list) = app.api_get("/api/v1/incidents").await;
    assert_eq!(list["incidents"].as_array().unwrap().len(), 3);
    app.stop().await;
}
