//! The engine's maintenance API: open, list and end windows, each change announced in the room.

use super::{MaintenanceWindow, Matcher, WindowRequest, max_duration};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::duration::HumanDuration;
use crate::domain::error::EngineError;
use crate::domain::kinds::Actor;
use crate::domain::notification::{MaintenancePhase, Notification};
use crate::domain::page::Page;
use crate::store::maintenance::{self as rows, NewWindow, WindowRow};
use crate::store::pending::Pending;

/// Longest reason accepted.
const MAX_REASON_CHARS: usize = 500;

impl From<WindowRow> for MaintenanceWindow {
    fn from(r: WindowRow) -> Self {
        Self {
            id: r.id,
            matcher: r.matcher,
            reason: r.reason,
            room: r.room,
            created_by: r.created_by,
            starts_at: r.starts_at.datetime(),
            ends_at: r.ends_at.datetime(),
            ended_by: r.ended_by,
            suppressed: r.suppressed,
        }
    }
}

/// The rooms that hear about a window: the one it was opened from, else the matched service's,
/// else every room a service posts to.
pub(crate) fn rooms_for(config: &Config, w: &WindowRow) -> Vec<String> {
    if let Some(r) = &w.room
        && config.rooms.contains_key(r)
    {
        return vec![r.clone()];
    }
    if let Matcher::Service(s) = &w.matcher
        && let Some(s) = config.services.get(s)
    {
        return vec![s.room.clone()];
    }
    let mut rooms: Vec<String> = config.services.values().map(|s| s.room.clone()).collect();
    rooms.sort();
    rooms.dedup();
    rooms
}

/// Queues the notice for `phase` of window `w` to its rooms.
pub(crate) fn announce(
    p: &mut Pending,
    config: &Config,
    w: &WindowRow,
    phase: MaintenancePhase,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let n = Notification::Maintenance {
        window: w.id,
        phase,
        matcher: w.matcher.to_string(),
        reason: w.reason.clone(),
        by: w.ended_by.clone().unwrap_or_else(|| w.created_by.clone()),
        ends_at: w.ends_at,
        suppressed: w.suppressed,
    };
    for room in rooms_for(config, w) {
        p.outbox(&room, None, &n, now)?;
    }
    Ok(())
}

/// A window from now for `duration`, refused beyond [`max_duration`]; announced in `room` (where
/// it was asked for in chat), if any.
pub async fn start_maintenance(
    ctx: &Ctx,
    window: WindowRequest<'_>,
    by: &Actor,
) -> Result<MaintenanceWindow, EngineError> {
    let WindowRequest {
        matcher,
        duration,
        reason,
        room,
    } = window;
    if duration.get() > max_duration() {
        return Err(EngineError::user(format!(
            "a maintenance window can last at most {}",
            HumanDuration::from_minutes(max_duration().num_minutes())
        )));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(EngineError::user(format!(
            "the reason is too long; keep it under {MAX_REASON_CHARS} characters"
        )));
    }
    let now = Timestamp::now(ctx.clock());
    let end = now + duration.get();
    let db_matcher = matcher.to_db();
    let mut tx = ctx.store().begin().await?;
    let row = rows::insert(
        &mut tx.c(),
        &NewWindow {
            matcher: &db_matcher,
            reason,
            room,
            by: &by.name,
            via: by.channel.as_str(),
            starts_at: now,
            ends_at: end,
        },
    )
    .await?;
    let mut p = Pending::default();
    announce(&mut p, ctx.config(), &row, MaintenancePhase::Started, now)?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    tracing::info!(window = row.id, matcher = %matcher, by = %by, "maintenance started");
    ctx.nudge_workers();
    Ok(row.into())
}

/// Windows not yet over (and ones just ended whose closing notice is still to go out).
pub async fn maintenance_windows(ctx: &Ctx) -> Result<Vec<MaintenanceWindow>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let now = ctx.clock().now();
    let rows = rows::open(&mut conn.c()).await?;
    Ok(rows
        .into_iter()
        .map(MaintenanceWindow::from)
        .filter(|w| w.ends_at > now)
        .collect())
}

/// Every window, past ones included, oldest first.
pub async fn all_maintenance_windows(ctx: &Ctx) -> Result<Vec<MaintenanceWindow>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let rows = rows::all(&mut conn.c()).await?;
    Ok(rows.into_iter().map(MaintenanceWindow::from).collect())
}

/// Windows still running, newest first, one keyset [`Page`] (the API's list).
pub async fn maintenance_page(
    ctx: &Ctx,
    page: Page,
) -> Result<Vec<MaintenanceWindow>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let now = Timestamp::now(ctx.clock());
    let rows = rows::running_page(&mut conn.c(), now, page).await?;
    Ok(rows.into_iter().map(MaintenanceWindow::from).collect())
}

pub async fn maintenance_window(ctx: &Ctx, id: i64) -> Result<MaintenanceWindow, EngineError> {
    let mut conn = ctx.store().conn().await?;
    rows::by_id(&mut conn.c(), id)
        .await?
        .map(Into::into)
        .ok_or_else(|| EngineError::NotFound(format!("there is no maintenance window {id}")))
}

/// Ends a window now; the timer worker posts the closing notice with the suppressed count.
pub async fn end_maintenance(
    ctx: &Ctx,
    id: i64,
    by: &Actor,
) -> Result<MaintenanceWindow, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    if rows::by_id(&mut tx.c(), id).await?.is_none() {
        return Err(EngineError::NotFound(format!(
            "there is no maintenance window {id} — `!maintenance list` shows the open ones"
        )));
    }
    if !rows::end_now(&mut tx.c(), id, &by.name, now).await? {
        return Err(EngineError::user(format!(
            "maintenance window {id} has already ended"
        )));
    }
    tx.commit().await?;
    ctx.nudge_workers();
    maintenance_window(ctx, id).await
}
