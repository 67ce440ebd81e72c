//! The timer side of heartbeats. Every tick: start watching heartbeats new to the config, then
//! fire each whose [`next_fire`] has passed — in one transaction per heartbeat that locks its row,
//! decides again under the lock, opens (or joins) the incident and records the trigger. A
//! replica that finds the row locked skips it; one that comes second sees it already fired.

use chrono::{DateTime, Utc};
use serde_json::json;
use tracing::{info, warn};

use crate::config::{Config, Heartbeat};
use crate::ctx::Ctx;
use crate::domain::alert::{AlertKind, NewAlert, TriggerPayload};
use crate::domain::clock::Timestamp;
use crate::domain::duration::HumanDuration;
use crate::domain::error::EngineError;
use crate::domain::heartbeat::{Watch, deadline, missed_summary, next_fire};
use crate::domain::kinds::{Actor, Channel};
use crate::store::heartbeats::{self as rows, HeartbeatRow};
use crate::store::pending::Pending;
use crate::store::{C, Store};

/// Fires every missed heartbeat; returns how many it fired. A heartbeat that fails (the
/// database) is logged and tried again next tick; it never stops the rest of the tick.
pub(crate) async fn sweep(ctx: &Ctx) -> usize {
    let config = ctx.config();
    if config.heartbeats.is_empty() {
        return 0;
    }
    let now = ctx.clock().now();
    let rows = match load_or_start(ctx.store(), config, now).await {
        Ok(rows) => rows,
        Err(e) => {
            warn!(error = %e, "heartbeats: cannot read their state; will retry");
            return 0;
        }
    };
    let mut done = 0;
    for row in &rows {
        let Some(hb) = config.heartbeat(&row.name) else {
            continue; // removed from the config: its state is kept but ignored
        };
        if next_fire(hb, &row.watch()).is_none_or(|t| t > now) {
            continue;
        }
        match fire(ctx, hb, now).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(e) => warn!(heartbeat = %hb.name, error = %e, "heartbeat miss failed; will retry"),
        }
    }
    done
}

/// Every row, after starting the watch of configured heartbeats that have none.
async fn load_or_start(
    store: &Store,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Vec<HeartbeatRow>, EngineError> {
    let rows = {
        let mut conn = store.conn().await?;
        rows::all(&mut conn.c()).await?
    };
    let new: Vec<&str> = config
        .heartbeats
        .keys()
        .filter(|name| !rows.iter().any(|r| &r.name == *name))
        .map(String::as_str)
        .collect();
    if new.is_empty() {
        return Ok(rows);
    }
    let mut tx = store.begin().await?;
    for name in &new {
        if rows::start_watching(&mut tx.c(), name, Timestamp::from(now)).await? {
            info!(heartbeat = %name, "watching heartbeat");
        }
    }
    tx.commit().await?;
    let mut conn = store.conn().await?;
    Ok(rows::all(&mut conn.c()).await?)
}

/// Fires one heartbeat if, under its row lock, it is still due; false when another replica got
/// there first (or holds it now).
async fn fire(ctx: &Ctx, hb: &Heartbeat, now: DateTime<Utc>) -> Result<bool, EngineError> {
    let room = ctx.room_of(&hb.service)?;
    let mut tx = ctx.store().begin().await?;
    let Some(row) = rows::lock(&mut tx.c(), &hb.name, true).await? else {
        return Ok(false);
    };
    let watch = row.watch();
    if next_fire(hb, &watch).is_none_or(|t| t > now) {
        return Ok(false);
    }
    let alert = missed(hb, &watch, now);
    let at = Timestamp::from(now);
    let mut p = Pending::with_hooks(ctx.hooks());
    let outcome = crate::ingest::apply_one(&mut tx.c(), &mut p, &alert, &room, at).await?;
    let incident = outcome.number().map(|n| n.get());
    rows::fired(&mut tx.c(), &hb.name, at, incident).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    info!(heartbeat = %hb.name, outcome = outcome.outcome(), incident, "heartbeat missed");
    Ok(true)
}

/// The trigger a miss sends: on the heartbeat's service, under its dedup key, from firebell.
pub(crate) fn missed(hb: &Heartbeat, w: &Watch, now: DateTime<Utc>) -> NewAlert {
    let details = json!({
        "heartbeat": hb.name,
        "expected_every": HumanDuration::from_minutes(hb.interval.num_minutes()).to_string(),
        "grace": HumanDuration::from_minutes(hb.grace.num_minutes()).to_string(),
        "last_checkin": w.last_checkin,
        "watched_since": w.first_seen,
        "deadline": deadline(hb, w),
    });
    NewAlert {
        service: hb.service.clone(),
        kind: AlertKind::Trigger {
            dedup_key: Some(hb.dedup_key()),
            payload: TriggerPayload {
                summary: missed_summary(hb, w, now),
                source: None,
                severity: hb.severity,
                timestamp: None,
                details: json!({ "custom_details": details }),
            },
        },
        actor: actor(hb, Channel::System),
        raw: json!({ "heartbeat": hb.name, "event": "missed" }),
    }
}

/// Who heartbeat events are from, on the timeline and in the alert log.
pub(crate) fn actor(hb: &Heartbeat, channel: Channel) -> Actor {
    Actor::new(format!("heartbeat {}", hb.name), channel)
}

/// The earliest future moment a heartbeat fires, for the timer's sleep. Moments already past are
/// left out: the tick that just ran fired those it could, and one it could not (the database
/// failed, another replica holds the row) is retried on the next regular tick rather than in a
/// busy loop.
pub(crate) async fn next_due(
    config: &Config,
    c: &mut C<'_>,
    now: Timestamp,
) -> Result<Option<Timestamp>, sqlx::Error> {
    if config.heartbeats.is_empty() {
        return Ok(None);
    }
    let rows = rows::all(c).await?;
    Ok(rows
        .iter()
        .filter_map(|r| next_fire(config.heartbeat(&r.name)?, &r.watch()))
        .map(Timestamp::from)
        .filter(|t| *t > now)
        .min())
}
