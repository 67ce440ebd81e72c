//! The storage contract: the same tests on SQLite and on PostgreSQL, through the engine's API.
//!
//! Every test listed in `contract_tests!` expands into `<name>::sqlite` and `<name>::postgres`.
//! The PostgreSQL variant runs whenever `DATABASE_URL` is set (and fails loudly if the server is
//! unreachable); without it, it returns at once after a note on stderr. Time comes from a
//! [`ManualClock`], so timestamps are exact and retries become due by moving the clock, never by
//! sleeping.
//!
//! # Layout
//! - `mod.rs`: the `contract_tests!` macro, the [`Harness`] (database + engine + clock), event
//!   builders and the recording [`Recorder`] notifier.
//! - `incidents`: trigger, numbering and dedup.
//! - `by_key`: acknowledge/resolve events from monitors (dedup keys).
//! - `by_number`: people acting on incident numbers, and the timeline.
//! - `outbox`: transactional outbox rows and their delivery.
//! - `replicas`: two engines on one database, and group commit under concurrency.
//! - `lifecycle`: restart durability, shutdown, stats, change events.
//! - `escalation`: the paging ladder on a manual clock, restarts and replicas mid-ladder,
//!   maintenance, ack timeouts, handoffs.
//! - `reports`: the manager summary's figures over a played history.
//! - `retention`: replay ids and mail log rows forgotten on time, in bounded batches.

mod by_key;
mod by_number;
mod escalation;
mod incidents;
mod lifecycle;
mod outbox;
mod replicas;
mod reports;
mod retention;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use firebell_engine::{
    Actor, AlertKind, Channel, DedupKey, Engine, EngineError, Incident, IncidentNumber,
    IncidentStatus, Ingested, ManualClock, NewAlert, ServiceName, Severity, TriggerPayload,
};
use firebell_tests::{Backend, TestDb, backends, fixtures};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// For each `async fn name(backend: Backend)` listed, generates the tests `name::sqlite` and
/// `name::postgres` (attributes such as `#[ignore]` apply to both).
macro_rules! contract_tests {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        $(
            mod $name {
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::store_contract::Backend::Sqlite).await
                }

                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::store_contract::postgres_requested() {
                        super::$name($crate::store_contract::Backend::Postgres).await
                    }
                }
            }
        )*
    };
}
use contract_tests;

/// True when `DATABASE_URL` is set; then the PostgreSQL variants must run (and pass).
pub fn postgres_requested() -> bool {
    backends().contains(&Backend::Postgres)
}

/// Where every test's clock starts: a Monday morning.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .expect("valid time")
        .to_utc()
}

/// A fresh database with one engine on it (more on demand), all reading one manual clock.
pub struct Harness {
    pub engine: Engine,
    pub clock: ManualClock,
    config: Arc<firebell_engine::Config>,
    cancel: CancellationToken,
    writers: Vec<JoinHandle<()>>,
    /// Last, so the database is dropped after the engines that use it.
    pub db: TestDb,
}

impl Harness {
    pub async fn start(backend: Backend) -> Harness {
        Self::start_with(backend, fixtures::config(), t0()).await
    }

    /// A harness with its own configuration and start time.
    pub async fn start_with(
        backend: Backend,
        config: firebell_engine::Config,
        at: DateTime<Utc>,
    ) -> Harness {
        let db = TestDb::new(backend).await;
        let clock = ManualClock::new(at);
        let cancel = CancellationToken::new();
        let config = Arc::new(config);
        let (engine, writers) = start_engine(&db, &clock, &cancel, &config).await;
        Harness {
            engine,
            clock,
            config,
            cancel,
            writers,
            db,
        }
    }

    /// Another engine on its own pool of the same database, as a second replica would be.
    pub async fn replica(&mut self) -> Engine {
        let (engine, writers) =
            start_engine(&self.db, &self.clock, &self.cancel, &self.config).await;
        self.writers.extend(writers);
        engine
    }

    /// What `main` does at shutdown: cancel, then wait until the writers have committed
    /// everything they accepted.
    pub async fn shut_down(&mut self) {
        self.cancel.cancel();
        for writer in self.writers.drain(..) {
            writer.await.expect("an ingest writer panicked");
        }
    }

    /// Shuts down, closes the pool, and starts a new engine on a new pool of the same database.
    pub async fn restart(&mut self) {
        self.shut_down().await;
        self.engine.store().close().await;
        self.cancel = CancellationToken::new();
        let (engine, writers) =
            start_engine(&self.db, &self.clock, &self.cancel, &self.config).await;
        self.engine = engine;
        self.writers = writers;
    }

    /// Moves the shared clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn now(&self) -> DateTime<Utc> {
        firebell_engine::Clock::now(&self.clock)
    }
}

async fn start_engine(
    db: &TestDb,
    clock: &ManualClock,
    cancel: &CancellationToken,
    config: &Arc<firebell_engine::Config>,
) -> (Engine, Vec<JoinHandle<()>>) {
    let store = db.store().await;
    Engine::start(
        store,
        config.clone(),
        Arc::new(clock.clone()),
        cancel.clone(),
    )
}

/// The name of a configured service (`web` or `db` in the fixture).
pub fn service(name: &str) -> ServiceName {
    fixtures::config()
        .service(name)
        .unwrap_or_else(|| panic!("no service `{name}` in the fixture"))
        .name
        .clone()
}

