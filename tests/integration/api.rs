//! The bearer-token JSON API.

use firebell_tests::fixtures::WEB_KEY;
use firebell_tests::{Backend, TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::ingest_flow::trigger;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_needs_a_valid_bearer_token() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("{}/api/v1/incidents", app.base);
    let none = app.client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("test-token-0123456789abcdeX")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let basic = app
        .client
        .get(&url)
        .basic_auth("a", Some("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    let post = app
        .client
        .post(format!("{url}/1/acknowledge"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status(),
        StatusCode::UNAUTHORIZED,
        "writes need a token too"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_are_listed_filtered_shown_acknowledged_and_resolved() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        for k in ["a", "b", "c"] {
            app.post_json("/v2/enqueue", &trigger(WEB_KEY, k, &format!("problem {k}")))
                .await;
        }
        let (s, body) = app.api_post("/api/v1/incidents/2/acknowledge", None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["incident"]["status"], "acknowledged");
        assert_eq!(body["incident"]["acknowledged_by"], "ci");
        assert_eq!(body["incident"]["acknowledged_via"], "api");

        let (s, body) = app.api_post("/api/v1/incidents/2/acknowledge", None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("already acknowledged (by ci"),
            "{body}"
        );

        let (s, body) = app
            .api_post(
                "/api/v1/incidents/3/resolve",
                Some(&json!({"note": "rebooted"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["incident"]["resolved_by"], "ci");

        let (_, list) = app.api_get("/api/v1/incidents?status=triggered").await;
        let numbers: Vec<i64> = list["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [1], "{backend:?}");
        let (_, list) = app
            .api_get("/api/v1/incidents?service=web&status=acknowledged,resolved")
            .await;
        let numbers: Vec<i64> = list["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [3, 2], "newest first");
        let first = &list["incidents"][0];
        for field in [
            "id",
            "number",
            "service",
            "dedup_key",
            "title",
            "severity",
            "status",
            "alert_count",
            "created_at",
            "acknowledged_at",
            "resolved_at",
        ] {
            assert!(
                first.get(field).is_some(),
                "incident lacks {field}: {first}"
            );
        }
        assert_eq!(first["acknowledged_at"], Value::Null);
        assert_eq!(first["resolved_at"], "2026-11-21T03:00:00Z");

        let (_, shown) = app.api_get("/api/v1/incidents/3").await;
        // The resolve is the last change; delivery records ("Notified … in chat") written by the
        // outbox workers may land after it.
        let last = shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .rfind(|e| e["kind"] != "notified")
            .unwrap()
            .clone();
        assert_eq!(last["kind"], "resolved", "{shown}");
        assert_eq!(last["message"], "Resolved: rebooted");
        assert_eq!(last["channel"], "api");

        let (s, body) = app
            .api_post(
                "/api/v1/incidents/3/notes",
                Some(&json!({"note": "root cause: cron"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_api_requests_get_clear_4xx_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let cases = [
        (
            "/api/v1/incidents/abc",
            StatusCode::BAD_REQUEST,
            "`abc` is not an incident number",
        ),
        (
            "/api/v1/incidents/999",
            StatusCode::NOT_FOUND,
            "there is no incident #999",
        ),
        (
            "/api/v1/incidents?status=open",
            StatusCode::BAD_REQUEST,
            "unknown status `open`",
        ),
        (
            "/api/v1/incidents?service=nope",
            StatusCode::BAD_REQUEST,
            "unknown service `nope` (services: db, web)",
        ),
        (
            "/api/v1/incidents?limit=0",
            StatusCode::BAD_REQUEST,
            "from 1 to 1000",
        ),
        (
            "/api/v1/incidents?colour=red",
            StatusCode::BAD_REQUEST,
            "unknown query parameter `colour`",
        ),
        (
            "/api/v1/alerts?outcome=eaten",
            StatusCode::BAD_REQUEST,
            "unknown outcome `eaten`",
        ),
    ];
    for (path, status, needle) in cases {
        let (s, body) = app.api_get(path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{path}: {body}"
        );
    }
    app.post_json("/v2/enqueue", &trigger(WEB_KEY, "k", "s"))
        .await;
    let (s, body) = app
        .api_post("/api/v1/incidents/1/resolve", Some(&json!({"note": 5})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = app
        .api_post("/api/v1/incidents/1/resolve", Some(&json!({"nope": "x"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (_, i) = app.api_get("/api/v1/incidents/1").await;
    assert_eq!(
        i["incident"]["status"], "triggered",
        "rejected requests changed nothing"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_report_the_truth() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let h: Value = app
            .client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(h["status"], "ok");
        let r = app
            .client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        app.post_json("/v2/enqueue", &trigger(WEB_KEY, "m", "metric me"))
            .await;
        app.post_json("/v2/enqueue", &trigger(WEB_KEY, "m", "metric me"))
            .await;
        app.post_raw("/v2/enqueue", "nope").await;
        let text = app
            .client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for line in [
            "firebell_events_total{source=\"events_v2\",outcome=\"created\"} 1",
            "firebell_events_total{source=\"events_v2\",outcome=\"deduplicated\"} 1",
            "firebell_incidents{status=\"triggered\"} 1",
            "firebell_incidents{status=\"resolved\"} 0",
        ] {
            assert!(
                text.contains(line),
                "{backend:?}: missing {line} in\n{text}"
            );
        }
        assert!(text.contains("firebell_outbox_depth "), "{text}");
        app.stop().await;
    }
}
