//! Durable ingest with group commit. Callers hand an alert to the queue and wait; writer tasks take
//! everything queued (up to a cap), apply it in one transaction, commit, and only then answer each
//! caller. Under load one fsync covers hundreds of events; with a single client a batch is one
//! event and nobody waits for a timer.
//!
//! # Layout
//! - `mod.rs`: queues, writers, batching, commit.
//! - `submit`: handing events to their queues and waiting for the commit.
//! - `plan`: what a batch of events does, decided without I/O.
//! - `supervise`: a writer that dies is restarted; which queues have none, for `/readyz`.

mod batch;
mod record;
mod submit;
mod supervise;

pub(crate) use batch::apply_one;
pub(crate) use submit::room_of;

pub(crate) use supervise::WriterHealth;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{error, warn};

use record::record_suppressed;

use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::{Clock, Timestamp};
use crate::domain::error::EngineError;
use crate::domain::kinds::{EventAction, IncidentStatus};
use crate::domain::maintenance::Matcher;
use crate::store::batch::Item;
use crate::store::pending::Pending;
use crate::store::{Store, escalation, maintenance};

/// Most events committed in one transaction.
pub const MAX_BATCH: usize = 512;
/// Queue capacity; senders wait (back-pressure) when it is full.
const QUEUE: usize = 8192;

pub(crate) struct Job {
    pub alert: NewAlert,
    pub room: String,
    pub reply: oneshot::Sender<Result<Ingested, EngineError>>,
}

/// One queue per writer. Events are routed by their (service, dedup key), so events about the
/// same key always go through the same writer and are applied in the order they arrived, while
/// different keys commit in parallel (on PostgreSQL) without ever contending for the same rows.
#[derive(Clone)]
pub(crate) struct Queues {
    senders: Vec<mpsc::Sender<Job>>,
}

impl Queues {
    pub(crate) fn for_key(&self, service: &str, key: &str) -> &mpsc::Sender<Job> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (service, key).hash(&mut h);
        &self.senders[(h.finish() % self.senders.len() as u64) as usize]
    }
}

/// The workers to wake after a commit: the outbox worker (chat posts) and, when the batch opened
/// an incident, the timer worker (its first escalation level is due at once). A batch that only
/// added alerts to open incidents leaves the timer asleep: waking it cost a tick (a dozen
/// statements and a write transaction) per commit, in turn with ingest at SQLite's write gate.
#[derive(Clone)]
pub(crate) struct Committed {
    pub outbox: Arc<crate::store::nudge::OutboxNudge>,
    pub timer: Arc<Notify>,
}

impl Committed {
    fn notify(&self, opened: bool) {
        self.outbox.notify_one();
        if opened {
            self.timer.notify_one();
        }
    }
}

/// Spawns `writers` supervised tasks, each draining its own queue. SQLite wants one (a single
/// writer); PostgreSQL commits batches in parallel. They commit what is queued after `cancel`
/// fires, then stop.
pub(crate) fn spawn_writers(
    writers: usize,
    store: Store,
    clock: Arc<dyn Clock>,
    committed: Committed,
    hooks: crate::store::hooks::Hooks,
    cancel: CancellationToken,
) -> (Queues, WriterHealth, Vec<tokio::task::JoinHandle<()>>) {
    let writers = writers.max(1);
    let health = WriterHealth::new(writers);
    let writer = Writer {
        store,
        clock,
        committed,
        hooks,
        cancel: cancel.clone(),
        health: health.clone(),
    };
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    for index in 0..writers {
        let (tx, rx) = mpsc::channel(QUEUE);
        senders.push(tx);
        let writer = writer.clone();
        let slot = supervise::Slot {
            rx,
            batch: Vec::new(),
        };
        handles.push(tokio::spawn(supervise::supervise(
            index,
            slot,
            health.clone(),
            cancel.clone(),
            move |slot| {
                let writer = writer.clone();
                Box::pin(async move { writer.run(slot).await })
            },
        )));
    }
    (Queues { senders }, health, handles)
}

/// What every writer shares.
#[derive(Clone)]
struct Writer {
    store: Store,
    clock: Arc<dyn Clock>,
    committed: Committed,
    hooks: crate::store::hooks::Hooks,
    cancel: CancellationToken,
    health: WriterHealth,
}

impl Writer {
    /// Drains the slot's queue batch by batch until it is closed and empty.
    async fn run(self, slot: &mut supervise::Slot) {
        loop {
            let first = tokio::select! {
                biased;
                job = slot.rx.recv() => job,
                _ = self.cancel.cancelled() => {
                    // Stop taking new events, but finish everything already accepted.
                    slot.rx.close();
                    slot.rx.recv().await
                }
            };
            let Some(first) = first else { return };
            slot.batch.push(first);
            while slot.batch.len() < MAX_BATCH {
                match slot.rx.try_recv() {
                    Ok(job) => slot.batch.push(job),
                    Err(_) => break,
                }
            }
            self.health.crash_if_asked();
            let opened = commit(
                &self.store,
                &self.hooks,
                self.clock.as_ref(),
                &mut slot.batch,
            )
            .await;
            self.committed.notify(opened);
        }
    }
}

