//! What the outbox carries: the notification a change causes, the lane that delivers it, and
//! what a delivery reports back. Values only: the store writes them, the workers send them.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::clock::Timestamp;
use crate::domain::kinds::{Actor, ContactMethod, EventType, IncidentStatus, Urgency};

/// What happened, as stored in an outbox row. The worker pairs it with the incident's current
/// state at delivery time, so a late delivery never shows stale data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notification {
    IncidentOpened,
    /// More alerts arrived for an open incident (deduplicated): chat cards refresh their alert
    /// count. Queued at most once per incident per ingest batch, and delivering one settles the
    /// copies still waiting behind it, so an alert flood costs one card edit at a time.
    AlertsAdded,
    Acknowledged {
        actor: Actor,
    },
    Resolved {
        actor: Actor,
        note: Option<String>,
    },
    Note {
        actor: Actor,
        text: String,
    },
    /// A person paged for an incident: to the room as a mention (`method` chat), or to the
    /// person by SMS, call or email. `level` is 1-based.
    Paged {
        user: String,
        level: u32,
        urgency: Urgency,
        /// Set on an SMS re-sent through the second provider after the first reported it failed:
        /// the notifier must not use `failover_from` again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failover_from: Option<String>,
        /// The incident's escalation generation when the page was queued. A page is sent only
        /// while the incident is triggered and still in that generation: an ack, a resolve, an
        /// `!escalate` or an ack-timeout re-trigger supersedes every page queued before it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        esc_gen: Option<i64>,
    },
    /// The ladder moved to a new level (by timer, or by `actor` with `!escalate`).
    Escalated {
        actor: Option<Actor>,
        level: u32,
        users: Vec<String>,
    },
    /// Every level ran `repeat + 1` times and nobody acknowledged.
    PolicyExhausted {
        policy: String,
    },
    /// A page by SMS, call or email went out (`failed` is `None`) or could not be delivered:
    /// posted to the incident's room, so its chat thread tells who was reached and how.
    PageSent {
        user: String,
        method: crate::domain::kinds::ContactMethod,
        level: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failed: Option<String>,
    },
    /// A scheduled report digest (`[[reports]]`): the summary of `since..until` as chat text,
    /// and the per-day series its chart is drawn from.
    Digest {
        report: String,
        since: Timestamp,
        until: Timestamp,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chart: Option<serde_json::Value>,
    },
    /// An acknowledged incident was still open after the service's ack timeout.
    Retriggered {
        reason: String,
    },
    /// To someone paged earlier, on the channel they were paged on: the incident changed.
    StatusNotice {
        status: IncidentStatus,
        actor: Actor,
    },
    /// A schedule's on-call person changed.
    Handoff {
        schedule: String,
        from: Option<String>,
        to: Option<String>,
        open_incidents: Vec<i64>,
    },
    Maintenance {
        window: i64,
        phase: MaintenancePhase,
        matcher: String,
        reason: Option<String>,
        by: String,
        ends_at: Timestamp,
        suppressed: i64,
    },
    /// An outbound webhook (`[webhooks.NAME]`, addressed to the subscription): `body` is the
    /// exact request body, rendered when the change committed, so every retry sends the same
    /// bytes; `event_id` is its `event.id` and `X-Webhook-Id`.
    Webhook {
        subscription: String,
        event_id: String,
        event_type: String,
        body: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenancePhase {
    Started,
    EndingSoon,
    Ended,
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
    /// pages nor chat. Claimed a few rows at a time ([`crate::notify::claim_size`]); run several workers for
    /// parallel deliveries.
    Hooks,
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

/// Retry policy: 1 s, 2 s, 4 s … capped at 5 minutes, for up to `MAX_ATTEMPTS` tries (about eight
/// hours), so a chat outage of an afternoon loses no post.
pub const MAX_ATTEMPTS: i64 = 100;

impl Notification {
    /// The webhook event this room post stands for, if any (alert counts, pages, handoffs and
    /// maintenance notices are chat matters, not incident events).
    pub fn event_type(&self) -> Option<EventType> {
        Some(match self {
            Notification::IncidentOpened => EventType::Triggered,
            Notification::Acknowledged { .. } => EventType::Acknowledged,
            Notification::Retriggered { .. } => EventType::Unacknowledged,
            Notification::Escalated { .. } => EventType::Escalated,
            Notification::Resolved { .. } => EventType::Resolved,
            Notification::Note { .. } => EventType::Annotated,
            _ => return None,
        })
    }
}

/// How an outbox row goes out, as its `method` column says: a post to the room, a page or notice
/// to one person by one contact method, or a webhook to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxMethod {
    Room,
    Person(ContactMethod),
    Hook,
}

impl OutboxMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxMethod::Room => "room",
            OutboxMethod::Person(m) => m.as_str(),
            OutboxMethod::Hook => "hook",
        }
    }
}

impl FromStr for OutboxMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "room" => Ok(OutboxMethod::Room),
            "hook" => Ok(OutboxMethod::Hook),
            other => other
                .parse()
                .map(OutboxMethod::Person)
                .map_err(|_| format!("unknown outbox method `{other}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outbox_method_reads_back_as_written() {
        let mut all = vec![OutboxMethod::Room, OutboxMethod::Hook];
        all.extend(ContactMethod::ALL.iter().map(|m| OutboxMethod::Person(*m)));
        for m in all {
            assert_eq!(m.as_str().parse::<OutboxMethod>(), Ok(m));
        }
        assert_eq!(
            "pigeon".parse::<OutboxMethod>(),
            Err("unknown outbox method `pigeon`".to_owned())
        );
    }
}
