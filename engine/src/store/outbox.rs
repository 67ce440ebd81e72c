//! The transactional outbox: rows written beside the state change that causes them, claimed by a
//! delivery worker, delivered in order per incident, retried with backoff, settled exactly once.

use super::{C, Store, sql};
use crate::domain::clock::Timestamp;
use crate::domain::kinds::Actor;
use crate::domain::notification::Notification;

/// Matches the outbox rows that are pages (`Notification::Paged`), not status notices or other
/// messages to the same person: serde writes the `kind` tag first.
pub(crate) const IS_PAGE: &str = "notification LIKE '{\"kind\":\"paged\"%'";

/// Whom an outbox row is for: the room, or one person by one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Addressee<'a> {
    Room,
    Person {
        user: &'a str,
        method: crate::domain::kinds::ContactMethod,
    },
    /// A webhook subscription (method `hook`): its rows keep their own order per incident, so
    /// one failing receiver never holds up another.
    Hook {
        subscription: &'a str,
    },
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub id: i64,
    pub room: String,
    pub incident_id: Option<i64>,
    pub notification: String,
    pub attempts: i64,
    /// `room`, or the contact method for a row addressed to `recipient`.
    pub method: String,
    pub recipient: Option<String>,
}

/// Rows that are due, not locked by another worker, and have no earlier undelivered row for the
/// same incident and addressee (so "acknowledged" is never shown before "opened", and a person's
/// SMS retrying for an hour holds up nothing but that person's later SMS).
const CLAIMABLE: &str = "SELECT id FROM outbox o \
     WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.due_at <= $2 {LANE} \
       AND (o.locked_until IS NULL OR o.locked_until < $2) \
       AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.id < o.id \
                       AND e.method = o.method AND COALESCE(e.recipient, '') = COALESCE(o.recipient, '') \
                       AND COALESCE(e.delivered_at, e.failed_at) IS NULL) \
     ORDER BY o.due_at, o.id LIMIT $3";

/// A claim on outbox rows: a random token stamped on every row it took. Only its holder may send
/// or settle them, and only while [`hold`] still finds the token on the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClaimToken(i64);

impl ClaimToken {
    pub(crate) fn new() -> ClaimToken {
        let (hi, _) = uuid::Uuid::new_v4().as_u64_pair();
        ClaimToken(i64::from_ne_bytes(hi.to_ne_bytes()))
    }
}

/// The due rows `lane` may claim. Each lane's method filter is written exactly as its partial
/// index's (`outbox_due_*`, migration 0011), so the claim reads only that lane's rows.
fn claimable(lane: crate::domain::notification::Lane) -> String {
    use crate::domain::notification::Lane;
    let lane = match lane {
        Lane::All => "",
        Lane::Chat => "AND o.method IN ('room', 'chat')",
        Lane::Direct => "AND o.method IN ('sms', 'voice', 'email')",
        Lane::Hooks => "AND o.method = 'hook'",
    };
    CLAIMABLE.replace("{LANE}", lane)
}

/// The claim: `$1` lease end, `$2` now, `$3` limit, `$4` token.
pub(crate) fn claim_query(pg: bool, lane: crate::domain::notification::Lane) -> String {
    format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1, claim_token = $4 WHERE id IN ({}{}) \
         RETURNING id, room, incident_id, notification, attempts, method, recipient",
        claimable(lane),
        if pg { " FOR UPDATE SKIP LOCKED" } else { "" }
    )
}

/// Claims up to `limit` due rows for `lease` under `token`. On PostgreSQL `FOR
/// UPDATE SKIP LOCKED` lets several replicas claim side by side without ever taking the same row;
/// SQLite's single writer (BEGIN IMMEDIATE) gives the same guarantee.
pub(crate) async fn claim(
    store: &Store,
    now: Timestamp,
    lease: chrono::Duration,
    limit: i64,
    lane: crate::domain::notification::Lane,
    token: ClaimToken,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let q = claim_query(store.is_postgres(), lane);
    if let Store::Sqlite(..) = store {
        // An empty claim would still wait its turn for SQLite's one write lock (behind ingest)
        // and cost a commit: look first, as a reader (WAL readers never wait for the writer).
        let look = format!("SELECT id FROM ({}) AS c", claimable(lane))
            .replace("$2", "$1")
            .replace("$3", "1");
        let mut conn = store.conn().await?;
        if sql!(optional(i64,), conn.c(), sqlx::AssertSqlSafe(look), now)?.is_none() {
            return Ok(Vec::new());
        }
    }
    let mut tx = store.begin().await?;
    let mut rows =
        sql!(all OutboxRow, tx.c(), sqlx::AssertSqlSafe(q), now + lease, now, limit, token.0)?;
    tx.commit().await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Extends the lease of every row `token` still holds and has not settled to `until`; how many.
/// The claim's heartbeat: a batch whose sends are slow keeps its rows, a dead worker's rows
/// come free one lease after its last heartbeat.
pub(crate) async fn renew(
    store: &Store,
    token: ClaimToken,
    until: Timestamp,
) -> Result<u64, sqlx::Error> {
    let mut tx = store.begin().await?;
    let n = sql!(execute tx.c(),
        "UPDATE outbox SET locked_until = $1 WHERE claim_token = $2 AND delivered_at IS NULL AND failed_at IS NULL",
        until, token.0)?;
    tx.commit().await?;
    Ok(n)
}

/// A row about to be sent, as it stands the moment before: still ours, and its incident now.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub incident: Option<crate::domain::incident::Incident>,
    /// The incident's escalation generation (bumped by `!escalate` and ack-timeout re-triggers).
    pub esc_gen: Option<i64>,
}

