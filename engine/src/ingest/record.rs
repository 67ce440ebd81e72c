//! What an ingested event records — its alert-log row, its timeline entry and the post it
//! causes — and in what words: the one place these come from, whichever writer applied the
//! event. Rows go into the transaction's [`Pending`].

use std::borrow::Cow;

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
    let rows = rows_for(alert, effect);
    let reason = rows.reason.as_deref();
    log_alert(p, alert, &key, rows.outcome, reason, rows.incident, now);
    if let Some(id) = rows.incident {
        if let Some((kind, message)) = rows.timeline {
            p.timeline(id, now, kind, &alert.actor, message);
        }
        match rows.post {
            Some(Post::Notice(n)) => p.outbox(room, Some(id), &n, now)?,
            Some(Post::AlertsAdded) => p.alerts_added(room, id, now)?,
            None => {}
        }
    }
    let number = IncidentNumber::from_db;
    Ok(match effect {
        Effect::Created(id) => Ingested::Created {
            number: number(id),
            dedup_key: key,
        },
        Effect::Deduplicated(id, status) => Ingested::Deduplicated {
            number: number(id),
            dedup_key: key,
            status,
        },
        Effect::Acknowledged(id) => Ingested::Acknowledged {
            number: number(id),
            dedup_key: key,
        },
        Effect::Resolved(id) => Ingested::Resolved {
            number: number(id),
            dedup_key: key,
        },
        Effect::Dropped(_) => Ingested::Dropped {
            dedup_key: key,
            reason: rows.reason.map(Cow::into_owned).unwrap_or_default(),
        },
    })
}

/// What an event's rows say, decided before any is written.
struct Rows<'a> {
    /// The alert log's outcome and reason.
    outcome: &'static str,
    reason: Option<Cow<'a, str>>,
    /// The incident the rows are about, if any.
    incident: Option<i64>,
    /// Its timeline entry, by the event's actor.
    timeline: Option<(TimelineKind, String)>,
    /// What its room is told.
    post: Option<Post>,
}

enum Post {
    Notice(Notification),
    /// "More alerts", once per incident and transaction.
    AlertsAdded,
}

fn rows_for(alert: &NewAlert, effect: Effect) -> Rows<'_> {
    let summary = match &alert.kind {
        AlertKind::Trigger { payload, .. } => payload.summary.as_str(),
        _ => "",
    };
    let actor = &alert.actor;
    match effect {
        Effect::Created(id) => Rows {
            outcome: "created",
            reason: None,
            incident: Some(id),
            timeline: Some((TimelineKind::Triggered, format!("Triggered: {summary}"))),
            post: Some(Post::Notice(Notification::IncidentOpened)),
        },
        // One more alert on an open incident: recorded, and nobody is paged again.
        Effect::Deduplicated(id, _) => Rows {
            outcome: "deduplicated",
            reason: Some(Cow::Borrowed(summary)),
            incident: Some(id),
            timeline: Some((TimelineKind::AlertAdded, format!("Alert again: {summary}"))),
            post: Some(Post::AlertsAdded),
        },
        Effect::Acknowledged(id) => Rows {
            outcome: "acknowledged",
            reason: None,
            incident: Some(id),
            timeline: Some((TimelineKind::Acknowledged, "Acknowledged".to_owned())),
            post: Some(Post::Notice(Notification::Acknowledged {
                actor: actor.clone(),
            })),
        },
        Effect::Resolved(id) => Rows {
            outcome: "resolved",
            reason: None,
            incident: Some(id),
            timeline: Some((TimelineKind::Resolved, "Resolved".to_owned())),
            post: Some(Post::Notice(Notification::Resolved {
                actor: actor.clone(),
                note: None,
            })),
        },
        Effect::Dropped(open) => {
            let reason = match open {
                Some(id) => format!("incident #{id} is already acknowledged"),
                None => "no open incident has this dedup key".to_owned(),
            };
            let ignored = |_| {
                let msg = format!("{} ignored: {reason}", alert.kind.action());
                (TimelineKind::Ignored, msg)
            };
            Rows {
                outcome: "dropped",
                timeline: open.map(ignored),
                reason: Some(Cow::Owned(reason)),
                incident: open,
                post: None,
            }
        }
    }
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
