//! Database rows and their conversion into domain values. Strings written by firebell itself are
//! trusted on the way back; an unexpected value falls back rather than failing a whole listing.

use crate::domain::clock::Timestamp;
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::incident::{Incident, TimelineEntry, TimelineKind};
use crate::domain::kinds::{Channel, IncidentStatus, Severity};

pub(crate) const INCIDENT_COLUMNS: &str = "id, service, dedup_key, title, source, severity, status, alert_count, \
     created_at, last_alert_at, acknowledged_at, acknowledged_by, acknowledged_via, \
     resolved_at, resolved_by, resolved_via, details";

#[derive(sqlx::FromRow)]
pub(crate) struct IncidentRow {
    id: i64,
    service: String,
    dedup_key: String,
    title: String,
    source: Option<String>,
    severity: String,
    status: String,
    alert_count: i64,
    created_at: Timestamp,
    last_alert_at: Timestamp,
    acknowledged_at: Option<Timestamp>,
    acknowledged_by: Option<String>,
    acknowledged_via: Option<String>,
    resolved_at: Option<Timestamp>,
    resolved_by: Option<String>,
    resolved_via: Option<String>,
    details: String,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Self {
        Incident {
            number: IncidentNumber::from_db(r.id),
            service: ServiceName::new(r.service),
            dedup_key: DedupKey::from_db(r.dedup_key),
            title: r.title,
            source: r.source,
            severity: r.severity.parse().unwrap_or(Severity::Error),
            status: r.status.parse().unwrap_or(IncidentStatus::Triggered),
            alert_count: r.alert_count,
            created_at: r.created_at.datetime(),
            last_alert_at: r.last_alert_at.datetime(),
            acknowledged_at: r.acknowledged_at.map(Timestamp::datetime),
            acknowledged_by: r.acknowledged_by,
            acknowledged_via: r.acknowledged_via.and_then(|c| c.parse().ok()),
            resolved_at: r.resolved_at.map(Timestamp::datetime),
            resolved_by: r.resolved_by,
            resolved_via: r.resolved_via.and_then(|c| c.parse().ok()),
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TimelineRow {
    at: Timestamp,
    kind: String,
    actor: String,
    channel: String,
    message: String,
}

impl From<TimelineRow> for TimelineEntry {
    fn from(r: TimelineRow) -> Self {
        TimelineEntry {
            at: r.at.datetime(),
            kind: TimelineKind::from_db(&r.kind),
            actor: r.actor,
            channel: r.channel.parse().unwrap_or(Channel::System),
            message: r.message,
        }
    }
}
