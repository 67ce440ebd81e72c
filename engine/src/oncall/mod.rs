//! Who is on call now, and overrides: the engine's on-call API (`!oncall`, `!override`,
//! `GET /api/v1/oncall`), built on the pure [`crate::domain::schedule`] functions and override rows.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::Target;
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::duration::HumanDuration;
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::UserId;
use crate::domain::kinds::Actor;
use crate::domain::page::Page;
use crate::domain::schedule::{self, Override};
use crate::store::oncall::{self as rows, OverrideRow};

mod shifts;
pub use shifts::{RenderedSchedule, override_record, overrides_between, render_schedule};

/// The longest override anyone can take at once.
pub fn max_override() -> Duration {
    Duration::days(14)
}

/// How far ahead `!oncall` looks for "until when" and "who is next".
const HORIZON_DAYS: i64 = 60;

/// One schedule right now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCallNow {
    pub schedule: String,
    /// `None` when nobody is on call (a gap in the layers).
    pub user: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Who takes over at `until`.
    pub next: Option<UserId>,
    /// Set when the current person is on call through an override.
    pub override_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverrideRecord {
    pub id: i64,
    pub schedule: String,
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub created_by: String,
    pub cancelled: bool,
}

impl From<OverrideRow> for OverrideRecord {
    fn from(r: OverrideRow) -> Self {
        Self {
            id: r.id,
            schedule: r.schedule,
            user: UserId::new(r.user_id),
            start: r.start_at.datetime(),
            end: r.end_at.datetime(),
            created_by: r.created_by,
            cancelled: r.cancelled_at.is_some(),
        }
    }
}

pub(crate) fn as_overrides(rows: &[OverrideRow], schedule: &str) -> Vec<Override> {
    rows.iter()
        .filter(|r| r.schedule == schedule)
        .map(|r| Override {
            user: UserId::new(r.user_id.clone()),
            start: r.start_at.datetime(),
            end: r.end_at.datetime(),
        })
        .collect()
}

/// The schedules `name` refers to: a schedule itself, or every schedule a service's
/// escalation policy pages. `None` means all schedules.
pub fn schedules_named(ctx: &Ctx, name: Option<&str>) -> Result<Vec<String>, UserError> {
    let c = ctx.config();
    let Some(name) = name else {
        return Ok(c.schedules.keys().cloned().collect());
    };
    if c.schedules.contains_key(name) {
        return Ok(vec![name.to_owned()]);
    }
    if let Some(s) = c.service(name) {
        let policy = s
            .escalation_policy
            .as_ref()
            .and_then(|p| c.escalation_policies.get(p));
        let mut out: Vec<String> = policy
            .into_iter()
            .flat_map(|p| p.levels.iter().flat_map(|l| l.targets.iter()))
            .filter_map(|t| match t {
                Target::Schedule(s) => Some(s.clone()),
                Target::User(_) => None,
            })
            .collect();
        out.dedup();
        return Ok(out);
    }
    let schedules: Vec<&str> = c.schedules.keys().map(String::as_str).collect();
    Err(UserError::new(format!(
        "no schedule or service named `{name}` — schedules: {}; services: {}",
        if schedules.is_empty() {
            "none".to_owned()
        } else {
            schedules.join(", ")
        },
        c.service_names().join(", ")
    )))
}

/// Who is on call now for each schedule `name` refers to (see [`Engine::schedules_named`](crate::Engine::schedules_named)).
pub async fn on_call(ctx: &Ctx, name: Option<&str>) -> Result<Vec<OnCallNow>, EngineError> {
    let names = schedules_named(ctx, name)?;
    let now = ctx.clock().now();
    let mut conn = ctx.store().conn().await?;
    let rows = rows::current_overrides(&mut conn.c(), None, Timestamp::from(now)).await?;
    let mut out = Vec::new();
    for name in names {
        let Some(s) = ctx.config().schedules.get(&name) else {
            continue;
        };
        let ovs = as_overrides(&rows, &name);
        let shifts = schedule::shifts(
            s,
            &ovs,
            now - Duration::days(HORIZON_DAYS),
            now + Duration::days(HORIZON_DAYS),
        );
        let i = shifts.iter().position(|sh| sh.start <= now && now < sh.end);
        let current = i.map(|i| &shifts[i]);
        let next = i.and_then(|i| shifts.get(i + 1));
        let user = schedule::on_call_at(s, &ovs, now);
        let override_id = rows
            .iter()
            .rev()
            .find(|r| {
                r.schedule == name
                    && r.start_at <= Timestamp::from(now)
                    && Timestamp::from(now) < r.end_at
            })
            .map(|r| r.id);
        out.push(OnCallNow {
            schedule: name.clone(),
            user,
            // The first and last shifts are cut by the horizon: say "unknown" instead.
            since: current.and_then(|c| (i != Some(0)).then_some(c.start)),
            until: current.and(next).map(|n| n.start),
            next: next.and_then(|n| n.user.clone()),
            override_id,
        });
    }
    Ok(out)
}

/// `user` takes `schedule`'s pager from now for `duration`.
pub async fn create_override(
    ctx: &Ctx,
    schedule: &str,
    user: &UserId,
    duration: HumanDuration,
    by: &Actor,
) -> Result<OverrideRecord, EngineError> {
    let c = ctx.config();
    if !c.schedules.contains_key(schedule) {
        return Err(EngineError::user(format!(
            "unknown schedule `{schedule}` — schedules: {}",
            c.schedules.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    if c.user(user.as_str()).is_none() {
        return Err(EngineError::user(format!("unknown user `{user}`")));
    }
    if duration.get() > max_override() {
        return Err(EngineError::user(format!(
            "an override can last at most {}",
            HumanDuration::from_minutes(max_override().num_minutes())
        )));
    }
    let now = Timestamp::now(ctx.clock());
    let end = now + duration.get();
    let mut tx = ctx.store().begin().await?;
    let row = rows::insert_override(
        &mut tx.c(),
        schedule,
        user.as_str(),
        now,
        end,
        &by.name,
        by.channel.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.nudge_workers();
    Ok(row.into())
}

/// Overrides in effect now or later, for one schedule or all.
pub async fn overrides(
    ctx: &Ctx,
    schedule: Option<&str>,
) -> Result<Vec<OverrideRecord>, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut conn = ctx.store().conn().await?;
    let rows = rows::current_overrides(&mut conn.c(), schedule, now).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Overrides in effect now or later, newest first, one keyset [`Page`] (the API's list).
pub async fn overrides_page(
    ctx: &Ctx,
    schedule: Option<&str>,
    page: Page,
) -> Result<Vec<OverrideRecord>, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut conn = ctx.store().conn().await?;
    let rows =
        rows::current_overrides_page(&mut conn.c(), schedule.unwrap_or(""), now, page).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn cancel_override(
    ctx: &Ctx,
    id: i64,
    by: &Actor,
) -> Result<OverrideRecord, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    let Some(row) = rows::override_by_id(&mut tx.c(), id).await? else {
        return Err(EngineError::NotFound(format!("there is no override {id}")));
    };
    if row.end_at <= now {
        return Err(EngineError::user(format!(
            "override {id} has already ended"
        )));
    }
    if !rows::cancel_override(&mut tx.c(), id, &by.name, now).await? {
        return Err(EngineError::user(format!(
            "override {id} is already cancelled"
        )));
    }
    tx.commit().await?;
    ctx.nudge_workers();
    let mut rec: OverrideRecord = row.into();
    rec.cancelled = true;
    Ok(rec)
}
