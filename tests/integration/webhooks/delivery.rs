//! The events of an incident's life reach the receiver in order, in PagerDuty's v3 shape, signed
//! with the subscription's secret; `services` and `events` choose what each subscription gets.

use firebell_tests::backends;
use firebell_tests::fixtures::{DB_KEY, WEB_KEY};
use serde_json::json;

use super::{LAMP, Rig, SECRET, types};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_ack_note_and_resolve_reach_the_receiver_in_order_and_signed() {
    for backend in backends() {
        let rig = Rig::start(backend, LAMP).await;
        let n = rig.open(WEB_KEY, "disk/db-01", "Disk full on db-01").await;
        rig.act(n, "acknowledge", None).await;
        rig.act(n, "notes", Some("Rotating the logs")).await;
        rig.act(n, "resolve", None).await;

        let got = rig.receiver.wait_count(4).await;
        assert_eq!(
            types(&got),
            [
                "incident.triggered",
                "incident.acknowledged",
                "incident.annotated",
                "incident.resolved"
            ],
            "{backend:?}"
        );
        let mut ids = Vec::new();
        for r in &got {
            assert!(r.signed_with(SECRET), "{backend:?}: bad signature on {r:?}");
            assert!(!r.signed_with("some-other-secret-0123456789"));
            assert_eq!(r.path, "/lamp");
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.header("x-webhook-subscription"), Some("lamp"));
            assert!(
                r.header("user-agent")
                    .is_some_and(|ua| ua.starts_with("firebell/")),
                "{r:?}"
            );
            let body = r.json();
            assert_eq!(r.header("x-webhook-id"), body["event"]["id"].as_str());
            assert_eq!(body["event"]["resource_type"], "incident");
            ids.push(body["event"]["id"].as_str().expect("id").to_owned());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "each event has its own id");

        let triggered = got[0].json()["event"].clone();
        assert_eq!(
            triggered["agent"]["type"], "inbound_integration_reference",
            "{triggered}"
        );
        let data = &triggered["data"];
        assert_eq!(data["id"], n.get().to_string());
        assert_eq!(data["number"], n.get());
        assert_eq!(data["status"], "triggered");
        assert_eq!(data["incident_key"], "disk/db-01");
        assert_eq!(data["title"], "Disk full on db-01");
        assert_eq!(data["created_at"], "2026-11-21T03:00:00Z");
        assert_eq!(data["service"]["id"], "web");
        assert_eq!(data["escalation_policy"]["id"], "default");
        assert_eq!(data["urgency"], "high");
        assert_eq!(data["self"], serde_json::Value::Null, "no public URL");

        let acked = got[1].json()["event"].clone();
        assert_eq!(acked["data"]["status"], "acknowledged");
        assert_eq!(
            (&acked["agent"]["id"], &acked["agent"]["type"]),
            (&json!("ci"), &json!("api_token_reference"))
        );
        assert_eq!(acked["client"], json!({"name": "api"}));
        assert_eq!(acked["occurred_at"], "2026-11-21T03:00:00.000Z");

        let note = got[2].json()["event"]["data"].clone();
        assert_eq!(note["type"], "incident_note");
        assert_eq!(note["content"], "Rotating the logs");
        assert_eq!(note["incident"]["id"], n.get().to_string());
        assert_eq!(got[3].json()["event"]["data"]["status"], "resolved");

        // A delivered webhook is not news on the timeline.
        let shown = rig.show(n).await;
        let text = shown["timeline"].to_string();
        assert!(!text.contains("Webhook"), "{text}");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_row_is_committed_with_the_change_before_anything_is_sent() {
    for backend in backends() {
        let rig = Rig::start(backend, LAMP).await;
        // The receiver holds the request open: nothing can have been delivered yet.
        rig.receiver.hang();
        let n = rig.open(WEB_KEY, "disk", "Disk full").await;
        let shown = rig.show(n).await;
        let hooks: Vec<&serde_json::Value> = shown["notifications"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|d| d["method"] == "hook")
            .collect();
        assert_eq!(hooks.len(), 1, "{backend:?}: {shown}");
        assert_eq!(hooks[0]["recipient"], "lamp");
        assert_eq!(hooks[0]["notification"]["event_type"], "incident.triggered");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_incident_escalates_and_an_ack_that_times_out_unacknowledges() {
    for backend in backends() {
        let rig = Rig::start(
            backend,
            &LAMP.replace(
                "secret =",
                "events = [\"incident.escalated\", \"incident.unacknowledged\"]\nsecret =",
            ),
        )
        .await;
        let n = rig.open(WEB_KEY, "disk", "Disk full").await;
        // Level 1 (alice) gets 15 minutes; then level 2 pages bob and carol.
        rig.advance(chrono::Duration::minutes(16));
        let got = rig
            .receiver
            .wait_for("incident.escalated", |r| !r.is_empty())
            .await;
        let e = got[0].json()["event"].clone();
        assert_eq!(e["event_type"], "incident.escalated", "{backend:?}");
        assert_eq!(e["agent"], serde_json::Value::Null, "firebell's own timer");
        let assignees: Vec<&str> = e["data"]["assignees"]
            .as_array()
            .expect("list")
            .iter()
            .map(|a| a["summary"].as_str().expect("name"))
            .collect();
        assert_eq!(assignees, ["Bob Brown", "Carol Chen"]);
        // Nothing in flight when the clock jumps: a 31-minute jump outlasts the outbox lease, and
        // a row still being recorded as delivered would be claimed and sent again.
        rig.drained().await;

        rig.act(n, "acknowledge", None).await;
        // The service's ack timeout (30 minutes by default) runs out.
        rig.advance(chrono::Duration::minutes(31));
        let got = rig.receiver.wait_count(2).await;
        let e = got[1].json()["event"].clone();
        assert_eq!(e["event_type"], "incident.unacknowledged");
        assert_eq!(e["data"]["status"], "triggered");
        rig.drained().await;
        assert_eq!(
            types(&rig.receiver.requests()),
            ["incident.escalated", "incident.unacknowledged"],
            "the acknowledgement itself was filtered out"
        );
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subscription_gets_only_its_services_and_events() {
    for backend in backends() {
        let hooks = r#"
[webhooks.dba]
url = "{url}/dba"
services = ["db"]

[webhooks.tickets]
url = "{url}/tickets"
events = ["incident.resolved"]
"#;
        let rig = Rig::start(backend, hooks).await;
        let web = rig.open(WEB_KEY, "disk", "Disk full on web-01").await;
        let db = rig.open(DB_KEY, "replica", "Replica lagging").await;
        rig.act(web, "resolve", None).await;
        rig.act(db, "resolve", None).await;
        rig.receiver.wait_count(4).await;
        rig.drained().await;

        let got = rig.receiver.requests();
        let at = |path: &str| -> Vec<(String, i64)> {
            got.iter()
                .filter(|r| r.path == path)
                .map(|r| {
                    let number = r.json()["event"]["data"]["number"].as_i64().expect("n");
                    (r.event_type(), number)
                })
                .collect()
        };
        assert_eq!(
            at("/dba"),
            [
                ("incident.triggered".to_owned(), db.get()),
                ("incident.resolved".to_owned(), db.get())
            ],
            "{backend:?}"
        );
        let mut tickets = at("/tickets");
        tickets.sort_by_key(|t| t.1);
        assert_eq!(
            tickets,
            [
                ("incident.resolved".to_owned(), web.get()),
                ("incident.resolved".to_owned(), db.get())
            ]
        );
        assert!(
            got.iter()
                .all(|r| r.header("x-pagerduty-signature").is_none()),
            "no secret, no signature"
        );
        rig.app.stop().await;
    }
}
