//! The incident as the rest of firebell sees it, and its timeline.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::error::UserError;

use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::kinds::{Channel, IncidentStatus, Severity};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub number: IncidentNumber,
    pub service: ServiceName,
    pub dedup_key: DedupKey,
    pub title: String,
    pub source: Option<String>,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub alert_count: i64,
    pub created_at: DateTime<Utc>,
    pub last_alert_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_via: Option<Channel>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub resolved_via: Option<Channel>,
    /// The first trigger's extra fields, verbatim (custom_details, links, images, client, …).
    pub details: serde_json::Value,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.status != IncidentStatus::Resolved
    }
}

/// What kind of change a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Triggered,
    AlertAdded,
    Acknowledged,
    Resolved,
    Note,
    /// An event that changed nothing (e.g. an acknowledge for an already acknowledged incident).
    Ignored,
    /// Someone was reached (or could not be): chat mention, SMS, call, email, and their status.
    Notified,
    /// The escalation policy moved: a level started, was skipped, or the policy ran out.
    Escalated,
    /// An acknowledged incident went back to triggered (ack timeout).
    Retriggered,
    /// Something was put off, e.g. a low-urgency SMS until support hours.
    Deferred,
}

impl TimelineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Triggered => "triggered",
            TimelineKind::AlertAdded => "alert_added",
            TimelineKind::Acknowledged => "acknowledged",
            TimelineKind::Resolved => "resolved",
            TimelineKind::Note => "note",
            TimelineKind::Ignored => "ignored",
            TimelineKind::Notified => "notified",
            TimelineKind::Escalated => "escalated",
            TimelineKind::Retriggered => "retriggered",
            TimelineKind::Deferred => "deferred",
        }
    }

    pub const ALL: &'static [TimelineKind] = &[
        TimelineKind::Triggered,
        TimelineKind::AlertAdded,
        TimelineKind::Acknowledged,
        TimelineKind::Resolved,
        TimelineKind::Note,
        TimelineKind::Ignored,
        TimelineKind::Notified,
        TimelineKind::Escalated,
        TimelineKind::Retriggered,
        TimelineKind::Deferred,
    ];
}

impl FromStr for TimelineKind {
    type Err = UserError;

    fn from_str(s: &str) -> Result<Self, UserError> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                UserError::new(format!(
                    "unknown timeline kind `{s}` — expected one of: {}",
                    all.join(", ")
                ))
            })
    }
}

/// One change to an incident: when, what, who, through which channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub actor: String,
    pub channel: Channel,
    pub message: String,
}

/// Filters for listing incidents.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub statuses: Vec<IncidentStatus>,
    pub service: Option<ServiceName>,
    pub limit: Option<i64>,
}

/// A search as PagerDuty's `GET /incidents` asks it: any of several services and statuses, a
/// creation window, one incident key, an order, and an offset page with an optional count.
#[derive(Debug, Clone, Default)]
pub struct IncidentSearch {
    /// Empty: every status.
    pub statuses: Vec<IncidentStatus>,
    /// Empty: every service.
    pub services: Vec<ServiceName>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    pub dedup_key: Option<String>,
    pub order: IncidentOrder,
    pub offset: i64,
    pub limit: i64,
    /// Also count every match (PagerDuty's `total=true`).
    pub count: bool,
}

/// The orders PagerDuty's `sort_by` offers that firebell can keep. Creation order is number
/// order: numbers are drawn when the incident is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IncidentOrder {
    #[default]
    CreatedAsc,
    CreatedDesc,
    ResolvedAsc,
    ResolvedDesc,
}

/// One page of a search, with the number of matches when it was asked for.
#[derive(Debug, Clone)]
pub struct IncidentPage {
    pub incidents: Vec<Incident>,
    pub total: Option<i64>,
}

/// A timeline entry with its id, for clients that page through or refer to entries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberedEntry {
    pub id: i64,
    pub incident: IncidentNumber,
    pub entry: TimelineEntry,
}
