//! Miss → one incident → check-in → resolved, over real HTTP on a manual clock, on every
//! backend; and the same across restarts.

use chrono::Duration;
use firebell_tests::{TestApp, backends};
use reqwest::StatusCode;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_heartbeat_opens_one_incident_and_the_next_check_in_resolves_it() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        watching(&app).await;

        let (status, body) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!(body["name"], "backup-nightly");
        assert_eq!(body["last_checkin"], "2026-11-21T03:00:00Z");
        assert_eq!(body["next_due"], "2026-11-22T03:00:00Z");
        assert_eq!(body["resolved_incident"], serde_json::Value::Null);

        // Past the interval, inside the grace: late, nobody woken.
        app.advance(Duration::hours(25));
        app.engine().tick().await.expect("tick");
        assert_eq!(heartbeat(&app, "backup-nightly").await["status"], "late");
        assert!(incidents_of(&app, "backup-nightly").await.is_empty());

        // Past interval + grace: one incident on the heartbeat's service, through ingest.
        app.advance(Duration::hours(1) + Duration::minutes(30));
        let incident = wait_incident(&app, "backup-nightly", "triggered").await;
        assert_eq!(incident["service"], "db", "{incident}");
        assert_eq!(
            incident["title"], "backup-nightly has not checked in for 26 h",
            "{incident}"
        );
        assert_eq!(incident["severity"], "critical");
        assert_eq!(
            incident["details"]["custom_details"]["expected_every"],
            "1d"
        );
        let n = incident["number"].as_i64().expect("number");

        // More ticks, explicit and the worker's own, open nothing more.
        app.engine().tick().await.expect("tick");
        app.engine().tick().await.expect("tick");
        app.advance(Duration::hours(30));
        app.engine().tick().await.expect("tick");
        let all = incidents_of(&app, "backup-nightly").await;
        assert_eq!(all.len(), 1, "{backend:?}: {all:#?}");
        assert_eq!(all[0]["alert_count"], 1, "the miss fired once");
        let hb = heartbeat(&app, "backup-nightly").await;
        assert_eq!(hb["status"], "down", "{hb}");
        assert_eq!(hb["open_incident"], n);
        // The escalation policy pages as for any incident (the level may be started by the
        // worker's tick rather than ours, so wait for it).
        app.api_wait(&format!("/api/v1/incidents/{n}"), |b| {
            b["timeline"].as_array().is_some_and(|t| {
                t.iter()
                    .any(|e| e["message"].as_str().is_some_and(|m| m.contains("paging")))
            })
        })
        .await;

        // The check-in resolves it, once, and the timeline says so.
        let (status, body) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["resolved_incident"], n, "{body}");
        let resolved = wait_incident(&app, "backup-nightly", "resolved").await;
        assert_eq!(resolved["resolved_by"], "heartbeat backup-nightly");
        let messages = timeline(&app, n).await;
        assert!(
            messages
                .iter()
                .any(|m| m == "backup-nightly checked in again after 56 h"),
            "{messages:?}"
        );
        let (_, again) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(again["resolved_incident"], serde_json::Value::Null);
        let hb = heartbeat(&app, "backup-nightly").await;
        assert_eq!(hb["status"], "up", "{hb}");
        assert_eq!(hb["checkins"], 3);
        assert_eq!(hb["open_incident"], serde_json::Value::Null);

        let (_, log) = app.api_get("/api/v1/alerts?service=db&limit=100").await;
        let outcomes: Vec<&str> = log["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .filter(|a| a["dedup_key"] == "heartbeat:backup-nightly")
            .filter_map(|a| a["outcome"].as_str())
            .collect();
        assert_eq!(outcomes.len(), 2, "{log}");
        assert!(outcomes.contains(&"created") && outcomes.contains(&"resolved"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_that_never_checks_in_fires_from_when_firebell_started_watching_it() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        let list = watching(&app).await;
        assert!(
            list["heartbeats"]
                .as_array()
                .expect("list")
                .iter()
                .all(|h| h["watched_since"] == "2026-11-21T03:00:00Z"
                    && h["last_checkin"].is_null()
                    && h["status"] == "up"),
            "{list}"
        );

        app.advance(Duration::hours(1) + Duration::minutes(6));
        let hourly = wait_incident(&app, "sync-hourly", "triggered").await;
        assert_eq!(
            hourly["title"],
            "Hourly CRM sync has never checked in (watched for 1 h 6 min, expected every 1 h)"
        );
        assert_eq!(hourly["service"], "web");
        assert_eq!(hourly["severity"], "warning");
        assert!(incidents_of(&app, "backup-nightly").await.is_empty());

        app.advance(Duration::hours(25));
        let nightly = wait_incident(&app, "backup-nightly", "triggered").await;
        assert!(
            nightly["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("backup-nightly has never checked in")),
            "{nightly}"
        );
        // The first check-in resolves it.
        let (_, body) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(body["resolved_incident"], nightly["number"]);
        let n = nightly["number"].as_i64().expect("number");
        let messages = timeline(&app, n).await;
        assert!(
            messages.iter().any(|m| m
                == "backup-nightly checked in for the first time, 26 h after firebell started watching it"),
            "{messages:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_restarts_so_a_miss_fires_once_and_on_time() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, config()).await;
        watching(&app).await;
        let (status, _) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(status, StatusCode::OK);

        // Restarted 20 h later: the deadline still counts from the check-in before it.
        app.advance(Duration::hours(20));
        let app = app.restart().await;
        let hb = heartbeat(&app, "backup-nightly").await;
        assert_eq!(hb["last_checkin"], "2026-11-21T03:00:00Z", "{hb}");
        assert_eq!(hb["watched_since"], "2026-11-21T03:00:00Z", "{hb}");
        app.advance(Duration::hours(6) + Duration::minutes(1));
        let incident = wait_incident(&app, "backup-nightly", "triggered").await;
        assert_eq!(
            incident["created_at"], "2026-11-22T05:01:00Z",
            "26 h after the check-in, not after the restart"
        );

        // Restarted while down: no second incident, and the check-in still resolves it.
        let app = app.restart().await;
        app.engine().tick().await.expect("tick");
        app.advance(Duration::hours(3));
        app.engine().tick().await.expect("tick");
        assert_eq!(incidents_of(&app, "backup-nightly").await.len(), 1);
        let (_, body) = check_in(&app, NIGHTLY_KEY).await;
        assert_eq!(body["resolved_incident"], incident["number"], "{body}");
        wait_incident(&app, "backup-nightly", "resolved").await;
        app.stop().await;
    }
}