pub fn key(k: &str) -> DedupKey {
    DedupKey::parse(k).expect("valid dedup key")
}

pub fn number(n: i64) -> IncidentNumber {
    IncidentNumber::parse(&n.to_string()).expect("valid incident number")
}

/// The monitor that sends every event in these tests.
pub fn monitor() -> Actor {
    Actor::new("Prometheus", Channel::Events)
}

pub fn alice() -> Actor {
    Actor::new("alice", Channel::Slack)
}

pub fn bob() -> Actor {
    Actor::new("bob", Channel::Discord)
}

pub fn payload(summary: &str) -> TriggerPayload {
    TriggerPayload {
        summary: summary.to_owned(),
        source: Some("web-01".to_owned()),
        severity: Severity::Critical,
        timestamp: None,
        details: json!({ "custom_details": { "free_disk": "2%" }, "component": "nginx" }),
    }
}

fn event(svc: &str, kind: AlertKind) -> NewAlert {
    NewAlert {
        service: service(svc),
        kind,
        actor: monitor(),
        raw: json!({ "routing_key": svc }),
    }
}

pub fn trigger(svc: &str, k: &str, summary: &str) -> NewAlert {
    event(
        svc,
        AlertKind::Trigger {
            dedup_key: Some(key(k)),
            payload: payload(summary),
        },
    )
}

pub fn trigger_without_key(svc: &str, summary: &str) -> NewAlert {
    event(
        svc,
        AlertKind::Trigger {
            dedup_key: None,
            payload: payload(summary),
        },
    )
}

pub fn ack_event(svc: &str, k: &str) -> NewAlert {
    event(svc, AlertKind::Acknowledge { dedup_key: key(k) })
}

pub fn resolve_event(svc: &str, k: &str) -> NewAlert {
    event(svc, AlertKind::Resolve { dedup_key: key(k) })
}

/// Triggers `k` on `svc` and returns the number of the incident it opened.
pub async fn open(engine: &Engine, svc: &str, k: &str) -> IncidentNumber {
    match engine
        .ingest(trigger(svc, k, &format!("{k} is failing")))
        .await
    {
        Ok(Ingested::Created { number, .. }) => number,
        other => panic!("expected a new incident for `{k}`, got {other:?}"),
    }
}

pub async fn incident(engine: &Engine, n: IncidentNumber) -> Incident {
    engine
        .incident(n)
        .await
        .unwrap_or_else(|e| panic!("incident {n}: {e}"))
}

/// The notifications queued for an incident, oldest first.
pub async fn queued(engine: &Engine, n: IncidentNumber) -> Vec<Notification> {
    let rows = engine.deliveries(n).await.expect("deliveries");
    rows.into_iter()
        .map(|d| d.notification.expect("readable notification"))
        .collect()
}

/// The message of a `UserError`, or a panic naming what came instead.
pub fn user_error<T: std::fmt::Debug>(result: Result<T, EngineError>) -> String {
    match result {
        Err(EngineError::User(e)) => e.message().to_owned(),
        other => panic!("expected a user error, got {other:?}"),
    }
}

/// What the notifier was handed, and what it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Got {
    pub outbox_id: i64,
    /// For a person-addressed row: whom, and by which method.
    pub to: Option<(String, firebell_engine::ContactMethod)>,
    pub incident: Option<i64>,
    pub status: Option<IncidentStatus>,
    pub notification: Notification,
    pub attempt: i64,
    pub delivered: bool,
}

/// A notifier that records every call and answers from a script (success once the script is empty).
#[derive(Default)]
pub struct Recorder {
    script: Mutex<VecDeque<NotifyError>>,
    got: Mutex<Vec<Got>>,
}

impl Recorder {
    /// The next deliveries fail with these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = NotifyError>) {
        self.script.lock().expect("script").extend(errors);
    }

    /// Every call, in order.
    pub fn calls(&self) -> Vec<Got> {
        self.got.lock().expect("got").clone()
    }

    /// The successful calls, in order.
    pub fn delivered(&self) -> Vec<Got> {
        self.calls().into_iter().filter(|g| g.delivered).collect()
    }
}

impl Notifier for Recorder {
    // `Notifier` is an `#[async_trait]`; this is the signature the macro would generate.
    fn deliver<'a, 'b, 'f>(
        &'a self,
        msg: &'b Outgoing,
    ) -> Pin<Box<dyn Future<Output = Result<Delivered, NotifyError>> + Send + 'f>>
    where
        'a: 'f,
        'b: 'f,
        Self: 'f,
    {
        let failure = self.script.lock().expect("script").pop_front();
        self.got.lock().expect("got").push(Got {
            outbox_id: msg.outbox_id,
            to: msg
                .recipient
                .as_ref()
                .map(|r| (r.user.id.as_str().to_owned(), r.method)),
            incident: msg.incident.as_ref().map(|i| i.number.get()),
            status: msg.incident.as_ref().map(|i| i.status),
            notification: msg.notification.clone(),
            attempt: msg.attempt,
            delivered: failure.is_none(),
        });
        let result = match failure {
            Some(e) => Err(e),
            None => Ok(Delivered {
                external_ref: Some(format!("msg-{}", msg.outbox_id)),
                provider: msg.recipient.as_ref().map(|_| "recorder".to_owned()),
                note: None,
            }),
        };
        Box::pin(std::future::ready(result))
    }
}
