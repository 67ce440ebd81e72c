//! The transactional outbox: rows written beside the state change that causes them, claimed by a
//! delivery worker, delivered in order per incident, retried with backoff, settled exactly once.

use serde::{Deserialize, Serialize};

use super::{C, Store, sql};
use crate::kinds::Actor;

/// What happened, as stored in an outbox row. The worker pairs it with the incident's current
/// state at delivery time, so a late delivery never shows stale data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notification {
    IncidentOpened,
    Acknowledged { actor: Actor },
    Resolved { actor: Actor, note: Option<String> },
    Note { actor: Actor, text: String },
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub id: i64,
    pub room: String,
    pub incident_id: Option<i64>,
    pub notification: String,
    pub attempts: i64,
}

/// Rows that are due, not locked by another worker, and have no earlier undelivered row for the
/// same incident (so "acknowledged" is never shown before "opened").
const CLAIMABLE: &str = "SELECT id FROM outbox o \
     WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.due_at <= $2 \
       AND (o.locked_until IS NULL OR o.locked_until < $2) \
       AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.id < o.id \
                       AND e.delivered_at IS NULL AND e.failed_at IS NULL) \
     ORDER BY o.due_at, o.id LIMIT $3";

/// Claims up to `limit` due rows for `lease_us` microseconds. On PostgreSQL `FOR UPDATE SKIP
/// LOCKED` lets several replicas claim side by side without ever taking the same row; SQLite's
/// single writer (BEGIN IMMEDIATE) gives the same guarantee.
pub(crate) async fn claim(
    store: &Store,
    now: i64,
    lease_us: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let q = if store.is_postgres() {
        format!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({CLAIMABLE} FOR UPDATE SKIP LOCKED) \
             RETURNING id, room, incident_id, notification, attempts"
        )
    } else {
        format!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({CLAIMABLE}) \
             RETURNING id, room, incident_id, notification, attempts"
        )
    };
    let mut tx = store.begin().await?;
    let mut rows = sql!(all OutboxRow, tx.c(), sqlx::AssertSqlSafe(q), now + lease_us, now, limit)?;
    tx.commit().await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

pub(crate) async fn mark_delivered(
    store: &Store,
    id: i64,
    external_ref: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    sql!(execute tx.c(),
        "UPDATE outbox SET delivered_at = $1, external_ref = $2, locked_until = NULL, last_error = NULL WHERE id = $3",
        now, external_ref, id)?;
    tx.commit().await
}

/// A failed attempt: either due again at `retry_at`, or (when `None`) given up for good.
pub(crate) async fn mark_failed(
    store: &Store,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    match retry_at {
        Some(at) => sql!(execute tx.c(),
            "UPDATE outbox SET due_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3",
            at, error, id)?,
        None => sql!(execute tx.c(),
            "UPDATE outbox SET failed_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3",
            now, error, id)?,
    };
    tx.commit().await
}

/// Rows not yet delivered nor given up (the `/metrics` outbox depth).
pub(crate) async fn depth(c: &mut C<'_>) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sql!(
        one(i64,),
        c.reborrow(),
        "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"
    )?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    pub room: String,
    pub notification: String,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
}

pub(crate) async fn for_incident(
    c: &mut C<'_>,
    incident: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sql!(all DeliveryRow, c.reborrow(),
        "SELECT room, notification, attempts, delivered_at, failed_at, last_error FROM outbox \
         WHERE incident_id = $1 ORDER BY id", incident)
}
