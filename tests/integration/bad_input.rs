//! Malformed input never panics, never gets a 500, and never writes anything: every case gets a
//! 4xx with a JSON body naming what was wrong.

use firebell_tests::fixtures::{self, WEB_KEY};
use firebell_tests::{Backend, TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::ingest_flow::trigger;

async fn assert_nothing_written(app: &TestApp) {
    let (_, list) = app.api_get("/api/v1/incidents").await;
    assert_eq!(
        list["incidents"],
        json!([]),
        "an invalid request wrote an incident"
    );
    let (_, log) = app.api_get("/api/v1/alerts").await;
    assert_eq!(
        log["alerts"],
        json!([]),
        "an invalid request wrote to the alert log"
    );
}

fn is_pagerduty_invalid(body: &Value) -> bool {
    body["status"] == "invalid event"
        && body["message"] == "Event object is invalid"
        && body["errors"].is_array()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_events_get_a_json_400_naming_the_problem_and_write_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let cases: Vec<(&str, String, &str)> = vec![
            ("/v2/enqueue", "{not json".into(), "not valid JSON"),
            ("/v2/enqueue", "".into(), "not valid JSON"),
            ("/v2/enqueue", "[]".into(), "must be a JSON object"),
            ("/v2/enqueue", json!({"routing_key": WEB_KEY}).to_string(), "'event_action' is missing"),
            ("/v2/enqueue", json!({"routing_key": 7, "event_action": "trigger"}).to_string(), "must be a string, not a number"),
            ("/v2/enqueue", { let mut t = trigger(WEB_KEY, "k", "s"); t["extra"] = json!(1); t.to_string() }, "'extra' is not a known field"),
            ("/v2/enqueue", { let mut t = trigger(WEB_KEY, "k", "s"); t["payload"]["severity"] = json!("panic"); t.to_string() }, "unknown severity `panic`"),
            ("/v2/enqueue", { let mut t = trigger(WEB_KEY, "k", "s"); t["payload"]["summary"] = json!("x".repeat(1025)); t.to_string() }, "the limit is 1024"),
            ("/v2/enqueue", { let mut t = trigger(WEB_KEY, "k", "s"); t["dedup_key"] = json!("d".repeat(256)); t.to_string() }, "limit is 255"),
            ("/v2/enqueue", trigger("NOPE0000000000000000000000000000", "k", "s").to_string(), "does not belong to any service"),
            ("/v2/enqueue", "\u{0}\u{1}binary".into(), "not valid JSON"),
            ("/generic/2010-04-15/create_event.json", json!({"service_key": WEB_KEY, "event_type": "boom"}).to_string(), "`boom` is not an event type"),
            ("/v2/change/enqueue", json!({"routing_key": WEB_KEY, "payload": {}}).to_string(), "'payload.summary' is missing"),
            (&format!("/integrations/alertmanager/{WEB_KEY}").leak()[..], json!({"version": "4", "alerts": "no"}).to_string(), "'alerts' must be an array"),
            (&format!("/integrations/alertmanager/{WEB_KEY}").leak()[..], json!({"version": "4", "alerts": [{"status": "firing", "labels": {"a": "b"}}, {"status": "nope", "labels": {}}]}).to_string(), "`nope` is not an alert status"),
        ];
        for (path, body, needle) in cases {
            let (status, reply) = app.post_raw(path, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{backend:?} {path} {body:.80}: {reply}"
            );
            assert!(
                is_pagerduty_invalid(&reply),
                "{path}: PagerDuty's error shape expected: {reply}"
            );
            assert!(
                reply["errors"].to_string().contains(needle),
                "{path} {body:.80}: want {needle:?} in {reply}"
            );
        }
        assert_nothing_written(&app).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_512_kb_get_413_and_write_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut big = trigger(WEB_KEY, "big", "big");
    big["payload"]["custom_details"] = json!({"blob": "x".repeat(512 * 1024)});
    for path in [
        "/v2/enqueue",
        "/generic/2010-04-15/create_event.json",
        "/v2/change/enqueue",
    ] {
        let (status, reply) = app.post_raw(path, big.to_string()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {reply}");
        assert_eq!(reply["message"], "Event object is too large");
    }
    // Just under the limit is fine.
    let mut ok = trigger(WEB_KEY, "ok", "ok");
    ok["payload"]["custom_details"] = json!({"blob": "x".repeat(500 * 1024)});
    let (status, _) = app.post_raw("/v2/enqueue", ok.to_string()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routing_key_over_its_rate_gets_429_on_v2_and_403_on_v1() {
    let toml =
        fixtures::config_toml().replacen("events_per_minute = 100000", "events_per_minute = 3", 1);
    let config = firebell::Loaded::parse(&toml, "t.toml", &|_| None).unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let (s, body) = app
            .post_json("/v2/enqueue", &trigger(WEB_KEY, &format!("k{i}"), "s"))
            .await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["status"], "throttle exceeded");
        }
        statuses.push(s.as_u16());
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429]);
    let v1 = json!({"service_key": WEB_KEY, "event_type": "trigger", "description": "d"});
    let (s, _) = app
        .post_json("/generic/2010-04-15/create_event.json", &v1)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "v1 answers 403 when throttled");
    let (_, list) = app.api_get("/api/v1/incidents").await;
    assert_eq!(
        list["incidents"].as_array().unwrap().len(),
        3,
        "throttled events wrote nothing"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (s, body) = app.api_get("/v3/nothing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    let resp = app
        .client
        .get(format!("{}/v2/enqueue", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["message"], "GET is not allowed on /v2/enqueue");
    app.stop().await;
}
