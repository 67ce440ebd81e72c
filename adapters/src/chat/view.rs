//! What a chat card or storm summary shows, independent of the platform that draws it: each
//! platform's renderer turns these into Block Kit (Slack) or an embed (Discord).

use chrono::{DateTime, Utc};
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{Incident, IncidentStatus};

/// Someone named on a card: linked to the platform (`chat_id`, so they can be mentioned), or
/// only by name; the same person a document's mention names.
pub use firebell_commands::Person;

pub struct CardView<'a> {
    pub incident: &'a Incident,
    /// People paged so far, in order, no duplicates.
    pub paged: &'a [Person],
    /// The escalation level reached (1-based), when known.
    pub level: Option<u32>,
    pub now: DateTime<Utc>,
    /// A user's display name for a firebell user id (for "Acknowledged by Alice Adams"); falls
    /// back to the id.
    pub names: &'a dyn Fn(&str) -> String,
}

pub struct BundleView<'a> {
    /// The storm's incidents, oldest first (may be hundreds).
    pub incidents: &'a [Incident],
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// People paged in the storm.
    pub paged: &'a [Person],
}

impl BundleView<'_> {
    /// How many of the storm's incidents are in `status`.
    pub fn count(&self, status: IncidentStatus) -> usize {
        self.incidents.iter().filter(|i| i.status == status).count()
    }

    /// `12 triggered, 3 acknowledged, 32 resolved`
    pub fn tally(&self) -> String {
        format!(
            "{} triggered, {} acknowledged, {} resolved",
            self.count(IncidentStatus::Triggered),
            self.count(IncidentStatus::Acknowledged),
            self.count(IncidentStatus::Resolved)
        )
    }

    /// `1 more incident`, `47 more incidents`: what the storm adds to the room.
    pub fn opened(&self) -> String {
        match self.incidents.len() {
            1 => "1 more incident".to_owned(),
            k => format!("{k} more incidents"),
        }
    }

    /// The order a summary lists them in: open ones first (they need someone), oldest first
    /// within each group.
    pub fn listing_order(&self) -> impl Iterator<Item = &Incident> {
        let (open, resolved): (Vec<&Incident>, Vec<&Incident>) =
            self.incidents.iter().partition(|i| i.is_open());
        open.into_iter().chain(resolved)
    }

    /// The triggered incidents' numbers, oldest first: what "Acknowledge all" carries.
    pub fn triggered_numbers(&self) -> Vec<i64> {
        self.incidents
            .iter()
            .filter(|i| i.status == IncidentStatus::Triggered)
            .map(|i| i.number.get())
            .collect()
    }
}

/// One maintenance window's start, imminent end, or end, as a room notice tells it on any
/// surface (the console's words and the chat platforms' differ; what they tell does not).
pub struct Window<'a> {
    pub id: i64,
    pub phase: MaintenancePhase,
    pub matcher: &'a str,
    pub reason: Option<&'a str>,
    pub by: &'a str,
    /// Microseconds since the epoch.
    pub ends_at: i64,
    pub suppressed: i64,
}

impl<'a> Window<'a> {
    /// The window a maintenance notification is about; `None` for any other notification.
    pub fn of(n: &'a Notification) -> Option<Self> {
        match n {
            Notification::Maintenance {
                window,
                phase,
                matcher,
                reason,
                by,
                ends_at,
                suppressed,
            } => Some(Window {
                id: *window,
                phase: *phase,
                matcher,
                reason: reason.as_deref(),
                by,
                ends_at: ends_at.micros(),
                suppressed: *suppressed,
            }),
            _ => None,
        }
    }

    /// The reason given, unless blank.
    pub fn reason(&self) -> Option<&'a str> {
        self.reason.filter(|r| !r.trim().is_empty())
    }

    /// `no alerts suppressed`, `1 alert suppressed`, `12 alerts suppressed`.
    pub fn suppressed(&self) -> String {
        match self.suppressed {
            0 => "no alerts suppressed".to_owned(),
            1 => "1 alert suppressed".to_owned(),
            k => format!("{k} alerts suppressed"),
        }
    }
}
