//! Every way an incident changes reaches the subscriptions, not only alerts and the API: a
//! heartbeat that misses and then checks in, a `/fail` check-in, and an escalation by hand. Each
//! writes its webhook rows in its own transaction, as ingest does.

use firebell_tests::backends;

use super::{LAMP, Rig, types};
use crate::ingest_flow::trigger;

const KEY: &str = "sync-hourly-key-0123456789abc";
const HEARTBEAT: &str = r#"
[heartbeats.sync-hourly]
service = "web"
interval = "1h"
key = "sync-hourly-key-0123456789abc"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_miss_its_check_in_and_a_hand_escalation_are_sent_too() {
    for backend in backends() {
        let mut rig = Rig::start_with(backend, LAMP, HEARTBEAT).await;
        crate::heartbeats::watching(&rig.app).await;

        // An hour and the default grace (6 minutes) pass without a check-in.
        rig.advance(chrono::Duration::minutes(67));
        let got = rig.receiver.wait_for("the miss", |r| !r.is_empty()).await;
        let e = got[0].json()["event"].clone();
        assert_eq!(e["event_type"], "incident.triggered", "{backend:?}");
        let title = e["data"]["title"].as_str().unwrap_or_default().to_owned();
        assert!(title.contains("sync-hourly"), "{title}");
        assert_eq!(e["data"]["incident_key"], "heartbeat:sync-hourly");

        let (code, body) = rig.app.api_get(&format!("/api/v1/heartbeats/{KEY}")).await;
        assert!(code.is_success(), "{body}");
        let got = rig
            .receiver
            .wait_for("the recovery", |r| {
                r.iter().any(|q| q.event_type() == "incident.resolved")
            })
            .await;
        let resolved = got
            .iter()
            .find(|q| q.event_type() == "incident.resolved")
            .expect("resolved")
            .json();
        assert_eq!(
            resolved["event"]["data"]["incident_key"],
            "heartbeat:sync-hourly"
        );

        // `/fail` opens one at once.
        let (code, body) = rig
            .app
            .api_post(&format!("/api/v1/heartbeats/{KEY}/fail"), None)
            .await;
        assert!(code.is_success(), "{body}");
        rig.receiver
            .wait_for("the failure", |r| {
                r.iter()
                    .filter(|q| q.event_type() == "incident.triggered")
                    .count()
                    == 2
            })
            .await;

        // An escalation by hand, from the console, once level 1 has started.
        let mark = rig.app.console_mark();
        let (code, body) = rig
            .app
            .post_json(
                "/v2/enqueue",
                &trigger(firebell_tests::fixtures::WEB_KEY, "disk", "Disk full"),
            )
            .await;
        assert!(code.is_success(), "{body}");
        rig.app.console_wait(mark, "level 1 · Disk full").await;
        rig.drained().await;
        let n = rig.receiver.requests().len();
        let (_, list) = rig.app.api_get("/api/v1/incidents").await;
        let disk = list["incidents"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["title"] == "Disk full"))
            .and_then(|i| i["number"].as_i64())
            .expect("the disk incident");
        let mark = rig.app.console_mark();
        rig.app.type_line(&format!("!escalate {disk}")).await;
        let out = rig.app.console_wait(mark, "⏫").await;
        assert!(out.contains("level 2"), "{out}");
        let got = rig.receiver.wait_count(n + 1).await;
        let e = got[n].json()["event"].clone();
        assert_eq!(e["event_type"], "incident.escalated", "{backend:?}");
        assert_eq!(e["data"]["number"], disk);
        assert_eq!(
            e["agent"]["summary"], "Alice Adams",
            "a person, not a timer"
        );
        rig.drained().await;
        assert_eq!(
            types(&rig.receiver.requests()),
            [
                "incident.triggered",
                "incident.resolved",
                "incident.triggered",
                "incident.triggered",
                "incident.escalated"
            ]
        );
        rig.app.stop().await;
    }
}
