//! The check-in endpoints over HTTP: a key is the only credential a check-in needs, unknown keys
//! get a JSON 404 on every route and method, `/fail` opens the incident at once, and the list
//! wants a bearer token.

use chrono::Duration;
use firebell_tests::fixtures::API_TOKEN;
use firebell_tests::{Backend, TestApp, backends};
use reqwest::StatusCode;
use serde_json::Value;

use super::*;

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_get_a_json_404_on_every_route_and_method_and_change_nothing() {
    let app = TestApp::spawn_with(Backend::Sqlite, config()).await;
    watching(&app).await;
    let long = "k".repeat(5000);
    for key in [
        "nope",
        "backup-nightly",
        &NIGHTLY_KEY[..NIGHTLY_KEY.len() - 1],
        &format!("{NIGHTLY_KEY}x"),
        API_TOKEN,
        "%00",
        long.as_str(),
    ] {
        for path in [
            format!("/api/v1/heartbeats/{key}"),
            format!("/api/v1/heartbeats/{key}/fail"),
        ] {
            let (status, body) = app.post_raw(&path, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}: {body}");
            assert_eq!(body["error"], "not_found", "{body}");
            assert!(
                body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("[heartbeats.NAME]")),
                "{body}"
            );
            let (status, _) = get(&app, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
        }
    }
    // A bearer token does not stand in for the key.
    let (status, _) = app
        .api_post(&format!("/api/v1/heartbeats/{API_TOKEN}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.post_raw("/api/v1/heartbeats/", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing was checked in.
    assert_eq!(heartbeat(&app, "backup-nightly").await["checkins"], 0);
    // Other methods are refused as everywhere else.
    let resp = app
        .client
        .delete(format!("{}/api/v1/heartbeats/{NIGHTLY_KEY}", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_checks_in_with_no_token_and_the_list_needs_one() {
    let app = TestApp::spawn_with(Backend::Sqlite, config()).await;
    watching(&app).await;
    let (status, body) = get(&app, &format!("/api/v1/heartbeats/{HOURLY_KEY}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "sync-hourly");
    assert_eq!(body["next_due"], "2026-11-21T04:00:00Z");

    let (status, body) = get(&app, "/api/v1/heartbeats").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "unauthorized");

    let (status, body) = app.api_get("/api/v1/heartbeats").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hourly = body["heartbeats"]
        .as_array()
        .and_then(|v| v.iter().find(|h| h["name"] == "sync-hourly"))
        .cloned()
        .expect("listed");
    assert_eq!(hourly["service"], "web");
    assert_eq!(hourly["interval"], "1h");
    assert_eq!(hourly["grace"], "6m");
    assert_eq!(hourly["status"], "up");
    assert_eq!(hourly["last_checkin"], "2026-11-21T03:00:00Z");
    assert_eq!(hourly["checkins"], 1);
    assert!(
        !body.to_string().contains(HOURLY_KEY),
        "keys are never listed"
    );

    app.advance(Duration::minutes(61));
    assert_eq!(heartbeat(&app, "sync-hourly").await["status"], "late");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_failure_opens_the_incident_at_once_and_a_check_in_resolves_it() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        watching(&app).await;
        let (status, body) = app
            .post_raw(
                &format!("/api/v1/heartbeats/{NIGHTLY_KEY}/fail"),
                "pg_dump: error: connection to server failed\n",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!(body["outcome"], "created", "{body}");
        let n = body["incident"].as_i64().expect("incident number");
        let incident = wait_incident(&app, "backup-nightly", "triggered").await;
        assert_eq!(incident["number"], n);
        assert_eq!(incident["title"], "backup-nightly reported a failure");
        assert_eq!(
            incident["details"]["custom_details"]["output"],
            "pg_dump: error: connection to server failed"
        );
        assert_eq!(heartbeat(&app, "backup-nightly").await["status"], "down");

        // A second failure joins it; the deadline passing opens nothing more.
        let (_, body) = app
            .post_raw(&format!("/api/v1/heartbeats/{NIGHTLY_KEY}/fail"), "")
            .await;
        assert_eq!(body["outcome"], "deduplicated", "{body}");
        app.advance(Duration::hours(30));
        app.engine().tick().await.expect("tick");
        assert_eq!(incidents_of(&app, "backup-nightly").await.len(), 1);

        let (_, body) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(body["resolved_incident"], n, "{body}");
        wait_incident(&app, "backup-nightly", "resolved").await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_with_an_oversized_or_binary_body_still_pages() {
    let app = TestApp::spawn_with(Backend::Sqlite, config()).await;
    watching(&app).await;
    let huge = vec![b'x'; 600 * 1024];
    let (status, body) = app
        .post_raw(&format!("/api/v1/heartbeats/{HOURLY_KEY}/fail"), huge)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "created");
    let incident = wait_incident(&app, "sync-hourly", "triggered").await;
    let output = incident["details"]["custom_details"]["output"]
        .as_str()
        .expect("output");
    assert!(
        output.starts_with("(the job's output was not kept"),
        "{output}"
    );

    let (status, body) = app
        .post_raw(
            &format!("/api/v1/heartbeats/{HOURLY_KEY}/fail"),
            vec![0xff, 0xfe, b'o', b'k'],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "deduplicated");
    app.stop().await;
}
