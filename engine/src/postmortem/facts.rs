//! What the draft is built from, read once from the incident, its timeline and its deliveries:
//! who opened, first acknowledged and resolved it, whom firebell paged and how that went, and
//! the action items people noted. The sections only format these.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::deliveries::Delivery;
use crate::domain::incident::{Incident, TimelineEntry, TimelineKind};
use crate::domain::kinds::{Channel, ContactMethod};
use crate::domain::notification::Notification;
use crate::domain::wording::person;
use crate::notify::wording::by_method;

/// The marker that turns a note into an action item: `!note 42 action: add a disk alert`.
const ACTION_PREFIX: &str = "action:";

/// The action item a note is, if it starts with `action:` (any case): its text, trimmed.
/// `None` for other notes and for `action:` with nothing after it.
pub fn action_item(note: &str) -> Option<&str> {
    let note = note.trim_start();
    let prefix = note.get(..ACTION_PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(ACTION_PREFIX) {
        return None;
    }
    Some(note[ACTION_PREFIX.len()..].trim()).filter(|t| !t.is_empty())
}

/// A step of the response: when, by whom (an actor name as recorded), through which channel.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub channel: Channel,
}

/// One page or status notice to a person, from its delivery record.
#[derive(Debug, Clone)]
pub(super) struct Page {
    /// `Alice Adams (alice)`.
    pub person: String,
    /// `by SMS`, `in chat`, …
    pub how: String,
    /// `page, level 1` or `told it is acknowledged`.
    pub what: String,
    /// The escalation level, for a page.
    pub level: Option<u32>,
    pub attempts: i64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Delivered {
        at: DateTime<Utc>,
        provider: Option<String>,
    },
    GaveUp {
        at: DateTime<Utc>,
        error: Option<String>,
    },
    /// Not settled when the draft was written (still retrying, or not yet due).
    Pending { error: Option<String> },
}

#[derive(Debug, Clone)]
pub(super) struct ActionItem {
    pub text: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub(super) struct Facts<'a> {
    pub incident: &'a Incident,
    pub timeline: &'a [TimelineEntry],
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    /// Who or what opened the incident (the first `triggered` entry).
    pub opened: Option<Step>,
    /// The first acknowledgement: the one time to acknowledge is measured to, even when the
    /// incident was re-triggered and acknowledged again later.
    pub first_ack: Option<Step>,
    pub resolved: Option<Step>,
    pub acks: usize,
    pub retriggers: usize,
    /// Pages and notices to people, in the order they were queued.
    pub pages: Vec<Page>,
    pub action_items: Vec<ActionItem>,
}

impl<'a> Facts<'a> {
    pub(super) fn gather(
        incident: &'a Incident,
        timeline: &'a [TimelineEntry],
        deliveries: &[Delivery],
        config: &'a Config,
        now: DateTime<Utc>,
    ) -> Self {
        let step = |e: &TimelineEntry| Step {
            at: e.at,
            actor: e.actor.clone(),
            channel: e.channel,
        };
        let first = |kind: TimelineKind| timeline.iter().find(|e| e.kind == kind).map(step);
        let count = |kind: TimelineKind| timeline.iter().filter(|e| e.kind == kind).count();
        let first_ack = first(TimelineKind::Acknowledged).or_else(|| {
            Some(Step {
                at: incident.acknowledged_at?,
                actor: incident.acknowledged_by.clone()?,
                channel: incident.acknowledged_via?,
            })
        });
        let resolved = match (incident.resolved_at, &incident.resolved_by) {
            (Some(at), Some(by)) => Some(Step {
                at,
                actor: by.clone(),
                channel: incident.resolved_via.unwrap_or(Channel::System),
            }),
            (Some(_), None) | (None, _) => first(TimelineKind::Resolved),
        }
        .filter(|_| !incident.is_open());
        let action_items = timeline
            .iter()
            .filter(|e| e.kind == TimelineKind::Note)
            .filter_map(|e| {
                action_item(&e.message).map(|text| ActionItem {
                    text: text.to_owned(),
                    actor: e.actor.clone(),
                    at: e.at,
                })
            })
            .collect();
        Facts {
            incident,
            timeline,
            config,
            now,
            opened: first(TimelineKind::Triggered),
            first_ack,
            resolved,
            acks: count(TimelineKind::Acknowledged),
            retriggers: count(TimelineKind::Retriggered),
            pages: deliveries.iter().filter_map(|d| page(config, d)).collect(),
            action_items,
        }
    }

    pub(super) fn time_to_acknowledge(&self) -> Option<chrono::Duration> {
        self.first_ack
            .as_ref()
            .map(|a| a.at - self.incident.created_at)
    }

    pub(super) fn time_to_resolve(&self) -> Option<chrono::Duration> {
        self.resolved
            .as_ref()
            .map(|r| r.at - self.incident.created_at)
    }

    /// The highest escalation level anyone was paged at.
    pub(super) fn highest_level(&self) -> Option<u32> {
        self.pages.iter().filter_map(|p| p.level).max()
    }

    /// How many different people were paged (notices not counted).
    pub(super) fn people_paged(&self) -> usize {
        let mut people: Vec<&str> = self
            .pages
            .iter()
            .filter(|p| p.level.is_some())
            .map(|p| p.person.as_str())
            .collect();
        people.sort_unstable();
        people.dedup();
        people.len()
    }

    /// `Alice Adams (alice)` for a configured user id, the name as recorded otherwise (a monitor,
    /// an API token, `firebell`).
    pub(super) fn person(&self, id: &str) -> String {
        person(self.config, id)
    }

    /// `Alice Adams (alice) via console`.
    pub(super) fn by(&self, step: &Step) -> String {
        format!("{} via {}", self.person(&step.actor), step.channel)
    }
}

/// A delivery to a person as a [`Page`]; `None` for room posts and webhooks.
fn page(config: &Config, d: &Delivery) -> Option<Page> {
    if matches!(d.notification, Some(Notification::Webhook { .. })) {
        return None;
    }
    let recipient = d.recipient.as_deref()?;
    let how = d
        .method
        .parse::<ContactMethod>()
        .map_or_else(|_| d.method.clone(), |m| by_method(m).to_owned());
    let (what, level) = match &d.notification {
        Some(Notification::Paged {
            level,
            failover_from,
            ..
        }) => {
            let resent = failover_from
                .as_deref()
                .map(|p| format!(" (sent again: {p} failed)"))
                .unwrap_or_default();
            (format!("page, level {level}{resent}"), Some(*level))
        }
        Some(Notification::StatusNotice { status, .. }) => (format!("told it is {status}"), None),
        _ => ("notice".to_owned(), None),
    };
    let outcome = match (d.delivered_at, d.failed_at) {
        (Some(at), _) => Outcome::Delivered {
            at,
            provider: d.provider.clone(),
        },
        (None, Some(at)) => Outcome::GaveUp {
            at,
            error: d.last_error.clone(),
        },
        (None, None) => Outcome::Pending {
            error: d.last_error.clone(),
        },
    };
    Some(Page {
        person: person(config, recipient),
        how,
        what,
        level,
        attempts: d.attempts,
        outcome,
    })
}
