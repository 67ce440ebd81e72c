//! What every use case works in: the store, the clock, the config, the ingest queues and the
//! nudges that wake the workers after a commit. Cheap to clone. The inbound API is
//! [`Engine`](crate::engine::Engine), a thin facade over the use cases.

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::Clock;
use crate::domain::error::EngineError;
use crate::domain::ids::ServiceName;
use crate::ingest;
use crate::store::Store;

#[derive(Clone)]
pub struct Ctx {
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

impl Ctx {
    /// Starts the ingest writers. They stop, after committing everything already accepted, when
    /// `cancel` fires; await the returned handles to know they are done.
    pub fn start(
        store: Store,
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
        cancel: CancellationToken,
    ) -> (Ctx, Vec<tokio::task::JoinHandle<()>>) {
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
            Ctx {
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
        ingest::room_of(self.config(), service)
    }

    /// Applies one event durably: returns only after it is committed.
    pub(crate) async fn ingest(&self, alert: NewAlert) -> Result<Ingested, EngineError> {
        self.ingest_many(vec![alert])
            .await
            .pop()
            .unwrap_or(Err(EngineError::Unavailable))
    }

    /// Applies several events in order, queued together so they share one commit where possible.
    pub(crate) async fn ingest_many(
        &self,
        alerts: Vec<NewAlert>,
    ) -> Vec<Result<Ingested, EngineError>> {
        self.inner.queues.submit(self.config(), alerts).await
    }
}
