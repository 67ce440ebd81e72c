//! Database rows and their conversion into domain values. Strings written by firebell itself are
//! trusted on the way back; an unexpected value falls back rather than failing a whole listing.

use crate::domain::clock::from_micros;
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
    created_at: i64,
    last_alert_at: i64,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<String>,
    acknowledged_via: Option<String>,
    resolved_at: Option<i64>,
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
            created_at: from_micros(r.created_at),
            last_alert_at: from_micros(r.last_alert_at),
            acknowledged_at: r.acknowledged_at.map(from_micros),
            acknowledged_by: r.acknowledged_by,
            acknowledged_via: r.acknowledged_via.and_then(|c| c.parse().ok()),
            resolved_at: r.resolved_at.map(from_micros),
            resolved_by: r.resolved_by,
            resolved_via: r.resolved_via.and_then(|c| c.parse().ok()),
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TimelineRow {
    at: i64,
    kind: String,
    actor: String,
    channel: String,
    message: String,
}

impl From<TimelineRow> for TimelineEntry {
    fn from(r: TimelineRow) -> Self {
        TimelineEntry {
            at: from_micros(r.at),
            kind: TimelineKind::from_db(&r.kind),
            actor: r.actor,
            channel: r.channel.parse().unwrap_or(Channel::System),
            message: r.message,
        }
    }
}
