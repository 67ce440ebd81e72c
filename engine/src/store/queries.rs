//! Reads: incidents, timelines, counts, the alert log, and change events (recorded here too,
//! as they change no incident).

use serde_json::Value;

use super::rows::{INCIDENT_COLUMNS, IncidentRow, StoredJson, TimelineRow};
use super::{C, sql};
use crate::domain::clock::Timestamp;
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::incident::{Incident, IncidentFilter, TimelineEntry};
use crate::domain::kinds::IncidentStatus;
use crate::domain::page::Page;

pub(crate) async fn get(c: &mut C<'_>, n: IncidentNumber) -> Result<Option<Incident>, sqlx::Error> {
    let q = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
    Ok(
        sql!(optional IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), n.get())?
            .map(Incident::from),
    )
}

/// The incident of `service` with dedup key `key`: the open one (through the open-key index),
/// else the newest resolved one.
pub(crate) async fn latest_for_key(
    c: &mut C<'_>,
    service: &ServiceName,
    key: &DedupKey,
) -> Result<Option<Incident>, sqlx::Error> {
    for status in ["AND status <> 'resolved'", ""] {
        let q = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE service = $1 AND dedup_key = $2 \
             {status} ORDER BY id DESC LIMIT 1"
        );
        let row = sql!(optional IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q),
            service.as_str(), key.as_str())?;
        if let Some(row) = row {
            return Ok(Some(Incident::from(row)));
        }
    }
    Ok(None)
}

/// Incidents matching `f`, newest first; with `before`, only those numbered below it (keyset
/// paging over the primary key, so rows added meanwhile never shift a later page).
pub(crate) async fn list(
    c: &mut C<'_>,
    f: &IncidentFilter,
    before: Option<IncidentNumber>,
) -> Result<Vec<Incident>, sqlx::Error> {
    let want = |s: IncidentStatus| i64::from(f.statuses.is_empty() || f.statuses.contains(&s));
    let q = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents \
         WHERE ($1 = '' OR service = $1) \
           AND (($2 = 1 AND status = 'triggered') OR ($3 = 1 AND status = 'acknowledged') OR ($4 = 1 AND status = 'resolved')) \
           AND id < $6 \
         ORDER BY id DESC LIMIT $5"
    );
    let service = f.service.as_ref().map_or("", |s| s.as_str());
    let rows = sql!(all IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q),
        service, want(IncidentStatus::Triggered), want(IncidentStatus::Acknowledged), want(IncidentStatus::Resolved),
        f.limit.unwrap_or(100), before.map_or(i64::MAX, IncidentNumber::get))?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// The whole story of one incident, oldest first. One table with one id sequence, because the
/// events of one group-committed batch share a timestamp and only the id keeps their order.
pub(crate) async fn timeline(
    c: &mut C<'_>,
    n: IncidentNumber,
) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let rows = sql!(all TimelineRow, c.reborrow(),
        "SELECT at, kind, actor, channel, message FROM timeline WHERE incident_id = $1 ORDER BY id",
        n.get())?;
    Ok(rows.into_iter().map(TimelineEntry::from).collect())
}

/// (status, count) for every status present.
pub(crate) async fn count_by_status(c: &mut C<'_>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sql!(
        all(String, i64),
        c.reborrow(),
        "SELECT status, COUNT(*) FROM incidents GROUP BY status"
    )
}

pub(crate) async fn record_change(
    c: &mut C<'_>,
    service: &str,
    summary: &str,
    source: Option<&str>,
    happened_at: Timestamp,
    payload: &Value,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_string(payload).unwrap_or_else(|_| "null".to_owned());
    let (id,): (i64,) = sql!(
        one(i64,),
        c.reborrow(),
        "INSERT INTO change_events (service, summary, source, happened_at, received_at, payload) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        service,
        summary,
        source,
        happened_at,
        now,
        payload
    )?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ChangeRow {
    pub id: i64,
    pub service: String,
    pub summary: String,
    pub source: Option<String>,
    pub happened_at: Timestamp,
    pub payload: StoredJson,
}

/// Newest first, one keyset [`Page`]; `service` empty for all.
pub(crate) async fn changes(
    c: &mut C<'_>,
    service: &str,
    page: Page,
) -> Result<Vec<ChangeRow>, sqlx::Error> {
    sql!(all ChangeRow, c.reborrow(),
        "SELECT id, service, summary, source, happened_at, payload FROM change_events \
         WHERE ($1 = '' OR service = $1) AND id < $3 ORDER BY id DESC LIMIT $2",
        service, page.limit, page.before_or_max())
}

/// One entry of the alert log: every event received and what became of it. The row is what the
/// API shows, so it is read straight into this shape.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AlertLogEntry {
    pub id: i64,
    pub service: String,
    pub dedup_key: String,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
    #[sqlx(rename = "incident_id")]
    pub incident: Option<i64>,
    pub actor: String,
    pub channel: String,
    #[serde(serialize_with = "Timestamp::rfc3339")]
    pub received_at: Timestamp,
}

/// Newest first, one keyset [`Page`]; `service`/`outcome` empty for all.
pub(crate) async fn alert_log(
    c: &mut C<'_>,
    service: &str,
    outcome: &str,
    page: Page,
) -> Result<Vec<AlertLogEntry>, sqlx::Error> {
    sql!(all AlertLogEntry, c.reborrow(),
        "SELECT id, service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at FROM alerts \
         WHERE ($1 = '' OR service = $1) AND ($2 = '' OR outcome = $2) AND id < $4 ORDER BY id DESC LIMIT $3",
        service, outcome, page.limit, page.before_or_max())
}