/// Re-checks, just before sending, that `token` still holds row `id` and the row is unsettled,
/// extending its lease to `until`; reads the row's incident in the same transaction. `None`:
/// the claim was lost (another worker took the row over, or it was settled): do not send.
pub(crate) async fn hold(
    store: &Store,
    id: i64,
    incident_id: Option<i64>,
    token: ClaimToken,
    until: Timestamp,
) -> Result<Option<Held>, sqlx::Error> {
    let mut tx = store.begin().await?;
    let n = sql!(execute tx.c(),
        "UPDATE outbox SET locked_until = $1 WHERE id = $2 AND claim_token = $3 AND delivered_at IS NULL AND failed_at IS NULL",
        until, id, token.0)?;
    if n == 0 {
        tx.commit().await?;
        return Ok(None);
    }
    let mut held = Held {
        incident: None,
        esc_gen: None,
    };
    if let Some(incident) = incident_id {
        let n = crate::domain::ids::IncidentNumber::from_db(incident);
        held.incident = super::queries::get(&mut tx.c(), n).await?;
        held.esc_gen = sql!(
            optional(i64,),
            tx.c(),
            "SELECT esc_gen FROM incidents WHERE id = $1",
            incident
        )?
        .map(|(g,)| g);
    }
    tx.commit().await?;
    Ok(Some(held))
}

/// Settles the not-yet-delivered copies of a row that was just delivered for the same incident
/// (used for [`Notification::AlertsAdded`], where delivering the newest state once is enough).
pub(crate) async fn coalesce(
    store: &Store,
    delivered: i64,
    incident_id: i64,
    notification: &str,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let mut tx = store.begin().await?;
    let n = sql!(execute tx.c(),
        "UPDATE outbox SET delivered_at = $1, last_error = 'coalesced', locked_until = NULL \
         WHERE incident_id = $2 AND id > $3 AND method = 'room' AND notification = $4 \
           AND delivered_at IS NULL AND failed_at IS NULL",
        now, incident_id, delivered, notification)?;
    tx.commit().await?;
    Ok(n)
}

/// Makes every waiting chat row due now: the chat platform is reachable again, and posts that
/// failed during its outage should not sit out the rest of their backoff.
pub(crate) async fn hurry_chat(store: &Store, now: Timestamp) -> Result<u64, sqlx::Error> {
    let mut tx = store.begin().await?;
    let n = sql!(execute tx.c(),
        "UPDATE outbox SET due_at = $1 WHERE method IN ('room', 'chat') AND due_at > $1 \
           AND attempts > 0 AND delivered_at IS NULL AND failed_at IS NULL",
        now)?;
    tx.commit().await?;
    Ok(n)
}

/// A timeline entry a delivery outcome adds ("Notified Alice by SMS (level 1)").
#[derive(Debug, Clone)]
pub(crate) struct TimelineNote {
    pub incident_id: i64,
    pub kind: crate::domain::incident::TimelineKind,
    pub channel: crate::domain::kinds::Channel,
    pub message: String,
    /// A post for the incident's room saying the same (room, notification), written in the same
    /// transaction: how a page by phone or email shows up in the chat thread.
    pub room_echo: Option<(String, Notification)>,
}

impl TimelineNote {
    fn write(self, p: &mut super::pending::Pending, now: Timestamp) -> Result<(), sqlx::Error> {
        let actor = Actor::new("firebell", self.channel);
        p.timeline(self.incident_id, now, self.kind, &actor, self.message);
        if let Some((room, n)) = self.room_echo {
            p.outbox(&room, Some(self.incident_id), &n, now)?;
        }
        Ok(())
    }
}

