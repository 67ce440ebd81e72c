//! Incident state changes by people (acknowledge, resolve, note) as guarded conditional updates,
//! and [`record`]: the alert-log, timeline and outbox rows every change causes, with their
//! wording, used by these and by the batch ingest (`batch`). Each function runs inside a caller's
//! transaction; the alert-log rows, timeline entries and outbox rows a change causes go into a
//! [`Pending`] that the caller flushes in the same transaction, so either all of it happens or
//! none.

use super::pending::{AlertRow, Pending};
use super::rows::{INCIDENT_COLUMNS, IncidentRow};
use super::{C, sql};
use crate::domain::alert::{AlertKind, Ingested, NewAlert};
use crate::domain::clock::Timestamp;
use crate::domain::ids::{DedupKey, IncidentNumber};
use crate::domain::incident::{Incident, TimelineKind};
use crate::domain::kinds::{Actor, IncidentStatus};
use crate::domain::notification::Notification;

/// What one event did to which incident (by id).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Effect {
    Created(i64),
    Deduplicated(i64, IncidentStatus),
    Acknowledged(i64),
    Resolved(i64),
    /// Changed nothing; `Some` when an open incident has the key (an acknowledge of an
    /// acknowledged incident), `None` when no open incident has it.
    Dropped(Option<i64>),
}

/// Writes what an event did — alert log, timeline, the chat post it causes — and says so to the
/// caller. The one place these rows and their wording come from, whichever writer applied it.
pub(crate) fn record(
    p: &mut Pending,
    alert: &NewAlert,
    key: DedupKey,
    effect: Effect,
    room: &str,
    now: Timestamp,
) -> Result<Ingested, sqlx::Error> {
    let summary = match &alert.kind {
        AlertKind::Trigger { payload, .. } => payload.summary.as_str(),
        _ => "",
    };
    let actor = &alert.actor;
    Ok(match effect {
        Effect::Created(id) => {
            log_alert(p, alert, &key, "created", None, Some(id), now);
            p.timeline(
                id,
                now,
                TimelineKind::Triggered,
                actor,
                format!("Triggered: {summary}"),
            );
            p.outbox(room, Some(id), &Notification::IncidentOpened, now)?;
            Ingested::Created {
                number: IncidentNumber::from_db(id),
                dedup_key: key,
            }
        }
        Effect::Deduplicated(id, status) => {
            // One more alert on an open incident: recorded, and nobody is paged again.
            log_alert(p, alert, &key, "deduplicated", Some(summary), Some(id), now);
            p.timeline(
                id,
                now,
                TimelineKind::AlertAdded,
                actor,
                format!("Alert again: {summary}"),
            );
            p.alerts_added(room, id, now)?;
            Ingested::Deduplicated {
                number: IncidentNumber::from_db(id),
                dedup_key: key,
                status,
            }
        }
        Effect::Acknowledged(id) => {
            log_alert(p, alert, &key, "acknowledged", None, Some(id), now);
            p.timeline(
                id,
                now,
                TimelineKind::Acknowledged,
                actor,
                "Acknowledged".to_owned(),
            );
            p.outbox(
                room,
                Some(id),
                &Notification::Acknowledged {
                    actor: actor.clone(),
                },
                now,
            )?;
            Ingested::Acknowledged {
                number: IncidentNumber::from_db(id),
                dedup_key: key,
            }
        }
        Effect::Resolved(id) => {
            log_alert(p, alert, &key, "resolved", None, Some(id), now);
            p.timeline(
                id,
                now,
                TimelineKind::Resolved,
                actor,
                "Resolved".to_owned(),
            );
            p.outbox(
                room,
                Some(id),
                &Notification::Resolved {
                    actor: actor.clone(),
                    note: None,
                },
                now,
            )?;
            Ingested::Resolved {
                number: IncidentNumber::from_db(id),
                dedup_key: key,
            }
        }
        Effect::Dropped(open) => {
            let reason = match open {
                Some(id) => format!("incident #{id} is already acknowledged"),
                None => "no open incident has this dedup key".to_owned(),
            };
            log_alert(p, alert, &key, "dropped", Some(&reason), open, now);
            if let Some(id) = open {
                let msg = format!("{} ignored: {reason}", alert.kind.action());
                p.timeline(id, now, TimelineKind::Ignored, actor, msg);
            }
            Ingested::Dropped {
                dedup_key: key,
                reason,
            }
        }
    })
}

/// A trigger silenced by maintenance window `window`: logged with why, nothing else.
pub(crate) fn record_suppressed(
    p: &mut Pending,
    alert: &NewAlert,
    key: DedupKey,
    window: i64,
    matcher: &crate::domain::maintenance::Matcher,
    now: Timestamp,
) -> Ingested {
    let reason = format!("maintenance window {window} ({matcher})");
    log_alert(p, alert, &key, "suppressed", Some(&reason), None, now);
    Ingested::Suppressed {
        dedup_key: key,
        window,
    }
}

fn log_alert(
    p: &mut Pending,
    alert: &NewAlert,
    key: &DedupKey,
    outcome: &'static str,
    reason: Option<&str>,
    incident: Option<i64>,
    now: Timestamp,
) {
    p.alert(AlertRow {
        service: alert.service.as_str().to_owned(),
        dedup_key: key.as_str().to_owned(),
        action: alert.kind.action().as_str(),
        outcome,
        reason: reason.map(str::to_owned),
        incident_id: incident,
        actor: alert.actor.name.clone(),
        channel: alert.actor.channel.as_str(),
        received_at: now,
        payload: serde_json::to_string(&alert.raw).unwrap_or_else(|_| "null".to_owned()),
    });
}

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
