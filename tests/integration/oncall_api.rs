//! `/api/v1/oncall`, `/api/v1/overrides` and `/api/v1/maintenance`: who has the pager, swaps of
//! it, and maintenance windows, over the bearer-token API, against the real application.

use firebell::Loaded;
use firebell_tests::fixtures::{API_TOKEN, WEB_KEY, config_toml};
use firebell_tests::{Backend, TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::ingest_flow::trigger;

/// The standard config plus `primary`: alice and bob weekly, alice on from Mon 16 Nov 09:00 UTC
/// (so at the test start, Sat 21 Nov 03:00, she has it until Mon 23 Nov 09:00 and bob is next).
fn config_with_schedule() -> Loaded {
    let text = config_toml()
        + r#"
[schedules.primary]
timezone = "UTC"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-11-16T09:00"
"#;
    Loaded::parse(&text, "test.toml", &|_| None).expect("config with a schedule is valid")
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, config_with_schedule()).await
}

async fn api_delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .delete(format!("{}{path}", app.base))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oncall_shows_who_has_the_pager_until_when_and_who_is_next() {
    for backend in backends() {
        let app = spawn(backend).await;

        let (status, body) = app.api_get("/api/v1/oncall").await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"oncall": [{
                "schedule": "primary",
                "user": {"id": "alice", "name": "Alice Adams"},
                "since": "2026-11-16T09:00:00Z",
                "until": "2026-11-23T09:00:00Z",
                "next": {"id": "bob", "name": "Bob Brown"},
                "override_id": null,
            }]})
        );
        let (status, by_service) = app.api_get("/api/v1/oncall?schedule=primary").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(by_service, body);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oncall_refuses_unknown_schedules_and_parameters() {
    let app = spawn(Backend::Sqlite).await;
    let (status, body) = app.api_get("/api/v1/oncall?schedule=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "bad_request");
    assert_eq!(
        body["message"],
        "no schedule or service named `nope` — schedules: primary; services: db, web"
    );
    let (status, body) = app.api_get("/api/v1/oncall?who=alice").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "unknown query parameter `who` (allowed: schedule)"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_moves_the_pager_and_cancelling_it_moves_it_back() {
    for backend in backends() {
        let app = spawn(backend).await;
        let ask = json!({"schedule": "primary", "user": "bob", "duration": "2h"});

        let (status, body) = app.api_post("/api/v1/overrides", Some(&ask)).await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        let o = &body["override"];
        assert_eq!(o["id"], 1);
        assert_eq!(o["user"], json!({"id": "bob", "name": "Bob Brown"}));
        assert_eq!(o["start"], "2026-11-21T03:00:00Z");
        assert_eq!(o["end"], "2026-11-21T05:00:00Z");
        assert_eq!(o["created_by"], "ci");
        let (_, now) = app.api_get("/api/v1/oncall").await;
        assert_eq!(now["oncall"][0]["user"]["id"], "bob");
        assert_eq!(now["oncall"][0]["override_id"], 1);
        assert_eq!(now["oncall"][0]["until"], "2026-11-21T05:00:00Z");
        let (status, list) = app.api_get("/api/v1/overrides?schedule=primary").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["overrides"].as_array().map(Vec::len), Some(1));

        let (status, body) = api_delete(&app, "/api/v1/overrides/1").await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["override"]["cancelled"], true);
        let (_, now) = app.api_get("/api/v1/oncall").await;
        assert_eq!(now["oncall"][0]["user"]["id"], "alice");
        let (status, body) = api_delete(&app, "/api/v1/overrides/1").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["message"], "override 1 is already cancelled");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_override_requests_say_what_would_be_right() {
    let app = spawn(Backend::Sqlite).await;
    let post = |body: Value| {
        let app = &app;
        async move { app.api_post("/api/v1/overrides", Some(&body)).await }
    };
    let cases = [
        (
            json!({"schedule": "primary", "user": "bob", "duration": "1x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown duration `1x` — try 30m, 1h, 2h30m or 1d",
        ),
        (
            json!({"schedule": "primary", "user": "bob", "duration": "15d"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "duration `15d` is longer than the maximum of 14d",
        ),
        (
            json!({"schedule": "primary", "user": "dave", "duration": "1h"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown user `dave` (users: alice, bob, carol)",
        ),
        (
            json!({"schedule": "night", "user": "bob", "duration": "1h"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown schedule `night` (schedules: primary)",
        ),
        (
            json!({"schedule": "primary", "duration": "1h"}),
            StatusCode::BAD_REQUEST,
            "`user` is required",
        ),
        (
            json!({"schedule": "primary", "user": "bob", "duration": 60}),
            StatusCode::BAD_REQUEST,
            "`duration` must be a non-empty string of at most 50 characters",
        ),
        (
            json!({"schedule": "primary", "user": "bob", "duration": "1h", "why": "x"}),
            StatusCode::BAD_REQUEST,
            "unknown field `why` (allowed: schedule, user, duration)",
        ),
    ];
    for (body, want_status, want_message) in cases {
        let (status, reply) = post(body.clone()).await;
        assert_eq!(status, want_status, "{body} → {reply}");
        assert_eq!(reply["message"], want_message, "{body}");
    }
    let (status, _) = api_delete(&app, "/api/v1/overrides/99").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api_delete(&app, "/api/v1/overrides/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "`abc` is not a valid override id (a positive number)"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maintenance_window_silences_its_host_until_it_is_ended() {
    for backend in backends() {
        let app = spawn(backend).await;
        let mark = app.console_mark();
        let ask =
            json!({"matcher": "db-01", "duration": "1h", "reason": "disk swap", "room": "ops"});

        let (status, body) = app.api_post("/api/v1/maintenance", Some(&ask)).await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        let w = &body["window"];
        assert_eq!(w["id"], 1);
        assert_eq!(w["matcher"], "db-01");
        assert_eq!(w["matches"], "host db-01");
        assert_eq!(w["room"], "ops");
        assert_eq!(w["ends_at"], "2026-11-21T04:00:00Z");
        assert_eq!(w["active"], true);
        app.console_wait(mark, "🔧 maintenance 1 started for host db-01 by ci")
            .await;
        let (status, _) = app
            .post_json("/v2/enqueue", &trigger(WEB_KEY, "disk", "Disk full"))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let (_, incidents) = app.api_get("/api/v1/incidents").await;
        assert_eq!(incidents["incidents"], json!([]), "nobody is paged");
        let (_, list) = app.api_get("/api/v1/maintenance").await;
        assert_eq!(list["windows"][0]["suppressed"], 1);

        let (status, body) = api_delete(&app, "/api/v1/maintenance/1").await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["window"]["ended_by"], "ci");
        assert_eq!(body["window"]["active"], false);
        let (_, list) = app.api_get("/api/v1/maintenance").await;
        assert_eq!(list, json!({"windows": [], "next_cursor": null}));
        let (status, body) = api_delete(&app, "/api/v1/maintenance/1").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["message"], "maintenance window 1 has already ended");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_maintenance_requests_say_what_would_be_right() {
    let app = spawn(Backend::Sqlite).await;
    let cases = [
        (
            json!({"matcher": "db-01", "duration": "1x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown duration `1x` — try 30m, 1h, 2h30m or 1d",
        ),
        (
            json!({"matcher": "db-01", "duration": "8d"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "duration `8d` is longer than the maximum of 7d",
        ),
        (
            json!({"matcher": "service:nope", "duration": "1h"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown service `nope` — services: db, web",
        ),
        (
            json!({"matcher": "env=prod", "duration": "1h", "room": "dev"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown room `dev` (rooms: ops)",
        ),
        (
            json!({"duration": "1h"}),
            StatusCode::BAD_REQUEST,
            "`matcher` is required",
        ),
        (
            json!(["db-01", "1h"]),
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object such as \
             {\"matcher\": \"web-01\", \"duration\": \"1h\", \"reason\": \"kernel upgrade\"}",
        ),
    ];
    for (body, want_status, want_message) in cases {
        let (status, reply) = app.api_post("/api/v1/maintenance", Some(&body)).await;
        assert_eq!(status, want_status, "{body} → {reply}");
        assert_eq!(reply["message"], want_message, "{body}");
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/maintenance", app.base))
        .bearer_auth(API_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let (status, body) = api_delete(&app, "/api/v1/maintenance/7").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "not_found");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oncall_and_maintenance_endpoints_need_a_token() {
    let app = spawn(Backend::Sqlite).await;
    for path in ["/api/v1/oncall", "/api/v1/overrides", "/api/v1/maintenance"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/maintenance", app.base))
        .header("content-type", "application/json")
        .body(json!({"matcher": "db-01", "duration": "1h"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = app
        .client
        .delete(format!("{}/api/v1/overrides/1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (_, windows) = app.api_get("/api/v1/maintenance").await;
    assert_eq!(
        windows,
        json!({"windows": [], "next_cursor": null}),
        "nothing was opened"
    );
    app.stop().await;
}
