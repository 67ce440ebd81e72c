//! The engine's inbound port: what adapters, chat commands and the binary call. A thin facade:
//! every verb is one call into its use case (`actions`, `chat`, `oncall`, …) with the shared
//! [`Ctx`]. Cheap to clone.

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::ctx::Ctx;
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::Clock;
use crate::domain::error::EngineError;
use crate::notify::{Lane, Notifier};
use crate::store::Store;

mod chat;
mod incidents;
mod operations;
mod schedules;
mod search;

pub use crate::actions::MAX_NOTE_CHARS;
pub use crate::deliveries::Delivery;
pub use crate::records::{AlertLogEntry, ChangeEvent, RecordedChange, Stats, human_ago};

#[derive(Clone)]
pub struct Engine {
    ctx: Ctx,
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
        let (ctx, handles) = Ctx::start(store, config, clock, cancel);
        (Engine { ctx }, handles)
    }

    pub fn config(&self) -> &Config {
        self.ctx.config()
    }

    pub fn clock(&self) -> &dyn Clock {
        self.ctx.clock()
    }

    pub fn store(&self) -> &Store {
        self.ctx.store()
    }

    /// The ingest queues (numbered from 1) that have no running writer right now, and how many
    /// queues there are. Events sent to such a queue wait until its writer is restarted; `/readyz`
    /// reports not ready meanwhile.
    pub fn ingest_writers_down(&self) -> (Vec<usize>, usize) {
        self.ctx.ingest_writers_down()
    }

    /// Test support: the next batch an ingest writer takes makes it panic, as a bug would.
    #[doc(hidden)]
    pub fn crash_next_ingest_batch(&self) {
        self.ctx.crash_next_ingest_batch()
    }

    /// Wakes the outbox worker (after a commit that queued notifications).
    pub fn outbox_nudge(&self) -> Arc<crate::store::nudge::OutboxNudge> {
        self.ctx.outbox_nudge()
    }

    /// Wakes the timer worker (after the clock moved, or a change that may make a step due now).
    pub fn timer_nudge(&self) -> Arc<Notify> {
        self.ctx.timer_nudge()
    }

    /// Applies one event durably: returns only after it is committed.
    #[tracing::instrument(skip_all, fields(service = %alert.service))]
    pub async fn ingest(&self, alert: NewAlert) -> Result<Ingested, EngineError> {
        self.ctx.ingest(alert).await
    }

    /// Applies several events in order, queued together so they share one commit where possible.
    pub async fn ingest_many(&self, alerts: Vec<NewAlert>) -> Vec<Result<Ingested, EngineError>> {
        self.ctx.ingest_many(alerts).await
    }

    /// Runs the timer worker (level starts, page steps, sweeps) until `cancel` fires.
    pub async fn run_timer_worker(self, cancel: CancellationToken) {
        crate::timer::run_timer_worker(self.ctx, cancel).await
    }

    /// Does everything due now; returns how many rows it acted on (0: nothing was due).
    pub async fn tick(&self) -> Result<usize, EngineError> {
        crate::timer::tick(&self.ctx).await
    }

    /// Delivers outbox rows of every lane until `cancel` fires.
    pub async fn run_outbox_worker(self, notifier: Arc<dyn Notifier>, cancel: CancellationToken) {
        crate::notify::run_outbox_worker(self.ctx, notifier, cancel).await
    }

    /// Delivers the outbox rows of one lane until `cancel` fires.
    pub async fn run_outbox_lane(
        self,
        notifier: Arc<dyn Notifier>,
        lane: Lane,
        cancel: CancellationToken,
    ) {
        crate::notify::run_outbox_lane(self.ctx, notifier, lane, cancel).await
    }

    /// Claims and delivers one batch of due rows; returns how many were claimed.
    pub async fn deliver_due(&self, notifier: &dyn Notifier) -> Result<usize, sqlx::Error> {
        crate::notify::deliver_due(&self.ctx, notifier).await
    }
}
