//! Outbound webhook events (`[webhooks.NAME]`): incident changes delivered as JSON in the shape of
//! PagerDuty's v3 webhooks, so status lamps, dashboards and ticketing tools can follow incidents.
//!
//! A change and its webhook rows are one transaction: while a change's outbox rows are collected
//! (the store's `Pending`), each room post that is also a webhook event
//! (opened, acknowledged, escalated, …) is noted as a [`HookEvent`]; just before commit the store
//! reads the changed incidents once and writes one outbox row per matching subscription, holding
//! the exact request body ([`payload::render`]). The body, its event id and `occurred_at` are fixed
//! there, so a retry sends the same bytes. Rows go out on their own outbox lane
//! ([`Lane::Hooks`](crate::domain::notification::Lane)), so a slow or dead receiver never holds up a page or a
//! chat post; an adapter signs and sends them.
//!
//! # Layout
//! - `mod.rs`: [`HookEvent`], one change a subscription may want (the event names are
//!   [`crate::domain::kinds::EventType`]).
//! - `payload`: the request body, from an event and the incident.
//!
//! Elsewhere: which subscriptions exist and the nudge that wakes their workers
//! (`store::hooks::Hooks`); what the timeline says when a webhook is given up
//! (`notify::hook_wording`).

pub mod payload;

use crate::domain::clock::Timestamp;
use crate::domain::kinds::{Actor, EventType};
use crate::domain::notification::Notification;

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
    pub at: Timestamp,
}

impl HookEvent {
    /// The event a room post stands for, or `None`. `opener` is who triggered the incident (the
    /// "opened" post does not carry it; the timeline entry written beside it does).
    pub fn from_post(
        room: &str,
        incident_id: Option<i64>,
        n: &Notification,
        opener: Option<Actor>,
        at: Timestamp,
    ) -> Option<HookEvent> {
        let event = n.event_type()?;
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

#[cfg(test)]
mod tests;
