//! The engine's outbound port and the worker that drives it. Adapters (console, Slack, Discord, …)
//! implement [`Notifier`]; the worker claims outbox rows, hands each to the notifier with the
//! incident's current state, and records the delivery, retrying with exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

use crate::clock::to_micros;
use crate::config::{Room, User};
use crate::engine::Engine;
use crate::ids::IncidentNumber;
use crate::incident::Incident;
use crate::kinds::ContactMethod;
use crate::store::outbox;

pub use crate::store::outbox::{MaintenancePhase, Notification};

/// One notification ready to go out.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub outbox_id: i64,
    /// The room the post goes to, or — for a row addressed to a person — the incident's room.
    pub room: Room,
    /// `None`: a post to `room`. `Some`: a page or notice to one person by one method (a chat
    /// mention goes to `room`, naming the person).
    pub recipient: Option<Recipient>,
    /// The incident as it is now (not as it was when the row was written).
    pub incident: Option<Incident>,
    pub notification: Notification,
    /// 1 for the first try.
    pub attempt: i64,
}

#[derive(Debug, Clone)]
pub struct Recipient {
    pub user: User,
    pub method: ContactMethod,
}

/// A successful delivery, with the platform's id for the message if it has one (Slack `ts`,
/// Twilio `SM…`), which provider carried it, and anything the timeline should say about how
/// ("Twilio failed: HTTP 500; sent through Vonage").
#[derive(Debug, Clone, Default)]
pub struct Delivered {
    pub external_ref: Option<String>,
    pub provider: Option<String>,
    pub note: Option<String>,
}

/// Why a delivery failed, and whether trying again could help.
#[derive(Debug, Clone)]
pub struct NotifyError {
    pub retryable: bool,
    pub message: String,
}

impl NotifyError {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            message: message.into(),
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            message: message.into(),
        }
    }
}

#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError>;
}

/// Retry policy: 1 s, 2 s, 4 s … capped at 5 minutes, for up to `MAX_ATTEMPTS` tries (about eight
/// hours), so a chat outage of an afternoon loses no post.
pub const MAX_ATTEMPTS: i64 = 100;
const MAX_BACKOFF_SECS: i64 = 300;
/// How long a claimed row stays ours before another worker may take it over.
const LEASE: Duration = Duration::from_secs(60);
/// How often the worker looks for due rows when nobody nudges it.
const POLL: Duration = Duration::from_millis(500);

/// Backoff before attempt `attempts + 1`, in seconds.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    (1_i64 << exp).min(MAX_BACKOFF_SECS)
}

/// Which outbox rows a worker takes. Chat posts and direct pages run in separate workers, so a
/// chat platform that is slow or down never holds up an SMS, a call or an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    All,
    /// Room posts and chat mentions.
    Chat,
    /// SMS, calls and email to a person.
    Direct,
    /// Outbound webhooks (`[webhooks.NAME]`): a receiver that hangs or fails holds up neither
    /// pages nor chat. Claimed a few rows at a time ([`claim_size`]); run several workers for
    /// parallel deliveries.
    Hooks,
}

/// Wakes the outbox workers after a commit that queued rows: every lane's worker, each with its
/// own permit, so a nudge is never taken by the wrong worker.
#[derive(Debug, Default)]
pub struct OutboxNudge {
    chat: tokio::sync::Notify,
    direct: tokio::sync::Notify,
    hooks: tokio::sync::Notify,
    /// Set when a transaction wrote webhook rows. The webhook workers are woken only then (or by
    /// their poll): waking them after every commit would add a claim — a write transaction —
    /// to every ingest batch of an alert storm that causes no webhook at all.
    hooks_queued: std::sync::atomic::AtomicBool,
}

impl OutboxNudge {
    pub fn notify_one(&self) {
        self.chat.notify_one();
        self.direct.notify_one();
        if self
            .hooks_queued
            .swap(false, std::sync::atomic::Ordering::AcqRel)
        {
            self.hooks.notify_one();
        }
    }

