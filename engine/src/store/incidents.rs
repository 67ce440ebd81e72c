//! Incident state changes by people (acknowledge, resolve, note) as guarded conditional updates.
//! Each function runs inside a caller's transaction; the timeline entries and outbox rows a change
//! causes go into a [`Pending`] that the caller flushes in the same transaction, so either all of
//! it happens or none. (What an ingested event records, and in what words, is the ingest use
//! case's: `ingest::record`.)

use super::pending::Pending;
use super::rows::{INCIDENT_COLUMNS, IncidentRow};
use super::{C, sql};
use crate::domain::clock::Timestamp;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{Incident, TimelineKind};
use crate::domain::kinds::Actor;
use crate::domain::notification::Notification;

/// Guarded acknowledge by a person. `Ok(None)` when the incident was not in `triggered` state
/// (the caller loads it to explain why).
/// PostgreSQL: takes the transaction-scoped lock batch ingest takes for this incident's (service,
/// dedup key), so a person's acknowledge/resolve and a batch's events for the same incident never
/// interleave between the batch's read and its write. (SQLite's write lock already serialises.)
pub(crate) async fn lock_incident_key(c: &mut C<'_>, n: IncidentNumber) -> Result<(), sqlx::Error> {
    if let C::Pg(conn) = c.reborrow() {
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtextextended(service || chr(31) || dedup_key, 0)) FROM incidents WHERE id = $1",
        )
        .bind(n.get())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// [`lock_incident_key`] without waiting: `false` when another transaction holds it (a batch
/// between its read and its write). Sweeps that change many incidents in one transaction use it
/// and leave a busy incident to the next tick, so they never wait on a batch that waits on them.
pub(crate) async fn try_lock_incident_key(
    c: &mut C<'_>,
    n: IncidentNumber,
) -> Result<bool, sqlx::Error> {
    let C::Pg(conn) = c.reborrow() else {
        return Ok(true);
    };
    let got: Option<bool> = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtextextended(service || chr(31) || dedup_key, 0)) FROM incidents WHERE id = $1",
    )
    .bind(n.get())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(got.unwrap_or(false))
}

pub(crate) async fn acknowledge(
    c: &mut C<'_>,
    p: &mut Pending,
    n: IncidentNumber,
    by: &Actor,
    room: &str,
    now: Timestamp,
) -> Result<Option<Incident>, sqlx::Error> {
    lock_incident_key(c, n).await?;
    let q = format!(
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, acknowledged_via = $3 \
         WHERE id = $4 AND status = 'triggered' RETURNING {INCIDENT_COLUMNS}"
    );
    let row = sql!(optional IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, &by.name, by.channel.as_str(), n.get())?;
    let Some(row) = row else { return Ok(None) };
    p.timeline(
        n.get(),
        now,
        TimelineKind::Acknowledged,
        by,
        "Acknowledged".to_owned(),
    );
    p.outbox(
        room,
        Some(n.get()),
        &Notification::Acknowledged { actor: by.clone() },
        now,
    )?;
    Ok(Some(row.into()))
}

/// Guarded resolve by a person, with an optional note. `Ok(None)` when already resolved.
pub(crate) async fn resolve(
    c: &mut C<'_>,
    p: &mut Pending,
    n: IncidentNumber,
    by: &Actor,
    note: Option<&str>,
    room: &str,
    now: Timestamp,
) -> Result<Option<Incident>, sqlx::Error> {
    lock_incident_key(c, n).await?;
    let q = format!(
        "UPDATE incidents SET status = 'resolved', resolved_at = $1, resolved_by = $2, resolved_via = $3 \
         WHERE id = $4 AND status <> 'resolved' RETURNING {INCIDENT_COLUMNS}"
    );
    let row = sql!(optional IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, &by.name, by.channel.as_str(), n.get())?;
    let Some(row) = row else { return Ok(None) };
    let msg = match note {
        Some(note) => format!("Resolved: {note}"),
        None => "Resolved".to_owned(),
    };
    p.timeline(n.get(), now, TimelineKind::Resolved, by, msg);
    let notification = Notification::Resolved {
        actor: by.clone(),
        note: note.map(str::to_owned),
    };
    p.outbox(room, Some(n.get()), &notification, now)?;
    Ok(Some(row.into()))
}

pub(crate) fn add_note(
    p: &mut Pending,
    n: IncidentNumber,
    by: &Actor,
    text: &str,
    room: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    p.timeline(n.get(), now, TimelineKind::Note, by, text.to_owned());
    p.outbox(
        room,
        Some(n.get()),
        &Notification::Note {
            actor: by.clone(),
            text: text.to_owned(),
        },
        now,
    )
}