/// Settles a row as delivered, once: a row already settled (a second worker after a lease ran
/// out) changes nothing and adds no second timeline entry.
pub(crate) async fn mark_delivered(
    store: &Store,
    id: i64,
    token: ClaimToken,
    d: &crate::domain::notification::Delivered,
    note: Option<TimelineNote>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    let changed = sql!(execute tx.c(),
        "UPDATE outbox SET delivered_at = $1, external_ref = $2, provider = $3, locked_until = NULL, last_error = NULL \
         WHERE id = $4 AND claim_token = $5 AND delivered_at IS NULL AND failed_at IS NULL",
        now, d.external_ref.as_deref(), d.provider.as_deref(), id, token.0)?;
    settled(tx, changed, note, now).await
}

/// Commits a settle, with its timeline note when the settle took (`changed` is 1): a row
/// another worker settled first gets no second note.
async fn settled(
    mut tx: super::Tx,
    changed: u64,
    note: Option<TimelineNote>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if changed == 1
        && let Some(note) = note
    {
        let mut p = super::pending::Pending::default();
        note.write(&mut p, now)?;
        p.flush(&mut tx.c()).await?;
    }
    tx.commit().await
}

/// How a row that will not be sent is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settle {
    /// Delivery failed for good.
    GaveUp,
    /// The incident no longer wants it (a page after the ack): not a failure.
    Cancelled,
}

/// Gives a row up for good (or cancels it), saying why on the incident's timeline when `note` is
/// given. Only the holder of `token` can.
pub(crate) async fn mark_gave_up(
    store: &Store,
    id: i64,
    token: ClaimToken,
    how: Settle,
    error: &str,
    note: Option<TimelineNote>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let cancelled = (how == Settle::Cancelled).then_some(now);
    let mut tx = store.begin().await?;
    let changed = sql!(execute tx.c(),
        "UPDATE outbox SET failed_at = $1, cancelled_at = $2, locked_until = NULL, last_error = $3 \
         WHERE id = $4 AND claim_token = $5 AND delivered_at IS NULL AND failed_at IS NULL",
        now, cancelled, error, id, token.0)?;
    settled(tx, changed, note, now).await
}

/// A failed attempt: either due again at `retry_at`, or (when `None`) given up for good. Only the
/// holder of `token` can, and only while the row is unsettled.
pub(crate) async fn mark_failed(
    store: &Store,
    id: i64,
    token: ClaimToken,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut tx = store.begin().await?;
    match retry_at {
        Some(at) => sql!(execute tx.c(),
            "UPDATE outbox SET due_at = $1, locked_until = NULL, last_error = $2 \
             WHERE id = $3 AND claim_token = $4 AND delivered_at IS NULL AND failed_at IS NULL",
            at, error, id, token.0)?,
        None => sql!(execute tx.c(),
            "UPDATE outbox SET failed_at = $1, locked_until = NULL, last_error = $2 \
             WHERE id = $3 AND claim_token = $4 AND delivered_at IS NULL AND failed_at IS NULL",
            now, error, id, token.0)?,
    };
    tx.commit().await
}

/// Makes the unsettled pages of these incidents due now, so the workers settle them at once:
/// called in the transaction that acknowledged or resolved them, so a page waiting out a
/// provider's backoff is cancelled (with its timeline line) within moments of the ack rather
/// than whenever its retry would have come due.
pub(crate) async fn hurry_pages(
    c: &mut C<'_>,
    incidents: &[i64],
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    if incidents.is_empty() {
        return Ok(0);
    }
    // Integers only, so building the list into the SQL text is safe.
    let ids: Vec<String> = incidents.iter().map(i64::to_string).collect();
    let q = format!(
        "UPDATE outbox SET due_at = $1 WHERE incident_id IN ({}) AND method IN ('chat', 'sms', 'voice', 'email') \
         AND delivered_at IS NULL AND failed_at IS NULL AND due_at > $1 AND {IS_PAGE}",
        ids.join(", ")
    );
    sql!(execute c.reborrow(), sqlx::AssertSqlSafe(q), now)
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
    pub method: String,
    pub recipient: Option<String>,
    pub provider: Option<String>,
    pub notification: String,
    pub attempts: i64,
    pub delivered_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

pub(crate) async fn for_incident(
    c: &mut C<'_>,
    incident: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sql!(all DeliveryRow, c.reborrow(),
        "SELECT room, method, recipient, provider, notification, attempts, delivered_at, failed_at, last_error FROM outbox \
         WHERE incident_id = $1 ORDER BY id", incident)
}

#[cfg(test)]
mod tests;
