//! The engine's outbound port and the worker that drives it. Adapters (console, Slack, Discord, …)
//! implement [`Notifier`]; the worker claims outbox rows, hands each to the notifier with the
//! incident's current state, and records the delivery, retrying with exponential backoff.
//!
//! # Layout
//! - `mod.rs`: the port ([`Notifier`], [`Outgoing`], [`NotifyError`]), lanes, nudges, backoff.
//! - `worker`: claiming, holding and settling rows: each page is sent only by the holder of its
//!   claim, only while it holds it.
//! - `gate`: whether a row may still go out the moment before it is sent (pages stop at the ack).

pub(crate) mod gate;
mod worker;

pub use worker::{claim_size, deliver_due, deliver_due_in, run_outbox_lane, run_outbox_worker};

use std::time::Duration;

use async_trait::async_trait;

use crate::config::{Room, User};
use crate::incident::Incident;
use crate::kinds::ContactMethod;

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
/// How long a claimed row stays ours without a heartbeat before another worker may take it over.
/// Longer than any one send takes (Twilio then Vonage: 10 s + 10 s; SMTP 20 s; chat 15 s), so a
/// row being sent is never taken over while its worker lives; the heartbeat renews the rest.
const LEASE: Duration = Duration::from_secs(30);
/// How often a worker renews the lease of the rows it still holds.
const HEARTBEAT: Duration = Duration::from_secs(10);
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
