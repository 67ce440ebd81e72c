//! Heartbeats through the engine's API, on SQLite and PostgreSQL: replicas racing to fire or to
//! resolve do each once, a heartbeat removed from the config is ignored, and a miss whose
//! incident was closed (by a person, or held back by maintenance) fires again a period later.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use firebell_engine::duration::HumanDuration;
use firebell_engine::maintenance::{Matcher, WindowRequest};
use firebell_engine::{
    Actor, Channel, Clock, Config, Engine, Incident, IncidentFilter, IncidentStatus, ManualClock,
};
use firebell_tests::fixtures;
use firebell_tests::{Backend, TestDb, backends};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{NIGHTLY_KEY, config};

/// Engines on one database (each with its own pool, as replicas), all reading one manual clock.
struct Rig {
    clock: ManualClock,
    cancel: CancellationToken,
    writers: Vec<JoinHandle<()>>,
    db: TestDb,
}

impl Rig {
    async fn new(backend: Backend) -> Rig {
        Rig {
            clock: ManualClock::new(t0()),
            cancel: CancellationToken::new(),
            writers: Vec::new(),
            db: TestDb::new(backend).await,
        }
    }

    async fn engine(&mut self, config: Config) -> Engine {
        let (engine, writers) = Engine::start(
            self.db.store().await,
            Arc::new(config),
            Arc::new(self.clock.clone()),
            self.cancel.clone(),
        );
        self.writers.extend(writers);
        engine
    }

    async fn stop(mut self) {
        self.cancel.cancel();
        for w in self.writers.drain(..) {
            w.await.expect("writer");
        }
    }
}

fn t0() -> DateTime<Utc> {
    "2026-11-21T03:00:00Z".parse().expect("time")
}

async fn heartbeat_incidents(engine: &Engine) -> Vec<Incident> {
    engine
        .incidents(&IncidentFilter {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_iter()
        .filter(|i| i.dedup_key.as_str() == "heartbeat:backup-nightly")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_ticking_at_once_fire_a_miss_once_and_resolve_it_once() {
    for backend in backends() {
        let mut rig = Rig::new(backend).await;
        let a = rig.engine(config().engine).await;
        let b = rig.engine(config().engine).await;
        a.tick().await.expect("tick"); // starts the watch
        rig.clock.advance(Duration::hours(26));

        for _ in 0..5 {
            let (ra, rb) = tokio::join!(a.tick(), b.tick());
            ra.expect("tick a");
            rb.expect("tick b");
        }
        let open = heartbeat_incidents(&a).await;
        assert_eq!(open.len(), 1, "{backend:?}: {open:#?}");
        assert_eq!(open[0].alert_count, 1, "{backend:?}: fired once");

        let hb = a.config().heartbeat("backup-nightly").expect("hb").clone();
        let (ca, cb) = tokio::join!(a.heartbeat_check_in(&hb), b.heartbeat_check_in(&hb));
        let resolved: Vec<_> = [ca.expect("a"), cb.expect("b")]
            .into_iter()
            .filter_map(|c| c.resolved)
            .collect();
        assert_eq!(resolved, vec![open[0].number], "{backend:?}: resolved once");
        let after = heartbeat_incidents(&b).await;
        assert_eq!(after[0].status, IncidentStatus::Resolved);
        let alerts = a.alert_log(Some("db"), None, 100).await.expect("alert log");
        let resolves = alerts
            .iter()
            .filter(|e| e.dedup_key == "heartbeat:backup-nightly" && e.action == "resolve")
            .count();
        assert_eq!(
            resolves, 1,
            "{backend:?}: only the first check-in sends a resolve"
        );
        rig.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_removed_from_the_config_is_ignored() {
    for backend in backends() {
        let mut rig = Rig::new(backend).await;
        let before = rig.engine(config().engine).await;
        before.tick().await.expect("tick");
        // The same database, started with a config without heartbeats.
        let without = fixtures::config();
        let after = rig.engine(without).await;
        rig.clock.advance(Duration::days(3));
        after.tick().await.expect("tick");
        assert!(heartbeat_incidents(&after).await.is_empty(), "{backend:?}");
        assert!(after.heartbeats().await.expect("list").is_empty());
        assert!(after.config().heartbeat_for_key(NIGHTLY_KEY).is_none());
        rig.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_miss_resolved_by_a_person_while_still_silent_fires_again_a_period_later() {
    for backend in backends() {
        let mut rig = Rig::new(backend).await;
        let engine = rig.engine(config().engine).await;
        engine.tick().await.expect("tick");
        rig.clock.advance(Duration::hours(26));
        engine.tick().await.expect("tick");
        let first = heartbeat_incidents(&engine).await;
        assert_eq!(first.len(), 1, "{backend:?}");
        let alice = Actor::new("alice", Channel::Slack);
        engine
            .resolve(first[0].number, &alice, Some("restarted cron"))
            .await
            .expect("resolve");

        // Still silent: nothing until interval + grace after the first trigger.
        rig.clock.advance(Duration::hours(25));
        engine.tick().await.expect("tick");
        assert_eq!(heartbeat_incidents(&engine).await.len(), 1, "{backend:?}");
        rig.clock.advance(Duration::hours(1));
        engine.tick().await.expect("tick");
        let both = heartbeat_incidents(&engine).await;
        assert_eq!(both.len(), 2, "{backend:?}: {both:#?}");
        let second = both
            .iter()
            .find(|i| i.status == IncidentStatus::Triggered)
            .expect("a new one");
        assert_eq!(
            second.title,
            "backup-nightly has never checked in (watched for 52 h, expected every 24 h)"
        );
        rig.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_miss_during_maintenance_is_held_back_and_fires_again_after_it() {
    for backend in backends() {
        let mut rig = Rig::new(backend).await;
        let engine = rig.engine(config().engine).await;
        engine.tick().await.expect("tick");
        let matcher = Matcher::parse("service:db", engine.config()).expect("matcher");
        let two_days = HumanDuration::parse("2d", Duration::days(7)).expect("duration");
        let ops = Actor::new("alice", Channel::Slack);
        engine
            .start_maintenance(
                WindowRequest {
                    matcher,
                    duration: two_days,
                    reason: Some("migration"),
                    room: None,
                },
                &ops,
            )
            .await
            .expect("maintenance");
        rig.clock.advance(Duration::hours(26));
        engine.tick().await.expect("tick");
        engine.tick().await.expect("tick");
        assert!(heartbeat_incidents(&engine).await.is_empty(), "{backend:?}");
        let log = engine
            .alert_log(Some("db"), Some("suppressed"), 100)
            .await
            .expect("log");
        assert_eq!(log.len(), 1, "{backend:?}: held back once, not every tick");
        let views = engine.heartbeats().await.expect("list");
        let view = views
            .iter()
            .find(|v| v.name == "backup-nightly")
            .expect("listed");
        assert_eq!(view.health.as_str(), "down");
        assert_eq!(view.open_incident, None);

        // The window is long over; a period after the held-back trigger, it fires for real.
        rig.clock.advance(Duration::hours(26));
        engine.tick().await.expect("tick");
        let open = heartbeat_incidents(&engine).await;
        assert_eq!(open.len(), 1, "{backend:?}");
        assert_eq!(rig.clock.now(), t0() + Duration::hours(52));
        rig.stop().await;
    }
}
