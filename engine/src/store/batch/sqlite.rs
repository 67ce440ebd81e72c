//! SQLite: JSON arrays expanded by `json_each` feed the lookup and the writes. The batch runs
//! under SQLite's write lock (`BEGIN IMMEDIATE`), so nothing changes between the read and the
//! writes, and new incident numbers can be assigned as `MAX(id) + 1, + 2, …` without gaps.

use serde_json::json;
use sqlx::SqliteConnection;

use super::{Found, Item, distinct_keys, who};
use crate::domain::alert::AlertKind;
use crate::domain::clock::Timestamp;
use crate::domain::ingest_plan::{self as plan, Open, Target};
use crate::domain::kinds::IncidentStatus;

/// (highest incident id, and one open incident's id, service, dedup key, status — or NULLs).
type LookupRow = (
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<IncidentStatus>,
);

/// The open incidents for the batch's keys and the highest incident number, in one round trip.
/// The batch runs under the write lock, so nothing changes before [`write`].
pub(crate) async fn find(
    conn: &mut SqliteConnection,
    items: &[Item<'_>],
) -> Result<Found, sqlx::Error> {
    let pairs = distinct_keys(items);
    // One round trip: the highest incident number, and the open incidents for the batch's keys.
    let rows: Vec<LookupRow> = sqlx::query_as(
        "SELECT m.max_id, o.id, o.service, o.dedup_key, o.status \
         FROM (SELECT COALESCE(MAX(id), 0) AS max_id FROM incidents) AS m \
         LEFT JOIN (SELECT i.id, i.service, i.dedup_key, i.status FROM json_each($1) AS j \
                    JOIN incidents AS i ON i.service = j.value ->> '$[0]' AND i.dedup_key = j.value ->> '$[1]' \
                     AND i.status <> 'resolved') AS o ON 1",
    )
    .bind(serde_json::to_string(&pairs).unwrap_or_default())
    .fetch_all(&mut *conn)
    .await?;
    let max_id = rows.first().map_or(0, |r| r.0);
    let open = rows
        .into_iter()
        .filter_map(|(_, id, s, k, st)| {
            Some((
                (s?, k?),
                Open {
                    id: id?,
                    status: st?,
                },
            ))
        })
        .collect();
    Ok(Found { open, max_id })
}

/// Writes the plan's incidents; the new incidents' numbers, in plan order (`MAX(id) + 1, + 2, …`:
/// the write lock makes them gapless).
pub(crate) async fn write(
    conn: &mut SqliteConnection,
    items: &[Item<'_>],
    plan: &plan::Plan,
    found: &Found,
    now: Timestamp,
) -> Result<Vec<i64>, sqlx::Error> {
    write_incidents(conn, items, plan, found.max_id, now).await?;
    Ok((0..plan.new.len())
        .map(|n| found.max_id + 1 + n as i64)
        .collect())
}

/// Inserts the batch's new incidents and updates the existing ones it changed, in one round trip
/// (two statements fed by JSON arrays).
async fn write_incidents(
    conn: &mut SqliteConnection,
    items: &[Item<'_>],
    plan: &plan::Plan,
    max_id: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut new = Vec::with_capacity(plan.new.len());
    let mut changed = Vec::new();
    for (target, c) in &plan.changes {
        let (ack_by, ack_via) = who(c.acknowledged_by.as_ref());
        let (res_by, res_via) = who(c.resolved_by.as_ref());
        match *target {
            Target::New(n) => {
                // The planner opens incidents only for triggers, so this always matches.
                let Some(item) = plan.new.get(n).map(|&i| &items[i]) else {
                    continue;
                };
                let AlertKind::Trigger { payload, .. } = &item.alert.kind else {
                    continue;
                };
                new.push(json!({
                    "id": max_id + 1 + n as i64, "service": item.alert.service.as_str(), "key": item.key.as_str(),
                    "title": payload.summary, "source": payload.source, "severity": payload.severity.as_str(),
                    "status": c.status.as_str(), "count": c.added_alerts,
                    "ack_by": ack_by, "ack_via": ack_via, "res_by": res_by, "res_via": res_via,
                    "details": payload.details.to_string(),
                }));
            }
            Target::Existing(id) => changed.push(json!({
                "id": id, "added": c.added_alerts, "status": c.status.as_str(),
                "ack_by": ack_by, "ack_via": ack_via, "res_by": res_by, "res_via": res_via,
            })),
        }
    }
    sqlx::query(
        "INSERT INTO incidents (id, service, dedup_key, title, source, severity, status, alert_count, created_at, \
           last_alert_at, acknowledged_at, acknowledged_by, acknowledged_via, resolved_at, resolved_by, resolved_via, details, \
           esc_next_at) \
         SELECT value ->> 'id', value ->> 'service', value ->> 'key', value ->> 'title', value ->> 'source', \
           value ->> 'severity', value ->> 'status', value ->> 'count', $1, $1, \
           CASE WHEN value ->> 'ack_by' IS NULL THEN NULL ELSE $1 END, value ->> 'ack_by', value ->> 'ack_via', \
           CASE WHEN value ->> 'res_by' IS NULL THEN NULL ELSE $1 END, value ->> 'res_by', value ->> 'res_via', \
           value ->> 'details', $1 \
         FROM json_each($2) ORDER BY key; \
         UPDATE incidents SET \
           alert_count = alert_count + u.added, \
           last_alert_at = CASE WHEN u.added > 0 THEN $1 ELSE last_alert_at END, \
           status = u.status, \
           acknowledged_at = CASE WHEN u.ack_by IS NULL THEN acknowledged_at ELSE $1 END, \
           acknowledged_by = COALESCE(u.ack_by, acknowledged_by), \
           acknowledged_via = COALESCE(u.ack_via, acknowledged_via), \
           resolved_at = CASE WHEN u.res_by IS NULL THEN resolved_at ELSE $1 END, \
           resolved_by = COALESCE(u.res_by, resolved_by), \
           resolved_via = COALESCE(u.res_via, resolved_via) \
         FROM (SELECT value ->> 'id' AS id, value ->> 'added' AS added, value ->> 'status' AS status, \
                      value ->> 'ack_by' AS ack_by, value ->> 'ack_via' AS ack_via, \
                      value ->> 'res_by' AS res_by, value ->> 'res_via' AS res_via FROM json_each($3)) AS u \
         WHERE incidents.id = u.id AND incidents.status <> 'resolved'",
    )
    .bind(now)
    .bind(serde_json::Value::Array(new).to_string())
    .bind(serde_json::Value::Array(changed).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
