//! Incident state changes as guarded conditional updates. Each function runs inside a caller's
//! transaction and writes the timeline entry and outbox row its change causes in that same
//! transaction: either all of it happens, or none.

use super::outbox::{self, Notification};
use super::rows::{INCIDENT_COLUMNS, IncidentRow};
use super::{C, sql};
use crate::alert::{AlertKind, Ingested, NewAlert, TriggerPayload};
use crate::ids::{DedupKey, IncidentNumber};
use crate::incident::{Incident, TimelineKind};
use crate::kinds::{Actor, IncidentStatus};

/// How many times a trigger retries after losing an insert race to another replica.
const RACE_RETRIES: usize = 3;

/// Applies one event. `room` is where the service posts; `now` in microseconds.
pub(crate) async fn ingest(
    c: &mut C<'_>,
    alert: &NewAlert,
    room: &str,
    now: i64,
) -> Result<Ingested, sqlx::Error> {
    match &alert.kind {
        AlertKind::Trigger { dedup_key, payload } => {
            let key = dedup_key.clone().unwrap_or_else(DedupKey::generate);
            trigger(c, alert, &key, payload, room, now).await
        }
        AlertKind::Acknowledge { dedup_key } => {
            acknowledge_by_key(c, alert, dedup_key, room, now).await
        }
        AlertKind::Resolve { dedup_key } => resolve_by_key(c, alert, dedup_key, room, now).await,
    }
}

async fn trigger(
    c: &mut C<'_>,
    alert: &NewAlert,
    key: &DedupKey,
    p: &TriggerPayload,
    room: &str,
    now: i64,
) -> Result<Ingested, sqlx::Error> {
    let service = alert.service.as_str();
    if let C::Pg(conn) = c {
        // Serialise replicas on this (service, key) for the rest of the transaction, so two
        // replicas never race to insert it; the loser would burn an incident number.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("{service}\u{1f}{key}"))
            .execute(&mut **conn)
            .await?;
    }
    for _ in 0..RACE_RETRIES {
        // An open incident with this key? Then it is one more alert on it, and nobody is paged again.
        let open: Option<(i64, String)> = sql!(
            optional(i64, String),
            c.reborrow(),
            "UPDATE incidents SET alert_count = alert_count + 1, last_alert_at = $1 \
             WHERE service = $2 AND dedup_key = $3 AND status <> 'resolved' RETURNING id, status",
            now,
            service,
            key.as_str()
        )?;
        if let Some((id, status)) = open {
            log_alert(
                c,
                alert,
                key,
                "deduplicated",
                Some(&p.summary),
                Some(id),
                now,
            )
            .await?;
            let msg = format!("Alert again: {}", p.summary);
            add_timeline(c, id, now, TimelineKind::AlertAdded, &alert.actor, &msg).await?;
            return Ok(Ingested::Deduplicated {
                number: IncidentNumber::from_db(id),
                dedup_key: key.clone(),
                status: status.parse().unwrap_or(IncidentStatus::Triggered),
            });
        }
        let details = serde_json::to_string(&p.details).unwrap_or_else(|_| "{}".to_owned());
        // ON CONFLICT: another replica may have opened it since our UPDATE; then dedup instead.
        let created: Option<(i64,)> = sql!(
            optional(i64,),
            c.reborrow(),
            "INSERT INTO incidents (service, dedup_key, title, source, severity, status, alert_count, \
             created_at, last_alert_at, details) VALUES ($1, $2, $3, $4, $5, 'triggered', 1, $6, $6, $7) \
             ON CONFLICT (service, dedup_key) WHERE status <> 'resolved' DO NOTHING RETURNING id",
            service,
            key.as_str(),
            &p.summary,
            p.source.as_deref(),
            p.severity.as_str(),
            now,
            details
        )?;
        if let Some((id,)) = created {
            log_alert(c, alert, key, "created", None, Some(id), now).await?;
            let msg = format!("Triggered: {}", p.summary);
            add_timeline(c, id, now, TimelineKind::Triggered, &alert.actor, &msg).await?;
            outbox::enqueue(c, room, Some(id), &Notification::IncidentOpened, now).await?;
            return Ok(Ingested::Created {
                number: IncidentNumber::from_db(id),
                dedup_key: key.clone(),
            });
        }
    }
    Err(sqlx::Error::Protocol(format!(
        "dedup key {key} kept changing under concurrent writers"
    )))
}

async fn acknowledge_by_key(
    c: &mut C<'_>,
    alert: &NewAlert,
    key: &DedupKey,
    room: &str,
    now: i64,
) -> Result<Ingested, sqlx::Error> {
    let acked: Option<(i64,)> = sql!(
        optional(i64,),
        c.reborrow(),
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, acknowledged_via = $3 \
         WHERE service = $4 AND dedup_key = $5 AND status = 'triggered' RETURNING id",
        now,
        &alert.actor.name,
        alert.actor.channel.as_str(),
        alert.service.as_str(),
        key.as_str()
    )?;
    match acked {
        Some((id,)) => {
            log_alert(c, alert, key, "acknowledged", None, Some(id), now).await?;
            add_timeline(
                c,
                id,
                now,
                TimelineKind::Acknowledged,
                &alert.actor,
                "Acknowledged",
            )
            .await?;
            outbox::enqueue(
                c,
                room,
                Some(id),
                &Notification::Acknowledged {
                    actor: alert.actor.clone(),
                },
                now,
            )
            .await?;
            Ok(Ingested::Acknowledged {
                number: IncidentNumber::from_db(id),
                dedup_key: key.clone(),
            })
        }
        None => drop_event(c, alert, key, "already acknowledged", now).await,
    }
}

