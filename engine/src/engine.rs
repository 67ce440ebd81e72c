//! The engine's inbound API: what adapters and chat commands call. Cheap to clone.

use std::sync::Arc;

use tokio::sync::{Notify, oneshot};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::Clock;
use crate::domain::error::EngineError;
use crate::domain::ids::ServiceName;
use crate::ingest::{self, Job};
use crate::store::Store;

mod actions;
mod deliveries;
mod records;

pub use actions::MAX_NOTE_CHARS;
pub use deliveries::Delivery;
pub use records::{AlertLogEntry, ChangeEvent, RecordedChange, Stats, human_ago};

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: Arc<Config>,
    queues: ingest::Queues,
    writer_health: ingest::WriterHealth,
    outbox_nudge: Arc<crate::store::nudge::OutboxNudge>,
    timer_nudge: Arc<Notify>,
    /// Webhook subscriptions, for the transactions that queue incident events.
    hooks: crate::store::hooks::Hooks,
}

impl Engine {
    /// Starts the ingest writers. They stop, after committing everything already accepted, when
    /// `cancel` fires; await the returned handles to know they are done.
    pub fn start(
        store: Store,
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
        cancel: CancellationToken,
    ) -> (Engine, Vec<tokio::task::JoinHandle<()>>) {
        let outbox_nudge = Arc::new(crate::store::nudge::OutboxNudge::default());
        let timer_nudge = Arc::new(Notify::new());
        let writers = if store.is_postgres() { 4 } else { 1 };
        let committed = ingest::Committed {
            outbox: outbox_nudge.clone(),
            timer: timer_nudge.clone(),
        };
        let hooks = crate::store::hooks::Hooks::new(&config, &outbox_nudge);
        let (queues, writer_health, handles) = ingest::spawn_writers(
            writers,
            store.clone(),
            clock.clone(),
            committed,
            hooks.clone(),
            cancel,
        );
        let inner = Inner {
            store,
            clock,
            config,
            queues,
            writer_health,
            outbox_nudge,
            timer_nudge,
            hooks,
        };
        (
            Engine {
                inner: Arc::new(inner),
            },
            handles,
        )
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The ingest queues (numbered from 1) that have no running writer right now, and how many
    /// queues there are. Events sent to such a queue wait until its writer is restarted; `/readyz`
    /// reports not ready meanwhile.
    pub fn ingest_writers_down(&self) -> (Vec<usize>, usize) {
        self.inner.writer_health.not_running()
    }

    /// Test support: the next batch an ingest writer takes makes it panic, as a bug would.
    #[doc(hidden)]
    pub fn crash_next_ingest_batch(&self) {
        self.inner.writer_health.crash_next_batch();
    }

    /// Webhook subscriptions, for a transaction's [`Pending`] (empty: none configured).
    pub(crate) fn hooks(&self) -> &crate::store::hooks::Hooks {
        &self.inner.hooks
    }

    /// Wakes the outbox worker (after a commit that queued notifications).
    pub fn outbox_nudge(&self) -> Arc<crate::store::nudge::OutboxNudge> {
        self.inner.outbox_nudge.clone()
    }

    /// Wakes the timer worker (after the clock moved, or a change that may make a step due now).
    pub fn timer_nudge(&self) -> Arc<Notify> {
        self.inner.timer_nudge.clone()
    }

    /// Wakes both workers: something was committed that they may have to act on.
    pub(crate) fn nudge_workers(&self) {
        self.inner.outbox_nudge.notify_one();
        self.inner.timer_nudge.notify_one();
    }

    pub(crate) fn room_of(&self, service: &ServiceName) -> Result<String, EngineError> {
        self.config()
            .services
            .get(service)
            .map(|s| s.room.clone())
            .ok_or_else(|| EngineError::user(format!("unknown service `{service}`")))
    }

    /// Applies one event durably: returns only after it is committed.
    #[tracing::instrument(skip_all, fields(service = %alert.service))]
    pub async fn ingest(&self, alert: NewAlert) -> Result<Ingested, EngineError> {
        self.ingest_many(vec![alert])
            .await
            .pop()
            .unwrap_or(Err(EngineError::Unavailable))
    }

    /// Applies several events in order, queued together so they share one commit where possible.
    pub async fn ingest_many(&self, alerts: Vec<NewAlert>) -> Vec<Result<Ingested, EngineError>> {
        let mut waiting = Vec::with_capacity(alerts.len());
        for mut alert in alerts {
            let queued = match self.room_of(&alert.service) {
                Ok(room) => {
                    let (reply, rx) = oneshot::channel();
                    let key = alert.ensure_dedup_key();
                    let queue = self
                        .inner
                        .queues
                        .for_key(alert.service.as_str(), key.as_str());
                    match queue.send(Job { alert, room, reply }).await {
                        Ok(()) => Ok(rx),
                        Err(_) => Err(EngineError::Unavailable),
                    }
                }
                Err(e) => Err(e),
            };
            waiting.push(queued);
        }
        let mut out = Vec::with_capacity(waiting.len());
        for w in waiting {
            out.push(match w {
                Ok(rx) => rx.await.unwrap_or(Err(EngineError::Unavailable)),
                Err(e) => Err(e),
            });
        }
        out
    }
}
