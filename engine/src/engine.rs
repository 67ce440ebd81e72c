//! The engine's inbound API: what adapters and chat commands call. Cheap to clone.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::Config;
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::{Clock, from_micros, to_micros};
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::{IncidentNumber, ServiceName};
use crate::domain::incident::{Incident, IncidentFilter, TimelineEntry};
use crate::domain::kinds::{Actor, IncidentStatus};
use crate::ingest::{self, Job};
use crate::store::pending::Pending;
use crate::store::{Store, incidents, outbox, queries};

mod deliveries;

pub use deliveries::Delivery;

/// What a person does to an incident through [`Engine::act`].
#[derive(Clone, Copy)]
enum Action<'a> {
    Acknowledge,
    Resolve(Option<&'a str>),
}

impl Action<'_> {
    fn verb(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::Resolve(_) => "resolve",
        }
    }
}

/// Longest note (and resolve note) accepted, from any channel.
pub const MAX_NOTE_CHARS: usize = 4096;

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

/// A change event (deploy, config change): recorded against its service, never pages.
#[derive(Debug, Clone)]
pub struct ChangeEvent {
    pub service: ServiceName,
    pub summary: String,
    pub source: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedChange {
    pub id: i64,
    pub service: String,
    pub summary: String,
    pub source: Option<String>,
    pub timestamp: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// One entry of the alert log: every event received and what became of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlertLogEntry {
    pub id: i64,
    pub service: String,
    pub dedup_key: String,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub incident: Option<i64>,
    pub actor: String,
    pub channel: String,
    pub received_at: DateTime<Utc>,
}

/// Gauges for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub incidents_by_status: Vec<(IncidentStatus, i64)>,
    pub outbox_depth: i64,
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

    #[tracing::instrument(skip_all, fields(incident = %n))]
    pub async fn acknowledge(
        &self,
        n: IncidentNumber,
        by: &Actor,
    ) -> Result<Incident, EngineError> {
        self.act(n, by, Action::Acknowledge).await
    }