/// Commits `batch` and answers each of its events, leaving it empty; whether it opened an
/// incident.
async fn commit(
    store: &Store,
    hooks: &crate::store::hooks::Hooks,
    clock: &dyn Clock,
    batch: &mut Vec<Job>,
) -> bool {
    let now = Timestamp::from(clock.now());
    let opened = |o: &Ingested| matches!(o, Ingested::Created { .. });
    let mut any_opened = false;
    match apply(store, hooks, batch, now).await {
        Ok(outcomes) => {
            for (job, outcome) in batch.drain(..).zip(outcomes) {
                any_opened |= opened(&outcome);
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) if batch.len() > 1 => {
            // One bad apple must not fail its neighbours: retry each event on its own.
            warn!(error = %e, size = batch.len(), "batch commit failed; retrying events one by one");
            for job in std::mem::take(batch) {
                let result = apply(store, hooks, std::slice::from_ref(&job), now).await;
                let result = result.map(|mut v| v.remove(0)).map_err(|e| {
                    error!(error = %e, "ingest commit failed");
                    EngineError::Batch(e.to_string())
                });
                any_opened |= result.as_ref().is_ok_and(opened);
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            error!(error = %e, "ingest commit failed");
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(EngineError::Batch(e.to_string())));
            }
        }
    }
    any_opened
}

async fn apply(
    store: &Store,
    hooks: &crate::store::hooks::Hooks,
    batch: &[Job],
    now: Timestamp,
) -> Result<Vec<Ingested>, sqlx::Error> {
    let mut tx = store.begin().await?;
    let mut pending = Pending::with_hooks(hooks);
    // Triggers falling under an open maintenance window are recorded and counted, nothing more.
    let windows = if batch
        .iter()
        .any(|j| j.alert.kind.action() == EventAction::Trigger)
    {
        maintenance::active(&mut tx.c(), now).await?
    } else {
        Vec::new()
    };
    let matchers: Vec<(i64, Matcher)> = windows.iter().map(|w| (w.id, w.matcher.clone())).collect();
    let window_of = |j: &Job| {
        matchers
            .iter()
            .find(|(_, m)| m.matches(&j.alert))
            .map(|(id, m)| (*id, m))
    };
    let mut items: Vec<Item<'_>> = Vec::with_capacity(batch.len());
    let mut suppressed: Vec<(usize, Ingested)> = Vec::new();
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for (i, j) in batch.iter().enumerate() {
        let key = j.alert.dedup_key_or_generate();
        match window_of(j) {
            Some((window, matcher)) => {
                *counts.entry(window).or_default() += 1;
                let outcome = record_suppressed(&mut pending, &j.alert, key, window, matcher, now);
                suppressed.push((i, outcome));
            }
            None => items.push(Item {
                alert: &j.alert,
                key,
                room: &j.room,
            }),
        }
    }
    let applied = if items.is_empty() {
        Vec::new()
    } else {
        batch::apply(&mut tx.c(), &mut pending, &items, now).await?
    };
    // Everyone already reached by SMS hears about acknowledges and resolves from monitors too.
    let changes: Vec<(i64, &str, IncidentStatus, &crate::domain::kinds::Actor)> = items
        .iter()
        .zip(&applied)
        .filter_map(|(item, out)| match out {
            Ingested::Acknowledged { number, .. } => Some((
                number.get(),
                item.room,
                IncidentStatus::Acknowledged,
                &item.alert.actor,
            )),
            Ingested::Resolved { number, .. } => Some((
                number.get(),
                item.room,
                IncidentStatus::Resolved,
                &item.alert.actor,
            )),
            _ => None,
        })
        .collect();
    escalation::notify_paged(&mut tx.c(), &mut pending, &changes, now).await?;
    for (window, n) in counts {
        maintenance::count_suppressed(&mut tx.c(), window, n).await?;
    }
    pending.flush(&mut tx.c()).await?;
    tx.commit().await?;
    // Back into the callers' order.
    let mut out = Vec::with_capacity(batch.len());
    let mut applied = applied.into_iter();
    let mut suppressed = suppressed.into_iter().peekable();
    for i in 0..batch.len() {
        match suppressed.peek() {
            Some((at, _)) if *at == i => out.extend(suppressed.next().map(|s| s.1)),
            _ => out.extend(applied.next()),
        }
    }
    Ok(out)
}
