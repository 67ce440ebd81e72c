//! The PagerDuty REST API's incident endpoints answering every mistake in PagerDuty's error body
//! with its code: authentication, query values, paths, write bodies, `From:` — never a 5xx, and
//! nothing changed.

use firebell_tests::TestApp;
use firebell_tests::backends;
use firebell_tests::fixtures::{API_TOKEN, WEB_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::incidents::{assert_pd_error, get, put};
use super::{config, pd};
use crate::ingest_flow::trigger;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mistake_gets_pagerdutys_error_body_and_code_never_a_5xx() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        app.post_json("/v2/enqueue", &trigger(WEB_KEY, "disk", "Disk full"))
            .await;
        let (s, b) = pd(&app, Method::GET, "/incidents", None, None, None).await;
        assert_pd_error(s, &b, StatusCode::UNAUTHORIZED, 2006, "Token token=");
        let (s, b) = pd(&app, Method::GET, "/incidents", Some("wrong"), None, None).await;
        assert_pd_error(s, &b, StatusCode::UNAUTHORIZED, 2006, "unknown API token");
        let bearer = app
            .client
            .get(format!("{}/pagerduty/v2/incidents", app.base))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(
            bearer.status(),
            StatusCode::OK,
            "OAuth-style Bearer is accepted too"
        );

        let bad = [
            (
                "/incidents?statuses[]=snoozed",
                StatusCode::BAD_REQUEST,
                2001,
                "statuses[]",
            ),
            (
                "/incidents?service_ids[]=nope",
                StatusCode::BAD_REQUEST,
                2001,
                "no service `nope`",
            ),
            (
                "/incidents?sort_by=created_at:DESC",
                StatusCode::BAD_REQUEST,
                2001,
                "asc or desc",
            ),
            (
                "/incidents?sort_by=urgency",
                StatusCode::BAD_REQUEST,
                2001,
                "sort_by",
            ),
            (
                "/incidents?urgencies[]=high",
                StatusCode::BAD_REQUEST,
                2001,
                "urgencies[]",
            ),
            (
                "/incidents?limit=abc",
                StatusCode::BAD_REQUEST,
                2001,
                "limit",
            ),
            (
                "/incidents?offset=9950&limit=100",
                StatusCode::BAD_REQUEST,
                2002,
                "10000",
            ),
            (
                "/incidents?since=yesterday",
                StatusCode::BAD_REQUEST,
                2004,
                "since",
            ),
            (
                "/incidents?since=2026-02-01&until=2026-01-01",
                StatusCode::BAD_REQUEST,
                2002,
                "after",
            ),
            (
                "/incidents?date_range=some",
                StatusCode::BAD_REQUEST,
                2001,
                "date_range",
            ),
            (
                "/incidents?total=maybe",
                StatusCode::BAD_REQUEST,
                2001,
                "total",
            ),
            ("/incidents/99", StatusCode::NOT_FOUND, 2100, "99"),
            ("/incidents/PABC123", StatusCode::NOT_FOUND, 2100, "numbers"),
            ("/incidents/%FF", StatusCode::BAD_REQUEST, 2001, "path"),
            (
                "/incidents/99/log_entries",
                StatusCode::NOT_FOUND,
                2100,
                "99",
            ),
            ("/incidents/99/alerts", StatusCode::NOT_FOUND, 2100, "99"),
            ("/incidents/99/notes", StatusCode::NOT_FOUND, 2100, "99"),
            (
                "/no_such_thing",
                StatusCode::NOT_FOUND,
                2100,
                "no such endpoint",
            ),
        ];
        for (path, want, code, needle) in bad {
            let (s, b) = pd(&app, Method::GET, path, Some(API_TOKEN), None, None).await;
            assert_pd_error(s, &b, want, code, needle);
        }
        let v1 = app
            .client
            .get(format!("{}/pagerduty/v2/incidents", app.base))
            .header("authorization", format!("Token token={API_TOKEN}"))
            .header("accept", "application/vnd.pagerduty+json;version=1")
            .send()
            .await
            .unwrap();
        let (s, b) = (v1.status(), v1.json::<Value>().await.unwrap());
        assert_pd_error(s, &b, StatusCode::BAD_REQUEST, 2001, "version=2");

        let ack = json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
        let writes: [(Option<&str>, Value, &str); 9] = [
            (None, ack.clone(), "From:"),
            (
                Some("mallory@example.com"),
                ack.clone(),
                "not the email of any firebell user",
            ),
            (
                Some("alice@example.com"),
                json!({"status": "acknowledged"}),
                "wrap the entity",
            ),
            (
                Some("alice@example.com"),
                json!({"incident": "ack"}),
                "must be an object",
            ),
            (
                Some("alice@example.com"),
                json!({"incident": {"status": "acknowledged"}}),
                "type",
            ),
            (
                Some("alice@example.com"),
                json!({"incident": {"type": "incident_reference"}}),
                "status` is required",
            ),
            (
                Some("alice@example.com"),
                json!({"incident": {"type": "incident_reference", "status": "acknowledged", "escalation_level": 2}}),
                "escalation_level",
            ),
            (
                Some("alice@example.com"),
                json!({"incidents": []}),
                "wrap the entity",
            ),
            (Some("alice@example.com"), json!([1]), "JSON object"),
        ];
        for (from, body, needle) in writes {
            let (s, b) = pd(
                &app,
                Method::PUT,
                "/incidents/1",
                Some(API_TOKEN),
                from,
                Some(&body),
            )
            .await;
            assert_pd_error(s, &b, StatusCode::BAD_REQUEST, 2001, needle);
        }
        let resp = app
            .client
            .put(format!("{}/pagerduty/v2/incidents/1", app.base))
            .header("authorization", format!("Token token={API_TOKEN}"))
            .header("from", "alice@example.com")
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (s, b) = (resp.status(), resp.json::<Value>().await.unwrap());
        assert_pd_error(s, &b, StatusCode::BAD_REQUEST, 2001, "not valid JSON");
        let many: Vec<Value> = (0..251)
            .map(|_| json!({"id": "1", "type": "incident_reference", "status": "acknowledged"}))
            .collect();
        let (s, b) = put(
            &app,
            "/incidents",
            "alice@example.com",
            &json!({"incidents": many}),
        )
        .await;
        assert_pd_error(s, &b, StatusCode::BAD_REQUEST, 2001, "1 to 250");
        let (s, b) = pd(
            &app,
            Method::POST,
            "/incidents/1/notes",
            Some(API_TOKEN),
            Some("alice@example.com"),
            Some(&json!({"note": {"content": " "}})),
        )
        .await;
        assert_pd_error(s, &b, StatusCode::BAD_REQUEST, 2001, "note.content");
        let (s, b) = pd(
            &app,
            Method::DELETE,
            "/incidents/1",
            Some(API_TOKEN),
            None,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{b}");
        assert!(b["error"]["code"].is_number(), "{b}");
        assert_eq!(
            get(&app, "/incidents/1").await["incident"]["status"],
            "triggered",
            "no mistake changed anything"
        );
        app.stop().await;
    }
}