    #[tracing::instrument(skip_all, fields(incident = %n))]
    pub async fn resolve(
        &self,
        n: IncidentNumber,
        by: &Actor,
        note: Option<&str>,
    ) -> Result<Incident, EngineError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(note) = note {
            check_note(note)?;
        }
        self.act(n, by, Action::Resolve(note)).await
    }

    /// A person's guarded change to one incident, with its timeline entry and chat post committed
    /// together; when the guard refuses, says why from the incident's current state.
    async fn act(
        &self,
        n: IncidentNumber,
        by: &Actor,
        action: Action<'_>,
    ) -> Result<Incident, EngineError> {
        let current = self.incident(n).await?;
        let room = self.room_of(&current.service)?;
        let now = to_micros(self.clock().now());
        let mut tx = self.store().begin().await?;
        let mut pending = Pending::with_hooks(self.hooks());
        let changed = match action {
            Action::Acknowledge => {
                incidents::acknowledge(&mut tx.c(), &mut pending, n, by, &room, now).await?
            }
            Action::Resolve(note) => {
                incidents::resolve(&mut tx.c(), &mut pending, n, by, note, &room, now).await?
            }
        };
        if let Some(i) = &changed {
            let changes = [(n.get(), room.as_str(), i.status, by)];
            crate::store::escalation::notify_paged(&mut tx.c(), &mut pending, &changes, now)
                .await?;
        }
        pending.flush(&mut tx.c()).await?;
        tx.commit().await?;
        match changed {
            Some(incident) => {
                info!(incident = %n, by = %by, action = action.verb(), "changed");
                self.nudge_workers();
                Ok(incident)
            }
            None => Err(self.why_not(n, action.verb()).await),
        }
    }

    /// Explains a guarded update that changed nothing, from the incident's current state.
    async fn why_not(&self, n: IncidentNumber, verb: &str) -> EngineError {
        let incident = match self.incident(n).await {
            Ok(i) => i,
            Err(e) => return e,
        };
        let ago = |t: Option<DateTime<Utc>>| {
            t.map(|t| human_ago(self.clock().now() - t))
                .unwrap_or_default()
        };
        let msg = match incident.status {
            IncidentStatus::Resolved => format!(
                "incident {n} is already resolved (by {}{}) — nothing to {verb}",
                incident.resolved_by.as_deref().unwrap_or("someone"),
                ago(incident.resolved_at)
            ),
            IncidentStatus::Acknowledged => format!(
                "incident {n} is already acknowledged (by {}{})",
                incident.acknowledged_by.as_deref().unwrap_or("someone"),
                ago(incident.acknowledged_at)
            ),
            IncidentStatus::Triggered => format!("incident {n} changed while you asked; try again"),
        };
        EngineError::User(UserError::new(msg))
    }

    pub async fn add_note(
        &self,
        n: IncidentNumber,
        by: &Actor,
        text: &str,
    ) -> Result<Incident, EngineError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EngineError::user("a note needs some text"));
        }
        check_note(text)?;
        let incident = self.incident(n).await?;
        let room = self.room_of(&incident.service)?;
        let now = to_micros(self.clock().now());
        let mut pending = Pending::with_hooks(self.hooks());
        incidents::add_note(&mut pending, n, by, text, &room, now)?;
        let mut tx = self.store().begin().await?;
        pending.flush(&mut tx.c()).await?;
        tx.commit().await?;
        self.inner.outbox_nudge.notify_one();
        Ok(incident)
    }

    /// The incident, or `NotFound` with a message for the user.
    pub async fn incident(&self, n: IncidentNumber) -> Result<Incident, EngineError> {
        let mut conn = self.store().conn().await?;
        queries::get(&mut conn.c(), n)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("there is no incident {n}")))
    }

    pub async fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, EngineError> {
        let mut conn = self.store().conn().await?;
        Ok(queries::list(&mut conn.c(), filter).await?)
    }

    pub async fn timeline(&self, n: IncidentNumber) -> Result<Vec<TimelineEntry>, EngineError> {
        let mut conn = self.store().conn().await?;
        Ok(queries::timeline(&mut conn.c(), n).await?)
    }

    pub async fn record_change(&self, change: ChangeEvent) -> Result<i64, EngineError> {
        let now = self.clock().now();
        let happened = to_micros(change.timestamp.unwrap_or(now));
        let mut tx = self.store().begin().await?;
        let id = queries::record_change(
            &mut tx.c(),
            change.service.as_str(),
            &change.summary,
            change.source.as_deref(),
            happened,
            &change.raw,
            to_micros(now),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn changes(
        &self,
        service: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RecordedChange>, EngineError> {
        let mut conn = self.store().conn().await?;
        let rows = queries::changes(&mut conn.c(), service.unwrap_or(""), limit).await?;
        Ok(rows
            .into_iter()
            .map(|r| RecordedChange {
                id: r.id,
                service: r.service,
                summary: r.summary,
                source: r.source,
                timestamp: from_micros(r.happened_at),
                payload: serde_json::from_str(&r.payload).unwrap_or_default(),
            })
            .collect())
    }

    pub async fn alert_log(
        &self,
        service: Option<&str>,
        outcome: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AlertLogEntry>, EngineError> {
        let mut conn = self.store().conn().await?;
        let rows = queries::alert_log(
            &mut conn.c(),
            service.unwrap_or(""),
            outcome.unwrap_or(""),
            limit,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AlertLogEntry {
                id: r.id,
                service: r.service,
                dedup_key: r.dedup_key,
                action: r.action,
                outcome: r.outcome,
                reason: r.reason,
                incident: r.incident_id,
                actor: r.actor,
                channel: r.channel,
                received_at: from_micros(r.received_at),
            })
            .collect())
    }

    pub async fn stats(&self) -> Result<Stats, EngineError> {
        let mut conn = self.store().conn().await?;
        let by_status = queries::count_by_status(&mut conn.c()).await?;
        let outbox_depth = outbox::depth(&mut conn.c()).await?;
        let incidents_by_status = IncidentStatus::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    by_status
                        .iter()
                        .find(|(name, _)| name == s.as_str())
                        .map_or(0, |(_, n)| *n),
                )
            })
            .collect();
        Ok(Stats {
            incidents_by_status,
            outbox_depth,
        })
    }
}

fn check_note(text: &str) -> Result<(), EngineError> {
    let n = text.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(EngineError::user(format!(
            "a note is at most {MAX_NOTE_CHARS} characters (this one has {n}); attach long logs as a link"
        )));
    }
    Ok(())
}

/// ", 3 min ago" style suffix.
pub fn human_ago(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=59 => format!(", {s} s ago"),
        60..=3599 => format!(", {} min ago", s / 60),
        3600..=86_399 => format!(", {} h {} min ago", s / 3600, (s % 3600) / 60),
        _ => format!(", {} d ago", s / 86_400),
    }
}