    /// Webhook rows are being written: the next [`notify_one`](Self::notify_one), after the
    /// commit, wakes a webhook worker too.
    pub(crate) fn hooks_queued(&self) {
        self.hooks_queued
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Waits for the next nudge meant for `lane`'s worker.
    pub async fn notified(&self, lane: Lane) {
        match lane {
            Lane::Chat => self.chat.notified().await,
            Lane::Hooks => self.hooks.notified().await,
            Lane::Direct | Lane::All => self.direct.notified().await,
        }
    }
}

/// Delivers outbox rows until `cancel` fires.
pub async fn run_outbox_worker(
    engine: Engine,
    notifier: Arc<dyn Notifier>,
    cancel: CancellationToken,
) {
    run_outbox_lane(engine, notifier, Lane::All, cancel).await
}

/// Delivers the outbox rows of one lane until `cancel` fires.
pub async fn run_outbox_lane(
    engine: Engine,
    notifier: Arc<dyn Notifier>,
    lane: Lane,
    cancel: CancellationToken,
) {
    let nudge = engine.outbox_nudge();
    loop {
        let delivered = match deliver_due_in(&engine, notifier.as_ref(), lane).await {
            Ok(n) => n,
            Err(e) => {
                error!(error = %e, "outbox worker: database error");
                0
            }
        };
        if delivered > 0 {
            continue;
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return,
            _ = nudge.notified(lane) => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Rows a worker claims at once. Webhook rows are delivered one after another and each may take
/// its subscription's whole `timeout`: a claim holds no more than can all time out within half
/// the lease, so no row is claimed by a second worker while the first still works on it.
pub fn claim_size(engine: &Engine, lane: Lane) -> i64 {
    if lane != Lane::Hooks {
        return 32;
    }
    let slowest = engine
        .config()
        .webhooks
        .values()
        .map(|w| w.timeout.as_secs().max(1))
        .max()
        .unwrap_or(1);
    i64::try_from((LEASE.as_secs() / 2 / slowest).clamp(1, 32)).unwrap_or(1)
}

/// Claims and delivers one batch of due rows; returns how many were claimed.
pub async fn deliver_due(engine: &Engine, notifier: &dyn Notifier) -> Result<usize, sqlx::Error> {
    deliver_due_in(engine, notifier, Lane::All).await
}

/// [`deliver_due`] for one lane.
pub async fn deliver_due_in(
    engine: &Engine,
    notifier: &dyn Notifier,
    lane: Lane,
) -> Result<usize, sqlx::Error> {
    let store = engine.store();
    let now = to_micros(engine.clock().now());
    let limit = claim_size(engine, lane);
    let rows = outbox::claim(store, now, LEASE.as_micros() as i64, limit, lane).await?;
    let claimed = rows.len();
    for row in rows {
        let notification: Notification = match serde_json::from_str(&row.notification) {
            Ok(n) => n,
            Err(e) => {
                outbox::mark_failed(
                    store,
                    row.id,
                    &format!("unreadable notification: {e}"),
                    None,
                    now,
                )
                .await?;
                continue;
            }
        };
        let Some(room) = engine.config().rooms.get(&row.room).cloned() else {
            let msg = format!("room `{}` is no longer configured", row.room);
            outbox::mark_failed(store, row.id, &msg, None, now).await?;
            continue;
        };
        // A webhook row names its subscription, not a person; its retry budget is the
        // subscription's own.
        let mut budget = MAX_ATTEMPTS;
        if row.method == "hook" {
            let name = row.recipient.as_deref().unwrap_or_default();
            let Some(hook) = engine.config().webhooks.get(name) else {
                let msg = format!("webhook `{name}` is no longer configured");
                outbox::mark_failed(store, row.id, &msg, None, now).await?;
                continue;
            };
            budget = i64::from(hook.max_attempts);
        }
        let recipient = match (&row.recipient, row.method.parse::<ContactMethod>()) {
            (None, _) => None,
            (Some(_), Err(_)) if row.method == "hook" => None,
            (Some(user), Ok(method)) => match engine.config().user(user) {
                Some(u) => Some(Recipient {
                    user: u.clone(),
                    method,
                }),
                None => {
                    let msg = format!("user `{user}` is no longer configured");
                    outbox::mark_failed(store, row.id, &msg, None, now).await?;
                    continue;
                }
            },
            (Some(_), Err(e)) => {
                outbox::mark_failed(store, row.id, e.message(), None, now).await?;
                continue;
            }
        };
        let incident = match row.incident_id {
            Some(id) => engine.incident(IncidentNumber::from_db(id)).await.ok(),
            None => None,
        };
        let msg = Outgoing {
            outbox_id: row.id,
            room,
            recipient,
            incident,
            notification,
            attempt: row.attempts,
        };
        let done = to_micros(engine.clock().now());
        match notifier.deliver(&msg).await {
            Ok(d) => {
                debug!(outbox = row.id, "delivered");
                let note = crate::escalation::wording::delivered(&msg, &d);
                outbox::mark_delivered(store, row.id, &d, note, done).await?;
                if let (Notification::AlertsAdded, Some(incident)) =
                    (&msg.notification, row.incident_id)
                {
                    outbox::coalesce(store, row.id, incident, &row.notification, done).await?;
                }
            }
            Err(e) if e.retryable && row.attempts < budget => {
                let retry_at = done + backoff_secs(row.attempts) * 1_000_000;
                warn!(outbox = row.id, attempt = row.attempts, error = %e.message, "delivery failed; will retry");
                outbox::mark_failed(store, row.id, &e.message, Some(retry_at), done).await?;
            }
            Err(e) => {
                error!(outbox = row.id, attempt = row.attempts, error = %e.message, "delivery failed; giving up");
                let note = match &msg.notification {
                    Notification::Webhook { .. } => {
                        crate::webhooks::wording::gave_up(&msg, &e.message, e.retryable)
                    }
                    _ => crate::escalation::wording::gave_up(&msg, &e.message),
                };
                outbox::mark_gave_up(store, row.id, &e.message, note, done).await?;
            }
        }
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_from_one_second_up_to_five_minutes() {
        let got: Vec<i64> = (1..=11).map(backoff_secs).collect();
        assert_eq!(got, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff_secs(1000), 300);
    }
}
