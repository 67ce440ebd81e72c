//! What an ingested event records — its alert-log row, its timeline entry and the post it
//! causes — and in what words: the one place these come from, whichever writer applied the
//! event. Rows go into the transaction's [`Pending`].

use crate::domain::alert::{AlertKind, Ingested, NewAlert};
use crate::domain::clock::Timestamp;
use crate::domain::ids::{DedupKey, IncidentNumber};
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::IncidentStatus;
use crate::domain::notification::Notification;
use crate::store::pending::{AlertRow, Pending};

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
