//! PostgreSQL: arrays expanded by `unnest` feed the lookup and the writes. Several writers (and
//! replicas) run at once, so the batch first takes a transaction-scoped advisory lock per key, in
//! hash order so two batches never wait on each other in a cycle; a replica racing on the same key
//! then waits and sees the incident the other opened. New incident numbers come from the sequence.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::{Found, Item, distinct_keys, who};
use crate::domain::alert::AlertKind;
use crate::domain::clock::Timestamp;
use crate::domain::ingest_plan::{self as plan, Open, Target};
use crate::domain::kinds::IncidentStatus;

/// Locks the batch's keys (the same advisory lock people's actions take) and finds their open
/// incidents: nothing changes for these keys before [`write`] and the commit.
pub(crate) async fn find(
    conn: &mut PgConnection,
    items: &[Item<'_>],
) -> Result<Found, sqlx::Error> {
    let pairs = distinct_keys(items);
    let services: Vec<&str> = pairs.iter().map(|(s, _)| *s).collect();
    let keys: Vec<&str> = pairs.iter().map(|(_, k)| *k).collect();

    // The same lock key people's actions take (service, U+001F, dedup key).
    sqlx::query(
        "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(s || chr(31) || k, 0) AS h \
         FROM unnest($1::text[], $2::text[]) AS t(s, k) ORDER BY 1) AS l",
    )
    .bind(&services)
    .bind(&keys)
    .execute(&mut *conn)
    .await?;

    let rows: Vec<(i64, String, String, IncidentStatus)> = sqlx::query_as(
        // LATERAL: one probe of the open-incident index per key, whatever plan the prepared
        // statement settles on (a join against `unnest` may be planned as a table scan).
        "SELECT o.id, o.service, o.dedup_key, o.status FROM unnest($1::text[], $2::text[]) AS t(s, k) \
         CROSS JOIN LATERAL (SELECT i.id, i.service, i.dedup_key, i.status FROM incidents AS i \
           WHERE i.service = t.s AND i.dedup_key = t.k AND i.status <> 'resolved') AS o",
    )
    .bind(&services)
    .bind(&keys)
    .fetch_all(&mut *conn)
    .await?;
    let open = rows
        .into_iter()
        .map(|(id, s, k, status)| ((s, k), Open { id, status }))
        .collect();
    Ok(Found { open, max_id: 0 })
}

/// Writes the plan's incidents; the new incidents' numbers, in plan order (from the sequence).
pub(crate) async fn write(
    conn: &mut PgConnection,
    items: &[Item<'_>],
    plan: &plan::Plan,
    now: Timestamp,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<i64> = if plan.new.is_empty() {
        Vec::new()
    } else {
        sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('incidents', 'id')) FROM generate_series(1, $1)",
        )
        .bind(plan.new.len() as i64)
        .fetch_all(&mut *conn)
        .await?
    };
    insert_new(conn, items, plan, &ids, now).await?;
    update_existing(conn, plan, now).await?;
    Ok(ids)
}

async fn insert_new(
    conn: &mut PgConnection,
    items: &[Item<'_>],
    plan: &plan::Plan,
    ids: &[i64],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // The planner opens incidents only for triggers, so every row has a payload.
    let rows: Vec<_> = plan
        .new
        .iter()
        .enumerate()
        .filter_map(|(n, &i)| {
            let AlertKind::Trigger { payload, .. } = &items[i].alert.kind else {
                return None;
            };
            Some((
                ids.get(n).copied()?,
                &items[i],
                payload,
                plan.changes.get(&Target::New(n))?,
            ))
        })
        .collect();
    for chunk in rows.chunks(500) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO incidents (id, service, dedup_key, title, source, severity, status, alert_count, created_at, \
             last_alert_at, acknowledged_at, acknowledged_by, acknowledged_via, resolved_at, resolved_by, resolved_via, details, \
             esc_next_at) ",
        );
        q.push_values(chunk, |mut b, (id, item, payload, change)| {
            let (ack_by, ack_via) = who(change.acknowledged_by.as_ref());
            let (res_by, res_via) = who(change.resolved_by.as_ref());
            b.push_bind(*id)
                .push_bind(item.alert.service.as_str().to_owned())
                .push_bind(item.key.as_str().to_owned())
                .push_bind(payload.summary.clone())
                .push_bind(payload.source.clone())
                .push_bind(payload.severity.as_str())
                .push_bind(change.status.as_str())
                .push_bind(change.added_alerts)
                .push_bind(now)
                .push_bind(now)
                .push_bind(ack_by.as_ref().map(|_| now))
                .push_bind(ack_by)
                .push_bind(ack_via)
                .push_bind(res_by.as_ref().map(|_| now))
                .push_bind(res_by)
                .push_bind(res_via)
                .push_bind(payload.details.to_string())
                // Escalation starts at once: the timer worker pages level 1 within moments.
                .push_bind(now);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn update_existing(
    conn: &mut PgConnection,
    plan: &plan::Plan,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut ids = Vec::new();
    let mut added = Vec::new();
    let mut status = Vec::new();
    let (mut ack_by, mut ack_via, mut res_by, mut res_via) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (t, c) in &plan.changes {
        let Target::Existing(id) = *t else { continue };
        let (ab, av) = who(c.acknowledged_by.as_ref());
        let (rb, rv) = who(c.resolved_by.as_ref());
        ids.push(id);
        added.push(c.added_alerts);
        status.push(c.status.as_str());
        ack_by.push(ab);
        ack_via.push(av);
        res_by.push(rb);
        res_via.push(rv);
    }
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE incidents AS i SET \
           alert_count = i.alert_count + u.added, \
           last_alert_at = CASE WHEN u.added > 0 THEN $1 ELSE i.last_alert_at END, \
           status = u.status, \
           acknowledged_at = CASE WHEN u.ack_by IS NULL THEN i.acknowledged_at ELSE $1 END, \
           acknowledged_by = COALESCE(u.ack_by, i.acknowledged_by), \
           acknowledged_via = COALESCE(u.ack_via, i.acknowledged_via), \
           resolved_at = CASE WHEN u.res_by IS NULL THEN i.resolved_at ELSE $1 END, \
           resolved_by = COALESCE(u.res_by, i.resolved_by), \
           resolved_via = COALESCE(u.res_via, i.resolved_via) \
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) \
              AS u(id, added, status, ack_by, ack_via, res_by, res_via) \
         WHERE i.id = u.id AND i.status <> 'resolved'",
    )
    .bind(now)
    .bind(&ids)
    .bind(&added)
    .bind(&status)
    .bind(&ack_by)
    .bind(&ack_via)
    .bind(&res_by)
    .bind(&res_via)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
