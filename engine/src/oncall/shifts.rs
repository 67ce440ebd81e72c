//! A schedule rendered over a window: the final timeline (layers with overrides applied, exactly
//! what `!oncall` evaluates) and the overrides that touch the window. PagerDuty's
//! `final_schedule`, `overrides_subschedule`, `/oncalls` over a window and override listings are
//! built from these.

use chrono::{DateTime, Utc};

use super::{OverrideRecord, as_overrides};
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::schedule::{self, Shift};
use crate::store::oncall as rows;

/// One schedule over `[from, to)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedSchedule {
    /// Consecutive stretches, each with one person or nobody, covering the window exactly.
    pub shifts: Vec<Shift>,
    /// Overrides (not cancelled) that overlap the window, oldest first; a newer one wins where
    /// two overlap.
    pub overrides: Vec<OverrideRecord>,
}

/// `schedule`'s final timeline over `[from, to)`; `NotFound` for an unknown schedule.
pub async fn render_schedule(
    ctx: &Ctx,
    schedule: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<RenderedSchedule, EngineError> {
    let s = ctx
        .config()
        .schedules
        .get(schedule)
        .ok_or_else(|| unknown(ctx, schedule))?;
    let mut conn = ctx.store().conn().await?;
    let found = rows::overrides_between(
        &mut conn.c(),
        schedule,
        Timestamp::from(from),
        Timestamp::from(to),
    )
    .await?;
    let shifts = schedule::shifts(s, &as_overrides(&found, schedule), from, to);
    Ok(RenderedSchedule {
        shifts,
        overrides: found.into_iter().map(Into::into).collect(),
    })
}

/// Overrides of `schedule` (not cancelled) overlapping `[from, to)`, oldest first.
pub async fn overrides_between(
    ctx: &Ctx,
    schedule: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OverrideRecord>, EngineError> {
    if !ctx.config().schedules.contains_key(schedule) {
        return Err(unknown(ctx, schedule));
    }
    let mut conn = ctx.store().conn().await?;
    let found = rows::overrides_between(
        &mut conn.c(),
        schedule,
        Timestamp::from(from),
        Timestamp::from(to),
    )
    .await?;
    Ok(found.into_iter().map(Into::into).collect())
}

/// One override by id, cancelled or not.
pub async fn override_record(ctx: &Ctx, id: i64) -> Result<Option<OverrideRecord>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::override_by_id(&mut conn.c(), id)
        .await?
        .map(Into::into))
}

fn unknown(ctx: &Ctx, schedule: &str) -> EngineError {
    let names: Vec<&str> = ctx.config().schedules.keys().map(String::as_str).collect();
    EngineError::NotFound(format!(
        "no schedule `{schedule}` (schedules: {})",
        names.join(", ")
    ))
}
