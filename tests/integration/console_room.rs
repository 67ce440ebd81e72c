//! The console room end to end: a monitor's event over HTTP appears as a card, the person at the
//! terminal acts on it with the same commands as in chat, and every change shows in the room.

use std::sync::Arc;

use firebell_engine::{
    Actor, AlertKind, Channel, DedupKey, Engine, ManualClock, NewAlert, Severity, TriggerPayload,
};
use firebell_tests::fixtures::{self, WEB_KEY};
use firebell_tests::{TestApp, TestDb, backends};
use reqwest::StatusCode;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::ingest_flow::trigger;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_appears_as_a_card_and_is_acknowledged_noted_and_resolved_from_the_console() {
    for backend in backends() {
        let mut app = TestApp::spawn(backend).await;
        app.console_wait(0, "help").await;

        let mark = app.console_mark();
        app.post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, "disk/db-01", "Disk full on db-01"),
        )
        .await;
        let card = app.console_wait(mark, "!ack 1").await;
        assert!(card.contains("🔥 #1"), "{backend:?}: {card}");
        assert!(card.contains("Disk full on db-01"), "{card}");
        assert!(
            card.contains("CRITICAL") || card.contains("critical"),
            "{card}"
        );

        let mark = app.console_mark();
        app.type_line("ack 1").await;
        let out = app
            .console_wait(mark, "acknowledged by alice (console)")
            .await;
        assert!(out.contains("✔"), "the typist gets a reply: {out}");

        let mark = app.console_mark();
        app.type_line("!note 1 looking at /var/log").await;
        app.console_wait(mark, "note by alice (console)").await;

        let mark = app.console_mark();
        app.type_line("ack 1").await;
        let out = app.console_wait(mark, "already acknowledged").await;
        assert!(out.contains("✖"), "{out}");

        let mark = app.console_mark();
        app.type_line("resolve 1 rotated the logs").await;
        app.console_wait(mark, "resolved by alice (console)").await;

        // Room posts only: the chat page to alice (level 1) is the escalation tests' business.
        let room_posts = |i: &serde_json::Value| -> Vec<serde_json::Value> {
            i["notifications"]
                .as_array()
                .map(|n| {
                    n.iter()
                        .filter(|d| d["method"] == "room")
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        let all_delivered = |i: &serde_json::Value| {
            let posts = room_posts(i);
            posts.len() == 4 && posts.iter().all(|d| !d["delivered_at"].is_null())
        };
        let i = app.api_wait("/api/v1/incidents/1", all_delivered).await;
        assert_eq!(i["incident"]["status"], "resolved");
        assert_eq!(i["incident"]["resolved_via"], "console");
        let kinds: Vec<&str> = i["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .filter(|k| !["escalated", "notified"].contains(k))
            .collect();
        assert_eq!(
            kinds,
            ["triggered", "acknowledged", "note", "resolved"],
            "{backend:?}"
        );
        let last = i["timeline"].as_array().and_then(|t| t.last()).cloned();
        assert_eq!(
            last.unwrap_or_default()["message"],
            "Resolved: rotated the logs"
        );
        let posts = room_posts(&i);
        let kinds: Vec<&str> = posts
            .iter()
            .map(|n| n["notification"]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["incident_opened", "acknowledged", "note", "resolved"],
            "each change posted once, in order"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggering_from_the_console_opens_an_incident_and_mistakes_get_help() {
    for backend in backends() {
        let mut app = TestApp::spawn(backend).await;
        let mark = app.console_mark();
        app.type_line("trigger web checkout is throwing 500s").await;
        app.console_wait(mark, "checkout is throwing 500s").await;
        let (_, list) = app.api_get("/api/v1/incidents").await;
        assert_eq!(
            list["incidents"][0]["title"], "checkout is throwing 500s",
            "{backend:?}"
        );
        assert_eq!(list["incidents"][0]["service"], "web");

        let mark = app.console_mark();
        app.type_line("akc 1").await;
        // Wait for the answer itself: a page line ("… Ack with `!ack`") may print first.
        let out = app.console_wait(mark, "id you mean").await;
        assert!(out.contains("!ack"), "{out}");

        let mark = app.console_mark();
        app.type_line("ack abc").await;
        let out = app.console_wait(mark, "not an incident number").await;
        assert!(out.contains("!ack"), "the usage is shown: {out}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_text_cannot_drive_the_terminal() {
    let app = TestApp::spawn(firebell_tests::Backend::Sqlite).await;
    let mark = app.console_mark();
    let (s, _) = app
        .post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, "evil", "boom\u{1b}[2J\u{1b}]0;pwned\u{7} done"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let card = app.console_wait(mark, "!ack 1").await;
    assert!(
        !card.contains('\u{1b}'),
        "no raw escape reaches the terminal: {card:?}"
    );
    assert!(!card.contains('\u{7}'), "no bell: {card:?}");
    assert!(card.contains("done"), "{card}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_incidents_and_posts_what_was_committed_but_not_yet_delivered() {
    for backend in backends() {
        // A process that committed an incident and died before its chat post went out: an engine
        // with no outbox worker, stopped right after the commit.
        let db = TestDb::new(backend).await;
        let clock = ManualClock::new(firebell_tests::t0());
        let cancel = CancellationToken::new();
        let (engine, writers) = Engine::start(
            db.store().await,
            Arc::new(fixtures::config()),
            Arc::new(clock.clone()),
            cancel.clone(),
        );
        let service = engine.config().service("web").unwrap().name.clone();
        let payload = TriggerPayload {
            summary: "survives restarts".into(),
            source: None,
            severity: Severity::Critical,
            timestamp: None,
            details: json!({}),
        };
        let alert = NewAlert {
            service,
            kind: AlertKind::Trigger {
                dedup_key: Some(DedupKey::parse("r").unwrap()),
                payload,
            },
            actor: Actor::new("test", Channel::Events),
            raw: json!({}),
        };
        engine.ingest(alert).await.expect("committed");
        cancel.cancel();
        for w in writers {
            w.await.unwrap();
        }

        let app = TestApp::spawn_on(db, clock).await;
        app.console_wait(0, "survives restarts").await;
        let (s, body) = app
            .api_post(
                "/api/v1/incidents/1/acknowledge",
                Some(&json!({"note": "after restart"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend:?}: {body}");
        let (s, _) = app
            .post_json("/v2/enqueue", &trigger(WEB_KEY, "r", "again"))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        let (_, i) = app.api_get("/api/v1/incidents/1").await;
        assert_eq!(
            i["incident"]["alert_count"], 2,
            "dedup state survived the restart"
        );

        let app = app.restart().await;
        let (_, i) = app.api_get("/api/v1/incidents/1").await;
        assert_eq!(
            i["incident"]["status"], "acknowledged",
            "{backend:?}: survived a second, orderly restart"
        );
        let posts = i["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["method"] == "room" && n["notification"]["kind"] != "alerts_added")
            .count();
        assert_eq!(
            posts, 3,
            "opened, acknowledged, note — nothing posted twice: {i}"
        );
        app.stop().await;
    }
}

/// The console prints every room's cards, so `ack all` typed there covers every room; by number
/// it answers without naming rooms, since the console is every room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_every_room_so_ack_all_there_acknowledges_every_rooms_incidents() {
    for backend in backends() {
        let config = firebell::Loaded::parse(
            &fixtures::config_toml_two_rooms(),
            "two-rooms.toml",
            &|_| None,
        )
        .expect("valid");
        let mut app = TestApp::spawn_with(backend, config).await;
        app.console_wait(0, "help").await;
        let mark = app.console_mark();
        app.post_json(
            "/v2/enqueue",
            &trigger(WEB_KEY, "checkout", "Checkout 500s"),
        )
        .await; // #1 web → ops
        app.post_json(
            "/v2/enqueue",
            &trigger(fixtures::DB_KEY, "replication", "Replication lag"),
        )
        .await; // #2 db → data
        app.console_wait(mark, "Replication lag").await;

        let mark = app.console_mark();
        app.type_line("ack all").await;

        let out = app
            .console_wait(mark, "acknowledged — Replication lag")
            .await;
        assert!(out.contains("acknowledged — Checkout 500s"), "{out}");
        assert!(!out.contains("posted in"), "{out}");
        for n in [1, 2] {
            let (_, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
            assert_eq!(
                body["incident"]["status"], "acknowledged",
                "{backend:?}: #{n}"
            );
        }
        app.stop().await;
    }
}
