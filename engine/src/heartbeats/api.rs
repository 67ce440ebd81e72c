//! The engine calls behind `/api/v1/heartbeats`: a check-in (which resolves the heartbeat's
//! incident when it was down), a reported failure (which opens one at once), and the list.
//! Callers find the [`Heartbeat`] by its key first ([`crate::config::Config::heartbeat_for_key`]).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tracing::info;

use super::sweep::actor;
use crate::config::Heartbeat;
use crate::ctx::Ctx;
use crate::domain::alert::{AlertKind, Ingested, NewAlert, TriggerPayload};
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::heartbeat::{Health, health, next_checkin_due, recovered_message};
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::Channel;
use crate::store::heartbeats::{self as rows, HeartbeatRow};
use crate::store::pending::Pending;

/// Longest failure output kept with a reported failure (the rest is cut, not refused: job
/// output is often long, and the failure must still page).
pub const MAX_OUTPUT_CHARS: usize = 10_000;

/// What a check-in did.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub name: String,
    pub last_checkin: DateTime<Utc>,
    /// When the next check-in is expected (the incident opens `grace` after).
    pub next_due: DateTime<Utc>,
    /// It was down, and this check-in resolved this incident.
    pub resolved: Option<IncidentNumber>,
}

/// A heartbeat as the API lists it.
#[derive(Debug, Clone)]
pub struct HeartbeatView {
    pub name: String,
    pub service: String,
    pub interval: Duration,
    pub grace: Duration,
    pub health: Health,
    /// When firebell started watching it (`None` for the moment between a config change and
    /// the timer's next tick).
    pub watched_since: Option<DateTime<Utc>>,
    pub last_checkin: Option<DateTime<Utc>>,
    pub checkins: i64,
    pub next_due: Option<DateTime<Utc>>,
    pub down_since: Option<DateTime<Utc>>,
    /// The incident its miss (or reported failure) opened, while open.
    pub open_incident: Option<IncidentNumber>,
}

/// Records a check-in. When the heartbeat was down, the same transaction resolves its
/// incident (by dedup key, as a monitor's resolve would) and says so on the timeline.
#[tracing::instrument(skip_all, fields(heartbeat = %hb.name))]
pub async fn heartbeat_check_in(ctx: &Ctx, hb: &Heartbeat) -> Result<CheckIn, EngineError> {
    let room = ctx.room_of(&hb.service)?;
    let now = ctx.clock().now();
    let at = Timestamp::from(now);
    let mut tx = ctx.store().begin().await?;
    let row = locked(&mut tx, hb, at).await?;
    let watch = row.watch();
    let mut p = Pending::with_hooks(ctx.hooks());
    let mut resolved = None;
    if watch.down_since.is_some() {
        let by = actor(hb, Channel::Events);
        if let Some(id) = row.incident_id {
            let msg = recovered_message(hb, &watch, now);
            p.timeline(id, at, TimelineKind::Note, &by, msg);
        }
        let alert = NewAlert {
            service: hb.service.clone(),
            kind: AlertKind::Resolve {
                dedup_key: hb.dedup_key(),
            },
            actor: by,
            raw: json!({ "heartbeat": hb.name, "event": "check-in" }),
        };
        let outcome = crate::ingest::apply_one(&mut tx.c(), &mut p, &alert, &room, at).await?;
        if let Ingested::Resolved { number, .. } = outcome {
            resolved = Some(number);
        }
    }
    rows::checked_in(&mut tx.c(), &hb.name, at).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    if watch.down_since.is_some() {
        info!(resolved = ?resolved.map(|n| n.get()), "heartbeat checked in again");
        ctx.nudge_workers();
    }
    Ok(CheckIn {
        name: hb.name.clone(),
        last_checkin: now,
        next_due: now + hb.interval,
        resolved,
    })
}

/// The job says it failed (healthchecks.io's `/fail`): an incident opens now, without
/// waiting for the deadline, and the next check-in resolves it. `output` (the job's error,
/// cut at [`MAX_OUTPUT_CHARS`]) goes into the incident's details.
#[tracing::instrument(skip_all, fields(heartbeat = %hb.name))]
pub async fn heartbeat_fail(
    ctx: &Ctx,
    hb: &Heartbeat,
    output: Option<&str>,
) -> Result<Ingested, EngineError> {
    let room = ctx.room_of(&hb.service)?;
    let now = ctx.clock().now();
    let at = Timestamp::from(now);
    let output = output.map(str::trim).filter(|o| !o.is_empty()).map(|o| {
        if o.chars().count() > MAX_OUTPUT_CHARS {
            let cut: String = o.chars().take(MAX_OUTPUT_CHARS).collect();
            format!("{cut}… (cut at {MAX_OUTPUT_CHARS} characters)")
        } else {
            o.to_owned()
        }
    });
    let mut tx = ctx.store().begin().await?;
    let row = locked(&mut tx, hb, at).await?;
    let watch = row.watch();
    let alert = NewAlert {
        service: hb.service.clone(),
        kind: AlertKind::Trigger {
            dedup_key: Some(hb.dedup_key()),
            payload: TriggerPayload {
                summary: format!("{} reported a failure", hb.what()),
                source: None,
                severity: hb.severity,
                timestamp: None,
                details: json!({ "custom_details": {
                    "heartbeat": hb.name,
                    "output": output,
                    "last_checkin": watch.last_checkin,
                }}),
            },
        },
        actor: actor(hb, Channel::Events),
        raw: json!({ "heartbeat": hb.name, "event": "fail" }),
    };
    let mut p = Pending::with_hooks(ctx.hooks());
    let outcome = crate::ingest::apply_one(&mut tx.c(), &mut p, &alert, &room, at).await?;
    rows::fired(&mut tx.c(), &hb.name, at, outcome.number().map(|n| n.get())).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    info!(outcome = outcome.outcome(), "heartbeat reported a failure");
    ctx.nudge_workers();
    Ok(outcome)
}

/// Every configured heartbeat and how it stands now.
pub async fn heartbeats(ctx: &Ctx) -> Result<Vec<HeartbeatView>, EngineError> {
    let rows = {
        let mut conn = ctx.store().conn().await?;
        rows::all(&mut conn.c()).await?
    };
    let now = ctx.clock().now();
    Ok(ctx
        .config()
        .heartbeats
        .values()
        .map(|hb| {
            let row = rows.iter().find(|r| r.name == hb.name);
            let watch = row.map(HeartbeatRow::watch);
            HeartbeatView {
                name: hb.name.clone(),
                service: hb.service.to_string(),
                interval: hb.interval,
                grace: hb.grace,
                health: watch.map_or(Health::Up, |w| health(hb, &w, now)),
                watched_since: watch.map(|w| w.first_seen),
                last_checkin: watch.and_then(|w| w.last_checkin),
                checkins: row.map_or(0, |r| r.checkins),
                next_due: watch.map(|w| next_checkin_due(hb, &w)),
                down_since: watch.and_then(|w| w.down_since),
                open_incident: row
                    .and_then(HeartbeatRow::open_incident)
                    .map(IncidentNumber::from_db),
            }
        })
        .collect())
}

/// The heartbeat's row, locked for the transaction; its watch starts now if the timer has not
/// started it yet (a check-in right after a config change).
async fn locked(
    tx: &mut crate::store::Tx,
    hb: &Heartbeat,
    at: Timestamp,
) -> Result<HeartbeatRow, EngineError> {
    rows::start_watching(&mut tx.c(), &hb.name, at).await?;
    rows::lock(&mut tx.c(), &hb.name, false)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("heartbeat `{}` has no state", hb.name)))
}
