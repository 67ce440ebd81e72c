//! PagerDuty Events API v2/v1 over real HTTP, on every backend: the incident lifecycle, dedup,
//! dropped events, and the recorded Alertmanager payloads.

use firebell_tests::fixtures::{DB_KEY, WEB_KEY, recorded};
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) fn trigger(key: &str, dedup: &str, summary: &str) -> Value {
    json!({
        "routing_key": key, "event_action": "trigger", "dedup_key": dedup,
        "payload": {"summary": summary, "source": "db-01", "severity": "critical",
                    "custom_details": {"disk": "/var", "free": "0%"}},
        "links": [{"href": "https://grafana.example/d/1", "text": "Dashboard"}],
        "client": "Grafana", "client_url": "https://grafana.example"
    })
}

fn action(key: &str, action: &str, dedup: &str) -> Value {
    json!({"routing_key": key, "event_action": action, "dedup_key": dedup})
}

async fn incident(app: &TestApp, n: i64) -> Value {
    let (status, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_duplicate_acknowledge_resolve_and_retrigger_follow_pagerduty() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;

        let (status, body) = app
            .post_json(
                "/v2/enqueue",
                &trigger(WEB_KEY, "disk/db-01", "Disk full on db-01"),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{backend:?}: {body}");
        assert_eq!(
            body,
            json!({"status": "success", "message": "Event processed", "dedup_key": "disk/db-01"})
        );

        let (status, _) = app
            .post_json(
                "/v2/enqueue",
                &trigger(WEB_KEY, "disk/db-01", "Disk full on db-01 (again)"),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let i = incident(&app, 1).await;
        assert_eq!(
            i["incident"]["alert_count"], 2,
            "{backend:?}: a duplicate adds an alert"
        );
        assert_eq!(i["incident"]["status"], "triggered");
        assert_eq!(
            i["incident"]["title"], "Disk full on db-01",
            "the first trigger names the incident"
        );
        assert_eq!(
            i["incident"]["details"]["custom_details"],
            json!({"disk": "/var", "free": "0%"}),
            "kept verbatim"
        );
        assert_eq!(
            i["incident"]["details"]["links"][0]["href"],
            "https://grafana.example/d/1"
        );
        assert_eq!(
            i["incident"]["details"]["client_url"],
            "https://grafana.example"
        );
        let kinds: Vec<&str> = i["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["notification"]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "incident_opened").count(),
            1,
            "the duplicate opened nothing: {i}"
        );
        assert!(
            kinds.iter().filter(|k| **k == "paged").count() <= 1,
            "the duplicate paged nobody again: {i}"
        );

        let (status, _) = app
            .post_json("/v2/enqueue", &action(WEB_KEY, "acknowledge", "disk/db-01"))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let (_, _) = app
            .post_json("/v2/enqueue", &trigger(WEB_KEY, "disk/db-01", "still full"))
            .await;
        let i = incident(&app, 1).await;
        assert_eq!(
            i["incident"]["status"], "acknowledged",
            "a trigger while acknowledged does not re-open"
        );
        assert_eq!(i["incident"]["acknowledged_by"], "Events API v2");
        assert_eq!(i["incident"]["acknowledged_via"], "events");
        assert_eq!(i["incident"]["acknowledged_at"], "2026-11-21T03:00:00Z");
        assert_eq!(i["incident"]["alert_count"], 3);

        let (status, _) = app
            .post_json("/v2/enqueue", &action(WEB_KEY, "resolve", "disk/db-01"))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(incident(&app, 1).await["incident"]["status"], "resolved");

        let (status, _) = app
            .post_json(
                "/v2/enqueue",
                &trigger(WEB_KEY, "disk/db-01", "Disk full again"),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let i2 = incident(&app, 2).await;
        assert_eq!(
            i2["incident"]["status"], "triggered",
            "{backend:?}: after resolve the same key opens a new incident"
        );
        assert_eq!(i2["incident"]["dedup_key"], "disk/db-01");

        // The incident's own lifecycle; paging entries (escalated, notified) interleave with it
        // depending on when the timer worker ran, and are covered by the escalation tests.
        let kinds: Vec<&str> = i["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .filter(|k| !["escalated", "notified"].contains(k))
            .collect();
        assert_eq!(
            kinds,
            ["triggered", "alert_added", "acknowledged", "alert_added"],
            "{backend:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_is_scoped_per_service_and_generated_keys_are_returned() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        app.post_json("/v2/enqueue", &trigger(WEB_KEY, "same", "web problem"))
            .await;
        app.post_json("/v2/enqueue", &trigger(DB_KEY, "same", "db problem"))
            .await;
        let (_, list) = app.api_get("/api/v1/incidents").await;
        assert_eq!(
            list["incidents"].as_array().unwrap().len(),
            2,
            "{backend:?}: same key, two services, two incidents"
        );

        let mut ev = trigger(WEB_KEY, "x", "no key given");
        ev.as_object_mut().unwrap().remove("dedup_key");
        let (status, body) = app.post_json("/v2/enqueue", &ev).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let generated = body["dedup_key"].as_str().unwrap().to_owned();
        assert_eq!(
            generated.len(),
            32,
            "a fresh key is generated and returned: {body}"
        );
        let (_, i) = app.api_get("/api/v1/incidents/3").await;
        assert_eq!(i["incident"]["dedup_key"], generated);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledge_or_resolve_for_an_unknown_key_is_dropped_and_recorded() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (status, body) = app
            .post_json("/v2/enqueue", &action(WEB_KEY, "acknowledge", "never-seen"))
            .await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "PagerDuty accepts and drops it: {body}"
        );
        assert_eq!(body["dedup_key"], "never-seen");
        app.post_json("/v2/enqueue", &action(WEB_KEY, "resolve", "never-seen"))
            .await;

        let (_, list) = app.api_get("/api/v1/incidents").await;
        assert_eq!(list["incidents"], json!([]), "{backend:?}: nothing opened");
        let (_, log) = app.api_get("/api/v1/alerts?outcome=dropped").await;
        let dropped = log["alerts"].as_array().unwrap();
        assert_eq!(dropped.len(), 2, "{backend:?}: {log}");
        assert_eq!(dropped[0]["action"], "resolve");
        assert_eq!(dropped[1]["reason"], "no open incident has this dedup key");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_api_v1_triggers_and_resolves_with_200() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let ev = json!({"service_key": WEB_KEY, "event_type": "trigger", "incident_key": "nagios/web-01/http",
                        "description": "HTTP CRITICAL on web-01", "details": {"output": "timeout"}, "client": "Nagios"});
        let (status, body) = app
            .post_json("/generic/2010-04-15/create_event.json", &ev)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"status": "success", "message": "Event processed", "incident_key": "nagios/web-01/http"})
        );
        let i = incident(&app, 1).await;
        assert_eq!(i["incident"]["title"], "HTTP CRITICAL on web-01");
        assert_eq!(
            i["incident"]["details"]["custom_details"]["output"],
            "timeout"
        );

        let ev = json!({"service_key": WEB_KEY, "event_type": "resolve", "incident_key": "nagios/web-01/http"});
        let (status, _) = app
            .post_json("/generic/2010-04-15/create_event.json", &ev)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            incident(&app, 1).await["incident"]["status"],
            "resolved",
            "{backend:?}"
        );

        let bad = json!({"service_key": WEB_KEY, "event_type": "trigger"});
        let (status, body) = app
            .post_json("/generic/2010-04-15/create_event.json", &bad)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0], "'description' is missing");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_alertmanager_webhooks_open_and_resolve_one_incident_per_fingerprint() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let path = format!("/integrations/alertmanager/{WEB_KEY}");
        for (file, expect) in [
            ("am025_webhook_v4_firing_03.json", vec!["created"]),
            (
                "am025_webhook_v4_firing_04.json",
                vec!["deduplicated", "created"],
            ),
            (
                "am025_webhook_v4_firing_07.json",
                vec!["resolved", "deduplicated"],
            ),
            ("am025_webhook_v4_resolved_08.json", vec!["resolved"]),
        ] {
            let fixture = recorded(&format!("alertmanager/{file}"));
            assert_eq!(
                fixture["path"],
                path.as_str(),
                "the fixture was recorded against this route"
            );
            let (status, body) = app.post_json(&path, &fixture["body"]).await;
            assert_eq!(status, StatusCode::OK, "{file}: {body}");
            let outcomes: Vec<&str> = body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["outcome"].as_str().unwrap())
                .collect();
            assert_eq!(outcomes, expect, "{backend:?} {file}");
        }
        let a = incident(&app, 1).await;
        assert_eq!(
            a["incident"]["title"],
            "Host e2e-cca5029a-wh-host-a is down"
        );
        assert_eq!(a["incident"]["dedup_key"], "657338482fb7d3bc");
        assert_eq!(a["incident"]["severity"], "critical");
        assert_eq!(a["incident"]["source"], "e2e-cca5029a-wh-host-a");
        assert_eq!(a["incident"]["status"], "resolved");
        assert_eq!(a["incident"]["details"]["labels"]["job"], "firebell-e2e");
        let b = incident(&app, 2).await;
        assert_eq!(b["incident"]["status"], "resolved");
        assert_eq!(b["incident"]["alert_count"], 2);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_alertmanager_pagerduty_receiver_events_are_accepted() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        for file in [
            "am025_pagerduty_v2_trigger_01.json",
            "am025_pagerduty_v2_trigger_02.json",
        ] {
            let f = recorded(&format!("alertmanager/{file}"));
            let (status, body) = app.post_json("/v2/enqueue", &f["body"]).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{file}: {body}");
            assert_eq!(body["dedup_key"], f["body"]["dedup_key"]);
        }
        let (_, open) = app.api_get("/api/v1/incidents?status=triggered").await;
        assert_eq!(
            open["incidents"].as_array().unwrap().len(),
            2,
            "{backend:?}"
        );
        assert_eq!(
            open["incidents"][1]["details"]["client_url"],
            "http://vm:9093/#/alerts?receiver=firebell-pagerduty"
        );
        for file in [
            "am025_pagerduty_v2_resolve_05.json",
            "am025_pagerduty_v2_resolve_06.json",
        ] {
            let f = recorded(&format!("alertmanager/{file}"));
            let (status, _) = app.post_json("/v2/enqueue", &f["body"]).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{file}");
        }
        let (_, open) = app
            .api_get("/api/v1/incidents?status=triggered,acknowledged")
            .await;
        assert_eq!(
            open["incidents"],
            json!([]),
            "{backend:?}: both resolved by the recorded resolves"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_events_are_recorded_and_never_open_an_incident() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let ev = json!({"routing_key": WEB_KEY, "payload": {"summary": "Deployed v1.2.3", "source": "ci",
                        "timestamp": "2026-11-21T02:55:00Z", "custom_details": {"sha": "abc123"}},
                        "links": [{"href": "https://ci/1"}]});
        let (status, body) = app.post_json("/v2/change/enqueue", &ev).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(
            body,
            json!({"status": "success", "message": "Change event processed"})
        );
        let (_, changes) = app.api_get("/api/v1/changes?service=web").await;
        assert_eq!(
            changes["changes"][0]["summary"], "Deployed v1.2.3",
            "{backend:?}"
        );
        assert_eq!(changes["changes"][0]["timestamp"], "2026-11-21T02:55:00Z");
        let (_, list) = app.api_get("/api/v1/incidents").await;
        assert_eq!(list["incidents"], json!([]));
        app.stop().await;
    }
}
