//! The verbs people use on one incident: acknowledge, resolve, add a note; and reading incidents
//! and their timelines.

use chrono::{DateTime, Utc};
use tracing::info;

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::incident::{Incident, IncidentFilter, TimelineEntry};
use crate::domain::kinds::{Actor, IncidentStatus};
use crate::records::human_ago;
use crate::store::pending::Pending;
use crate::store::{incidents, queries};

/// What a person does to an incident through [`act`].
#[derive(Clone, Copy)]
enum Action<'a> {
    Acknowledge,
    Resolve(Option<&'a str>),
}

impl Action<'_> {
    fn verb(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::Resolve(_) => "resolve",
        }
    }
}

/// Longest note (and resolve note) accepted, from any channel.
pub const MAX_NOTE_CHARS: usize = 4096;

#[tracing::instrument(skip_all, fields(incident = %n))]
pub async fn acknowledge(
    ctx: &Ctx,
    n: IncidentNumber,
    by: &Actor,
) -> Result<Incident, EngineError> {
    act(ctx, n, by, Action::Acknowledge).await
}

#[tracing::instrument(skip_all, fields(incident = %n))]
pub async fn resolve(
    ctx: &Ctx,
    n: IncidentNumber,
    by: &Actor,
    note: Option<&str>,
) -> Result<Incident, EngineError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(note) = note {
        check_note(note)?;
    }
    act(ctx, n, by, Action::Resolve(note)).await
}

/// A person's guarded change to one incident, with its timeline entry and chat post committed
/// together; when the guard refuses, says why from the incident's current state.
async fn act(
    ctx: &Ctx,
    n: IncidentNumber,
    by: &Actor,
    action: Action<'_>,
) -> Result<Incident, EngineError> {
    let current = incident(ctx, n).await?;
    let room = ctx.room_of(&current.service)?;
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    let mut pending = Pending::with_hooks(ctx.hooks());
    let changed = match action {
        Action::Acknowledge => {
            incidents::acknowledge(&mut tx.c(), &mut pending, n, by, &room, now).await?
        }
        Action::Resolve(note) => {
            incidents::resolve(&mut tx.c(), &mut pending, n, by, note, &room, now).await?
        }
    };
    if let Some(i) = &changed {
        let changes = [(n.get(), room.as_str(), i.status, by)];
        crate::store::escalation::notify_paged(&mut tx.c(), &mut pending, &changes, now).await?;
    }
    pending.flush(&mut tx.c()).await?;
    tx.commit().await?;
    match changed {
        Some(incident) => {
            info!(incident = %n, by = %by, action = action.verb(), "changed");
            ctx.nudge_workers();
            Ok(incident)
        }
        None => Err(why_not(ctx, n, action.verb()).await),
    }
}

/// Explains a guarded update that changed nothing, from the incident's current state.
async fn why_not(ctx: &Ctx, n: IncidentNumber, verb: &str) -> EngineError {
    let incident = match incident(ctx, n).await {
        Ok(i) => i,
        Err(e) => return e,
    };
    let ago = |t: Option<DateTime<Utc>>| {
        t.map(|t| human_ago(ctx.clock().now() - t))
            .unwrap_or_default()
    };
    let msg = match incident.status {
        IncidentStatus::Resolved => format!(
            "incident {n} is already resolved (by {}{}) — nothing to {verb}",
            incident.resolved_by.as_deref().unwrap_or("someone"),
            ago(incident.resolved_at)
        ),
        IncidentStatus::Acknowledged => format!(
            "incident {n} is already acknowledged (by {}{})",
            incident.acknowledged_by.as_deref().unwrap_or("someone"),
            ago(incident.acknowledged_at)
        ),
        IncidentStatus::Triggered => format!("incident {n} changed while you asked; try again"),
    };
    EngineError::User(UserError::new(msg))
}

pub async fn add_note(
    ctx: &Ctx,
    n: IncidentNumber,
    by: &Actor,
    text: &str,
) -> Result<Incident, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EngineError::user("a note needs some text"));
    }
    check_note(text)?;
    let incident = incident(ctx, n).await?;
    let room = ctx.room_of(&incident.service)?;
    let now = Timestamp::now(ctx.clock());
    let mut pending = Pending::with_hooks(ctx.hooks());
    incidents::add_note(&mut pending, n, by, text, &room, now)?;
    let mut tx = ctx.store().begin().await?;
    pending.flush(&mut tx.c()).await?;
    tx.commit().await?;
    ctx.outbox_nudge().notify_one();
    Ok(incident)
}

/// The newest incident of `service` whose dedup key is `key` (open or not), or `NotFound`.
pub async fn incident_for_key(
    ctx: &Ctx,
    service: &ServiceName,
    key: &DedupKey,
) -> Result<Incident, EngineError> {
    let mut conn = ctx.store().conn().await?;
    queries::latest_for_key(&mut conn.c(), service, key)
        .await?
        .ok_or_else(|| {
            EngineError::NotFound(format!(
                "no incident of service `{service}` has the dedup key `{key}`"
            ))
        })
}

/// The incident, or `NotFound` with a message for the user.
pub async fn incident(ctx: &Ctx, n: IncidentNumber) -> Result<Incident, EngineError> {
    let mut conn = ctx.store().conn().await?;
    queries::get(&mut conn.c(), n)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("there is no incident {n}")))
}

/// Incidents matching `filter`, newest first; with `before`, only those numbered below it.
pub async fn incidents(
    ctx: &Ctx,
    filter: &IncidentFilter,
    before: Option<IncidentNumber>,
) -> Result<Vec<Incident>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(queries::list(&mut conn.c(), filter, before).await?)
}

pub async fn timeline(ctx: &Ctx, n: IncidentNumber) -> Result<Vec<TimelineEntry>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(queries::timeline(&mut conn.c(), n).await?)
}

fn check_note(text: &str) -> Result<(), EngineError> {
    let n = text.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(EngineError::user(format!(
            "a note is at most {MAX_NOTE_CHARS} characters (this one has {n}); attach long logs as a link"
        )));
    }
    Ok(())
}
