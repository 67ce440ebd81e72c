//! Each `/api/v1` list walked page by page: every row exactly once, in the documented order,
//! `next_cursor` null on the last page, and filters that keep applying with the cursor.

use firebell_tests::fixtures::{API_TOKEN, DB_KEY, WEB_KEY};
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{HEARTBEATS, config, get, ids, walk};
use crate::ingest_flow::trigger;

async fn spawn(backend: firebell_tests::Backend) -> TestApp {
    TestApp::spawn_with(backend, config()).await
}

/// Incidents 1..=7, odd on `web` and even on `db`; 3 and 4 acknowledged; one duplicate trigger.
async fn seven_incidents(app: &TestApp) {
    for i in 1..=7 {
        let key = if i % 2 == 1 { WEB_KEY } else { DB_KEY };
        let (s, body) = app
            .post_json(
                "/v2/enqueue",
                &trigger(key, &format!("k{i}"), &format!("problem {i}")),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    }
    for n in [3, 4] {
        let (s, body) = app
            .api_post(&format!("/api/v1/incidents/{n}/acknowledge"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let (s, body) = app
        .post_json("/v2/enqueue", &trigger(WEB_KEY, "k7", "problem 7 again"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_page_newest_first_and_filters_combine_with_the_cursor() {
    for backend in backends() {
        let app = spawn(backend).await;
        seven_incidents(&app).await;
        let path = "/api/v1/incidents";
        for limit in [1, 2, 3, 7, 100] {
            let rows = walk(&app, path, "incidents", &[], limit).await;
            assert_eq!(
                ids(&rows, "number"),
                [7, 6, 5, 4, 3, 2, 1],
                "{backend:?} limit {limit}"
            );
        }
        let web = walk(&app, path, "incidents", &[("service", "web")], 2).await;
        assert_eq!(ids(&web, "number"), [7, 5, 3, 1], "{backend:?}");
        let filters = [("service", "web"), ("status", "triggered")];
        let web_triggered = walk(&app, path, "incidents", &filters, 1).await;
        assert_eq!(ids(&web_triggered, "number"), [7, 5, 1], "{backend:?}");
        let open = [("status", "acknowledged,triggered")];
        let open = walk(&app, path, "incidents", &open, 3).await;
        assert_eq!(ids(&open, "number"), [7, 6, 5, 4, 3, 2, 1], "{backend:?}");
        app.stop().await;
    }
}

/// `rows` in the order served: strictly decreasing ids.
fn assert_newest_first(rows: &[Value], what: &str) {
    let ids = ids(rows, "id");
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "{what}: newest first, each once: {ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_log_pages_newest_first_with_its_filters() {
    for backend in backends() {
        let app = spawn(backend).await;
        seven_incidents(&app).await;
        let path = "/api/v1/alerts";
        let (_, one_page) = get(&app, path, &[("limit", "1000")]).await;
        let everything = one_page["alerts"].as_array().expect("alerts").clone();
        assert_eq!(everything.len(), 8, "{backend:?}: 8 events: {one_page}");
        assert_eq!(one_page["next_cursor"], Value::Null);
        for limit in [1, 3, 8] {
            let rows = walk(&app, path, "alerts", &[], limit).await;
            assert_eq!(rows, everything, "{backend:?} limit {limit}");
        }
        assert_newest_first(&everything, "alerts");
        let filters = [("service", "web"), ("outcome", "created")];
        let rows = walk(&app, path, "alerts", &filters, 3).await;
        let keys: Vec<&str> = rows
            .iter()
            .map(|r| r["dedup_key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["k7", "k5", "k3", "k1"], "{backend:?}");
        assert_newest_first(&rows, "web alerts");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_page_newest_first_with_the_service_filter() {
    for backend in backends() {
        let app = spawn(backend).await;
        for i in 1..=5 {
            let key = if i % 2 == 1 { WEB_KEY } else { DB_KEY };
            let ev = json!({"routing_key": key, "payload": {"summary": format!("deploy {i}"), "source": "ci"}});
            let (s, body) = app.post_json("/v2/change/enqueue", &ev).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        }
        let summaries = |rows: &[Value]| -> Vec<String> {
            rows.iter()
                .map(|r| r["summary"].as_str().unwrap().to_owned())
                .collect()
        };
        let rows = walk(&app, "/api/v1/changes", "changes", &[], 2).await;
        assert_eq!(
            summaries(&rows),
            ["deploy 5", "deploy 4", "deploy 3", "deploy 2", "deploy 1"]
        );
        assert_newest_first(&rows, "changes");
        let rows = walk(&app, "/api/v1/changes", "changes", &[("service", "web")], 1).await;
        assert_eq!(
            summaries(&rows),
            ["deploy 5", "deploy 3", "deploy 1"],
            "{backend:?}"
        );
        app.stop().await;
    }
}

async fn mail(app: &TestApp, key: &str, subject: &str) {
    let resp = app
        .client
        .post(format!("{}/integrations/email/{key}", app.base))
        .header("content-type", "message/rfc822")
        .body(format!(
            "From: mon@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n"
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{:?}",
        resp.text().await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_log_pages_newest_first_with_its_filters() {
    for backend in backends() {
        let app = spawn(backend).await;
        for i in 1..=5 {
            let key = if i % 2 == 1 { WEB_KEY } else { DB_KEY };
            mail(&app, key, &format!("Problem: disk {i}")).await;
        }
        let subjects = |rows: &[Value]| -> Vec<String> {
            rows.iter()
                .map(|r| r["subject"].as_str().unwrap().to_owned())
                .collect()
        };
        let rows = walk(&app, "/api/v1/email/log", "mails", &[], 2).await;
        let all: Vec<String> = (1..=5)
            .rev()
            .map(|i| format!("Problem: disk {i}"))
            .collect();
        assert_eq!(subjects(&rows), all, "{backend:?}");
        assert_newest_first(&rows, "mails");
        let filters = [("service", "db"), ("outcome", "triggered")];
        let rows = walk(&app, "/api/v1/email/log", "mails", &filters, 1).await;
        assert_eq!(
            subjects(&rows),
            ["Problem: disk 4", "Problem: disk 2"],
            "{backend:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_windows_page_newest_first() {
    for backend in backends() {
        let app = spawn(backend).await;
        for i in 1..=5 {
            let ask = json!({"matcher": format!("host-{i}"), "duration": "1h"});
            let (s, body) = app.api_post("/api/v1/maintenance", Some(&ask)).await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }
        let ended = app
            .client
            .delete(format!("{}/api/v1/maintenance/3", app.base))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("request");
        assert_eq!(ended.status(), StatusCode::OK);
        for limit in [1, 2, 4] {
            let rows = walk(&app, "/api/v1/maintenance", "windows", &[], limit).await;
            assert_eq!(ids(&rows, "id"), [5, 4, 2, 1], "{backend:?} limit {limit}");
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_page_newest_first_with_the_schedule_filter() {
    for backend in backends() {
        let app = spawn(backend).await;
        for i in 1..=5 {
            let schedule = if i % 2 == 1 { "primary" } else { "secondary" };
            let ask = json!({"schedule": schedule, "user": "bob", "duration": format!("{i}h")});
            let (s, body) = app.api_post("/api/v1/overrides", Some(&ask)).await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }
        for limit in [1, 2, 5] {
            let rows = walk(&app, "/api/v1/overrides", "overrides", &[], limit).await;
            assert_eq!(
                ids(&rows, "id"),
                [5, 4, 3, 2, 1],
                "{backend:?} limit {limit}"
            );
        }
        let filters = [("schedule", "primary")];
        let rows = walk(&app, "/api/v1/overrides", "overrides", &filters, 2).await;
        assert_eq!(ids(&rows, "id"), [5, 3, 1], "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_page_by_name() {
    for backend in backends() {
        let app = spawn(backend).await;
        let mut sorted = HEARTBEATS.to_vec();
        sorted.sort_unstable();
        for limit in [1, 2, 5] {
            let rows = walk(&app, "/api/v1/heartbeats", "heartbeats", &[], limit).await;
            let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
            assert_eq!(names, sorted, "{backend:?} limit {limit}");
        }
        app.stop().await;
    }
}
