//! Outbound webhooks (`[webhooks.NAME]`): incident changes delivered as JSON in the shape of
//! PagerDuty's v3 webhooks, so status lamps, dashboards and ticketing tools can follow incidents.
//!
//! A change and its webhook rows are one transaction: while a change's outbox rows are collected
//! ([`Pending`](crate::store::pending::Pending)), each room post that is also a webhook event
//! (opened, acknowledged, escalated, …) is noted as a [`HookEvent`]; just before commit the store
//! reads the changed incidents once and writes one outbox row per matching subscription, holding
//! the exact request body ([`payload::render`]). The body, its event id and `occurred_at` are fixed
//! there, so a retry sends the same bytes. Rows go out on their own outbox lane
//! ([`Lane::Hooks`](crate::notify::Lane)), so a slow or dead receiver never holds up a page or a
//! chat post; an adapter signs and sends them.
//!
//! # Layout
//! - `mod.rs`: event types, [`HookEvent`], and [`Hooks`] (whether to look for events at all).
//! - `payload`: the request body, from an event and the incident (pure).
//! - `wording`: what the timeline says when a webhook is given up.

pub mod payload;
pub(crate) mod wording;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::config::Config;
use crate::kinds::Actor;
use crate::notify::{Notification, OutboxNudge};

/// The incident events a subscription can ask for, with PagerDuty's v3 names. firebell never
/// reopens a resolved incident, so there is no `incident.reopened`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    Triggered,
    Acknowledged,
    /// An acknowledged incident went back to triggered (the service's ack timeout ran out).
    Unacknowledged,
    Escalated,
    Resolved,
    /// A note was added.
    Annotated,
}

impl EventType {
    pub const ALL: &'static [EventType] = &[
        EventType::Triggered,
        EventType::Acknowledged,
        EventType::Unacknowledged,
        EventType::Escalated,
        EventType::Resolved,
        EventType::Annotated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Triggered => "incident.triggered",
            EventType::Acknowledged => "incident.acknowledged",
            EventType::Unacknowledged => "incident.unacknowledged",
            EventType::Escalated => "incident.escalated",
            EventType::Resolved => "incident.resolved",
            EventType::Annotated => "incident.annotated",
        }
    }

    /// The webhook event a room post stands for, if any (alert counts, pages, handoffs and
    /// maintenance notices are chat matters, not incident events).
    pub fn of(n: &Notification) -> Option<EventType> {
        Some(match n {
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

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        EventType::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
                format!("unknown event `{s}` — expected one of: {}", all.join(", "))
            })
    }
}

/// One incident change that subscriptions may want, noted while its transaction is built.
#[derive(Debug, Clone, PartialEq)]
pub struct HookEvent {
    pub incident_id: i64,
    /// The room its post goes to (the outbox row needs one; it is the service's room).
    pub room: String,
    pub event: EventType,
    /// Who did it; `None` for firebell itself (an escalation timer).
    pub actor: Option<Actor>,
    /// The note, for `incident.annotated`.
    pub note: Option<String>,
    /// Who an escalation paged (user ids), for `incident.escalated`.
    pub paged: Vec<String>,
    /// When (microseconds): the event's `occurred_at`.
    pub at: i64,
}

impl HookEvent {
    /// The event a room post stands for, or `None`. `opener` is who triggered the incident (the
    /// "opened" post does not carry it; the timeline entry written beside it does).
    pub fn from_post(
        room: &str,
        incident_id: Option<i64>,
        n: &Notification,
        opener: Option<Actor>,
        at: i64,
    ) -> Option<HookEvent> {
        let event = EventType::of(n)?;
        let (actor, note, paged) = match n {
            Notification::Acknowledged { actor } => (Some(actor.clone()), None, Vec::new()),
            Notification::Resolved { actor, .. } => (Some(actor.clone()), None, Vec::new()),
            Notification::Note { actor, text } => {
                (Some(actor.clone()), Some(text.clone()), Vec::new())
            }
            Notification::Escalated { actor, users, .. } => (actor.clone(), None, users.clone()),
            Notification::IncidentOpened => (opener, None, Vec::new()),
            _ => (None, None, Vec::new()),
        };
        Some(HookEvent {
            incident_id: incident_id?,
            room: room.to_owned(),
            event,
            actor,
            note,
            paged,
            at,
        })
    }
}

/// Whether transactions should look for webhook events, the config to render them with, and the
/// nudge that wakes the webhook workers: empty when no subscription is configured, so an
/// installation without webhooks pays nothing.
#[derive(Clone, Default)]
pub(crate) struct Hooks(Option<(Arc<Config>, Arc<OutboxNudge>)>);

impl Hooks {
    pub(crate) fn new(config: &Arc<Config>, nudge: &Arc<OutboxNudge>) -> Hooks {
        Hooks((!config.webhooks.is_empty()).then(|| (config.clone(), nudge.clone())))
    }

    pub(crate) fn config(&self) -> Option<&Config> {
        self.0.as_ref().map(|(c, _)| c.as_ref())
    }

    /// Webhook rows are in the transaction about to commit.
    pub(crate) fn queued(&self) {
        if let Some((_, nudge)) = &self.0 {
            nudge.hooks_queued();
        }
    }
}

#[cfg(test)]
mod tests;
