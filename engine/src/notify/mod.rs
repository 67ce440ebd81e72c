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
pub(crate) mod hook_wording;
pub(crate) mod wording;
mod worker;

pub use worker::{claim_size, deliver_due, deliver_due_in, run_outbox_lane, run_outbox_worker};

use std::time::Duration;

use async_trait::async_trait;

use crate::config::{Room, User};
use crate::domain::incident::Incident;
use crate::domain::kinds::ContactMethod;

pub use crate::domain::notification::{
    Delivered, Lane, MAX_ATTEMPTS, MaintenancePhase, Notification,
};
pub use crate::store::nudge::OutboxNudge;

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
