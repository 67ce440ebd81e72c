//! Reads in PagerDuty's terms: incidents by several services, statuses, a creation window and an
//! incident key, in an order, one offset page at a time with an optional count; an incident's
//! timeline with entry ids; and the alerts (events) an incident received, with their bodies.

use super::rows::{INCIDENT_COLUMNS, IncidentRow, StoredJson, TimelineRow};
use super::{C, sql};
use crate::domain::clock::Timestamp;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{
    Incident, IncidentOrder, IncidentPage, IncidentSearch, NumberedEntry, TimelineEntry,
};
use crate::domain::kinds::IncidentStatus;

/// The `WHERE` of a search; `$1` is the services as a JSON array (empty: all), `$2`–`$4` the
/// status flags, `$5`/`$6` the creation window, `$7` the incident key ('' for any).
fn condition(pg: bool) -> &'static str {
    if pg {
        "WHERE ($1 = '[]' OR service IN (SELECT jsonb_array_elements_text($1::jsonb))) \
           AND (($2 = 1 AND status = 'triggered') OR ($3 = 1 AND status = 'acknowledged') OR ($4 = 1 AND status = 'resolved')) \
           AND created_at >= $5 AND created_at < $6 AND ($7 = '' OR dedup_key = $7)"
    } else {
        "WHERE ($1 = '[]' OR service IN (SELECT value FROM json_each($1))) \
           AND (($2 = 1 AND status = 'triggered') OR ($3 = 1 AND status = 'acknowledged') OR ($4 = 1 AND status = 'resolved')) \
           AND created_at >= $5 AND created_at < $6 AND ($7 = '' OR dedup_key = $7)"
    }
}

fn order_by(o: IncidentOrder) -> &'static str {
    match o {
        IncidentOrder::CreatedAsc => "ORDER BY id ASC",
        IncidentOrder::CreatedDesc => "ORDER BY id DESC",
        // Open incidents have no resolution time: last when ascending, first when descending.
        IncidentOrder::ResolvedAsc => "ORDER BY resolved_at IS NULL, resolved_at ASC, id ASC",
        IncidentOrder::ResolvedDesc => {
            "ORDER BY resolved_at IS NULL DESC, resolved_at DESC, id DESC"
        }
    }
}

pub(crate) async fn incidents(
    c: &mut C<'_>,
    s: &IncidentSearch,
) -> Result<IncidentPage, sqlx::Error> {
    let pg = c.is_pg();
    let services =
        serde_json::to_string(&s.services.iter().map(|s| s.as_str()).collect::<Vec<_>>())
            .expect("a list of strings serializes");
    let want = |st: IncidentStatus| i64::from(s.statuses.is_empty() || s.statuses.contains(&st));
    let since = s
        .since
        .map_or(Timestamp::from_micros(i64::MIN), Timestamp::from);
    let until = s
        .until
        .map_or(Timestamp::from_micros(i64::MAX), Timestamp::from);
    let key = s.dedup_key.as_deref().unwrap_or("");
    let (t, a, r) = (
        want(IncidentStatus::Triggered),
        want(IncidentStatus::Acknowledged),
        want(IncidentStatus::Resolved),
    );
    let q = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents {} {} LIMIT $8 OFFSET $9",
        condition(pg),
        order_by(s.order)
    );
    let rows = sql!(all IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q),
        services.as_str(), t, a, r, since, until, key, s.limit, s.offset)?;
    let total = if s.count {
        let q = format!("SELECT COUNT(*) FROM incidents {}", condition(pg));
        let (n,): (i64,) = sql!(
            one(i64,),
            c.reborrow(),
            sqlx::AssertSqlSafe(q),
            services.as_str(),
            t,
            a,
            r,
            since,
            until,
            key
        )?;
        Some(n)
    } else {
        None
    };
    Ok(IncidentPage {
        incidents: rows.into_iter().map(Incident::from).collect(),
        total,
    })
}

#[derive(sqlx::FromRow)]
struct NumberedRow {
    id: i64,
    #[sqlx(flatten)]
    entry: TimelineRow,
}

/// Incident `n`'s timeline, oldest first, each entry with its id.
pub(crate) async fn timeline(
    c: &mut C<'_>,
    n: IncidentNumber,
) -> Result<Vec<NumberedEntry>, sqlx::Error> {
    let rows = sql!(all NumberedRow, c.reborrow(),
        "SELECT id, at, kind, actor, channel, message FROM timeline WHERE incident_id = $1 ORDER BY id",
        n.get())?;
    Ok(rows
        .into_iter()
        .map(|r| NumberedEntry {
            id: r.id,
            incident: n,
            entry: TimelineEntry::from(r.entry),
        })
        .collect())
}

/// An event an incident received, with the body it came with.
#[derive(Debug, Clone)]
pub struct IncidentAlert {
    pub id: i64,
    pub dedup_key: String,
    /// `trigger`, `acknowledge`, `resolve`.
    pub action: String,
    pub outcome: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub payload: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    dedup_key: String,
    action: String,
    outcome: String,
    received_at: Timestamp,
    payload: StoredJson,
}

/// The events recorded against incident `n`, oldest first.
pub(crate) async fn alerts(
    c: &mut C<'_>,
    n: IncidentNumber,
) -> Result<Vec<IncidentAlert>, sqlx::Error> {
    let rows = sql!(all AlertRow, c.reborrow(),
        "SELECT id, dedup_key, action, outcome, received_at, payload FROM alerts \
         WHERE incident_id = $1 ORDER BY id",
        n.get())?;
    Ok(rows
        .into_iter()
        .map(|r| IncidentAlert {
            id: r.id,
            dedup_key: r.dedup_key,
            action: r.action,
            outcome: r.outcome,
            received_at: r.received_at.datetime(),
            payload: r.payload.0,
        })
        .collect())
}