async fn resolve_by_key(
    c: &mut C<'_>,
    alert: &NewAlert,
    key: &DedupKey,
    room: &str,
    now: i64,
) -> Result<Ingested, sqlx::Error> {
    let resolved: Option<(i64,)> = sql!(
        optional(i64,),
        c.reborrow(),
        "UPDATE incidents SET status = 'resolved', resolved_at = $1, resolved_by = $2, resolved_via = $3 \
         WHERE service = $4 AND dedup_key = $5 AND status <> 'resolved' RETURNING id",
        now,
        &alert.actor.name,
        alert.actor.channel.as_str(),
        alert.service.as_str(),
        key.as_str()
    )?;
    match resolved {
        Some((id,)) => {
            log_alert(c, alert, key, "resolved", None, Some(id), now).await?;
            add_timeline(c, id, now, TimelineKind::Resolved, &alert.actor, "Resolved").await?;
            outbox::enqueue(
                c,
                room,
                Some(id),
                &Notification::Resolved {
                    actor: alert.actor.clone(),
                    note: None,
                },
                now,
            )
            .await?;
            Ok(Ingested::Resolved {
                number: IncidentNumber::from_db(id),
                dedup_key: key.clone(),
            })
        }
        None => drop_event(c, alert, key, "already resolved", now).await,
    }
}

/// Records an acknowledge/resolve that changed nothing. If an open incident has the key (so it was
/// an acknowledge of an acknowledged incident) the drop shows on its timeline; otherwise the key is
/// unknown or its incident already resolved.
async fn drop_event(
    c: &mut C<'_>,
    alert: &NewAlert,
    key: &DedupKey,
    if_open: &str,
    now: i64,
) -> Result<Ingested, sqlx::Error> {
    let open: Option<(i64,)> = sql!(
        optional(i64,),
        c.reborrow(),
        "SELECT id FROM incidents WHERE service = $1 AND dedup_key = $2 AND status <> 'resolved'",
        alert.service.as_str(),
        key.as_str()
    )?;
    let reason = match open {
        Some((id,)) => format!("incident #{id} is {if_open}"),
        None => "no open incident has this dedup key".to_owned(),
    };
    log_alert(
        c,
        alert,
        key,
        "dropped",
        Some(&reason),
        open.map(|(id,)| id),
        now,
    )
    .await?;
    if let Some((id,)) = open {
        let msg = format!("{} ignored: {reason}", alert.kind.action());
        add_timeline(c, id, now, TimelineKind::Ignored, &alert.actor, &msg).await?;
    }
    Ok(Ingested::Dropped {
        dedup_key: key.clone(),
        reason,
    })
}

async fn log_alert(
    c: &mut C<'_>,
    alert: &NewAlert,
    key: &DedupKey,
    outcome: &str,
    reason: Option<&str>,
    incident: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(&alert.raw).unwrap_or_else(|_| "null".to_owned());
    sql!(execute c.reborrow(),
        "INSERT INTO alerts (service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at, payload) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        alert.service.as_str(), key.as_str(), alert.kind.action().as_str(), outcome, reason, incident,
        &alert.actor.name, alert.actor.channel.as_str(), now, payload)?;
    Ok(())
}

pub(crate) async fn add_timeline(
    c: &mut C<'_>,
    incident: i64,
    now: i64,
    kind: TimelineKind,
    actor: &Actor,
    message: &str,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "INSERT INTO timeline (incident_id, at, kind, actor, channel, message) VALUES ($1, $2, $3, $4, $5, $6)",
        incident, now, kind.as_str(), &actor.name, actor.channel.as_str(), message)?;
    Ok(())
}

/// Guarded acknowledge by a person. `Ok(None)` when the incident was not in `triggered` state
/// (the caller loads it to explain why).
pub(crate) async fn acknowledge(
    c: &mut C<'_>,
    n: IncidentNumber,
    by: &Actor,
    room: &str,
    now: i64,
) -> Result<Option<Incident>, sqlx::Error> {
    let q = format!(
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, acknowledged_via = $3 \
         WHERE id = $4 AND status = 'triggered' RETURNING {INCIDENT_COLUMNS}"
    );
    let row = sql!(optional IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, &by.name, by.channel.as_str(), n.get())?;
    let Some(row) = row else { return Ok(None) };
    add_timeline(
        c,
        n.get(),
        now,
        TimelineKind::Acknowledged,
        by,
        "Acknowledged",
    )
    .await?;
    outbox::enqueue(
        c,
        room,
        Some(n.get()),
        &Notification::Acknowledged { actor: by.clone() },
        now,
    )
    .await?;
    Ok(Some(row.into()))
}

/// Guarded resolve by a person, with an optional note. `Ok(None)` when already resolved.
pub(crate) async fn resolve(
    c: &mut C<'_>,
    n: IncidentNumber,
    by: &Actor,
    note: Option<&str>,
    room: &str,
    now: i64,
) -> Result<Option<Incident>, sqlx::Error> {
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
    add_timeline(c, n.get(), now, TimelineKind::Resolved, by, &msg).await?;
    let notification = Notification::Resolved {
        actor: by.clone(),
        note: note.map(str::to_owned),
    };
    outbox::enqueue(c, room, Some(n.get()), &notification, now).await?;
    Ok(Some(row.into()))
}

pub(crate) async fn add_note(
    c: &mut C<'_>,
    n: IncidentNumber,
    by: &Actor,
    text: &str,
    room: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    add_timeline(c, n.get(), now, TimelineKind::Note, by, text).await?;
    outbox::enqueue(
        c,
        room,
        Some(n.get()),
        &Notification::Note {
            actor: by.clone(),
            text: text.to_owned(),
        },
        now,
    )
    .await?;
    Ok(())
}
