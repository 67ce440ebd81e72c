//! The timer worker: an idempotent tick that does whatever is due — start escalation levels, fire
//! page steps, and the sweeps in [`super::sweeps`] — each in the transaction that claimed it.
//! State lives in rows with due times, not in tasks: a restart at any moment neither skips a
//! step (its row is still due) nor repeats one (its row was settled in the same commit as its
//! effects). On PostgreSQL, claims skip rows another replica holds.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use super::rules::SupportHours;
use super::sweeps::NextDue;
use super::wording::{by_method, noun};
use super::{Position, next_step, phone_deferral};
use crate::clock::{from_micros, to_micros};
use crate::config::{Config, Service, Target};
use crate::engine::Engine;
use crate::error::EngineError;
use crate::incident::TimelineKind;
use crate::kinds::{Actor, Channel, ContactMethod, IncidentStatus, Severity, Urgency};
use crate::notify::Notification;
use crate::oncall::as_overrides;
use crate::schedule::on_call_at;
use crate::store::escalation::{self as rows, DueLevel, DuePage, LadderWrites, NewPage};
use crate::store::oncall::{OverrideRow, current_overrides};
use crate::store::outbox::Addressee;
use crate::store::pending::Pending;
use crate::wording::person;

/// Longest the worker sleeps without looking (and how often sweeps run when nothing is due).
const POLL: Duration = Duration::from_secs(1);
/// Rows handled per transaction.
const BATCH: i64 = 200;

pub(crate) fn system() -> Actor {
    Actor::new("firebell", Channel::System)
}

/// Runs ticks until `cancel` fires, sleeping until the next due row (at most [`POLL`]) or a nudge.
/// Level starts and page steps run on every wake-up; the sweeps at most once per [`POLL`], since
/// nothing they look for comes due between two (a nudge after every ingest commit ran them all
/// each time, competing with ingest for the write lock).
pub async fn run_timer_worker(engine: Engine, cancel: CancellationToken) {
    let nudge = engine.timer_nudge();
    let mut swept: Option<tokio::time::Instant> = None;
    loop {
        let sweep = swept.is_none_or(|t| t.elapsed() >= POLL);
        if sweep {
            swept = Some(tokio::time::Instant::now());
        }
        let wait = match tick_with(&engine, sweep).await {
            Ok(Done {
                escalated: 0,
                swept: 0,
            }) => {
                let turn = swept.map_or(Duration::ZERO, |at| POLL.saturating_sub(at.elapsed()));
                until_next(&engine, turn).await
            }
            Ok(done) => {
                if sweeps_again(sweep, done) {
                    swept = None;
                }
                Duration::ZERO
            }
            Err(e) => {
                error!(error = %e, "timer worker: database error");
                POLL
            }
        };
        if wait.is_zero() {
            tokio::task::yield_now().await;
            if cancel.is_cancelled() {
                return;
            }
            continue;
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return,
            _ = nudge.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// How long to sleep, `turn` being how long until the sweeps may run again.
async fn until_next(engine: &Engine, turn: Duration) -> Duration {
    let Ok(next) = super::sweeps::next_due(engine).await else {
        return POLL;
    };
    sleep_for(to_micros(engine.clock().now()), next, turn)
}

/// Until the next step is due; until a due sweep item's turn comes (a heartbeat deadline, a
/// maintenance notice: the sweeps run at most once per [`POLL`]); never longer than [`POLL`]. A
/// step is never held back for the sweeps' turn: one that came due between the tick and this
/// look (a storm's steps are a millisecond apart) is done at once. (Holding it back made
/// level-2 steps up to a second late: p99 939 ms with 10,000 incidents.)
fn sleep_for(now: i64, next: NextDue, turn: Duration) -> Duration {
    let until = |t: i64| Duration::from_micros(u64::try_from(t.saturating_sub(now)).unwrap_or(0));
    let steps = next.steps.map_or(POLL, until);
    let sweeps = next.sweeps.map_or(POLL, |t| until(t).max(turn));
    steps.min(sweeps).min(POLL)
}

/// Does everything due now; returns how many rows it acted on (0: nothing was due).
pub async fn tick(engine: &Engine) -> Result<usize, EngineError> {
    let done = tick_with(engine, true).await?;
    Ok(done.escalated + done.swept)
}

/// Rows one tick acted on: level starts and page steps, and the sweeps'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Done {
    escalated: usize,
    swept: usize,
}

/// Whether the sweeps get their turn again at once: only when they ran and found work (they may
/// have more than one batch to do). Level starts and page steps doing work is no reason: during a
/// storm that would run the sweeps on every wake-up, each a write transaction competing with
/// ingest.
fn sweeps_again(swept: bool, done: Done) -> bool {
    swept && done.swept > 0
}

/// Starts due levels and fires due page steps, and with `sweep` runs the sweeps too.
async fn tick_with(engine: &Engine, sweep: bool) -> Result<Done, EngineError> {
    let escalated = escalate_due(engine).await?;
    let mut swept = 0;
    if sweep {
        swept += super::sweeps::run(engine).await?;
        swept += crate::digest::sweep(engine).await;
        swept += crate::heartbeats::sweep(engine).await;
        swept += crate::retention::sweep(engine).await;
    }
    if escalated + swept > 0 {
        engine.outbox_nudge().notify_one();
    }
    Ok(Done { escalated, swept })
}

pub(crate) fn urgency_of<'s>(
    service: &'s Service,
    severity: &str,
    created_at: i64,
) -> (Urgency, Option<&'s SupportHours>) {
    let sev = severity.parse().unwrap_or(Severity::Critical);
    let support = service.support_hours.as_ref();
    (
        service
            .urgency
            .urgency(sev, from_micros(created_at), support),
        support,
    )
}

/// Starts the due levels and fires the due page steps, in one transaction: a level's first
/// steps are due the moment it starts, so they are queued in the same commit. When nothing is
/// due it returns without taking the write lock (on SQLite every write transaction, even an
/// empty one, waits its turn behind ingest and costs a commit).
async fn escalate_due(engine: &Engine) -> Result<usize, EngineError> {
    let now = to_micros(engine.clock().now());
    {
        let mut conn = engine.store().conn().await?;
        if rows::next_due(&mut conn.c())
            .await?
            .is_none_or(|at| at > now)
        {
            return Ok(0);
        }
    }
    let mut tx = engine.store().begin().await?;
    let levels = rows::claim_due_levels(&mut tx.c(), now, BATCH).await?;
    let mut p = Pending::with_hooks(engine.hooks());
    let mut w = LadderWrites::default();
    if !levels.is_empty() {
        let overrides = current_overrides(&mut tx.c(), None, now).await?;
        for d in &levels {
            start_level(
                engine.config(),
                &mut tx.c(),
                (&mut p, &mut w),
                d,
                &overrides,
                now,
            )
            .await?;
        }
        // The first steps of the levels just started are due now: written before the claim.
        w.write(&mut tx.c(), now).await?;
    }
    let pages = rows::claim_due_pages(&mut tx.c(), now, BATCH).await?;
    for d in &pages {
        fire_page(engine.config(), &mut tx.c(), (&mut p, &mut w), d, now).await?;
    }
    w.write(&mut tx.c(), now).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    Ok(levels.len() + pages.len())
}

/// Starts the due level of one incident: pages its people per their rules, records skipped
/// levels, and sets when the next level is due.
async fn start_level(
    config: &Config,
    c: &mut crate::store::C<'_>,
    (p, w): (&mut Pending, &mut LadderWrites),
    d: &DueLevel,
    overrides: &[OverrideRow],
    now: i64,
) -> Result<(), sqlx::Error> {
    let service = config
        .services
        .values()
        .find(|s| s.name.as_str() == d.service);
    let policy = service
        .and_then(|s| s.escalation_policy.as_ref())
        .and_then(|p| config.escalation_policies.get(p));
    let (Some(service), Some(policy)) = (service, policy) else {
        w.position(d.id, d.esc_gen, 0, 0, None);
        return Ok(());
    };
    let at = from_micros(now);
    let who = |t: &Target| match t {
        Target::User(u) => Some(u.clone()),
        Target::Schedule(s) => config
            .schedules
            .get(s)
            .and_then(|sch| on_call_at(sch, &as_overrides(overrides, s), at)),
    };
    let from = Position {
        level: usize::try_from(d.esc_level).unwrap_or(usize::MAX),
        pass: u32::try_from(d.esc_loop).unwrap_or(0),
    };
    let step = next_step(policy, from, who);
    let sys = system();
    for s in &step.skipped {
        let msg = format!("Level {} skipped: {}", s.at.level + 1, s.reason);
        p.timeline(d.id, now, TimelineKind::Escalated, &sys, msg);
    }
    let Some(run) = step.run else {
        let msg = format!(
            "Escalation policy `{}` ran out after {} pass(es): nobody acknowledged",
            policy.name,
            u32::from(policy.repeat) + 1
        );
        p.timeline(d.id, now, TimelineKind::Escalated, &sys, msg);
        let n = Notification::PolicyExhausted {
            policy: policy.name.clone(),
        };
        p.outbox(&service.room, Some(d.id), &n, now)?;
        w.position(d.id, d.esc_gen, -1, i64::from(from.pass), None);
        return Ok(());
    };
    let (urgency, _) = urgency_of(service, &d.severity, d.created_at);
    // Step times count from when the level was due, so a late tick does not push the ladder back.
    let base = d.esc_next_at.min(now);
    for user in &run.users {
        let Some(u) = config.user(user.as_str()) else {
            continue;
        };
        for rule in u.rules.for_urgency(urgency) {
            w.page(NewPage {
                incident_id: d.id,
                gen_: d.esc_gen,
                level: run.at.level as i64,
                pass: i64::from(run.at.pass),
                user: user.as_str().to_owned(),
                method: rule.method,
                due_at: base + i64::from(rule.after_minutes) * 60_000_000,
            });
        }
    }
    let names: Vec<String> = run
        .users
        .iter()
        .map(|u| person(config, u.as_str()))
        .collect();
    let pass = if run.at.pass > 0 {
        format!(", pass {}", run.at.pass + 1)
    } else {
        String::new()
    };
    let msg = format!(
        "Level {}{pass} ({urgency} urgency): paging {}",
        run.at.level + 1,
        names.join(", ")
    );
    p.timeline(d.id, now, TimelineKind::Escalated, &sys, msg);
    if run.at.level > 0 || run.at.pass > 0 {
        let n = Notification::Escalated {
            actor: rows::escalated_by(c, d.id, d.esc_next_at).await?,
            level: run.at.level as u32 + 1,
            users: run.users.iter().map(|u| u.as_str().to_owned()).collect(),
        };
        p.outbox(&service.room, Some(d.id), &n, now)?;
    }
    let delay = i64::from(run.delay_minutes) * 60_000_000;
    let (level, pass, next_at) = match run.next {
        Some(next) => (next.level as i64, i64::from(next.pass), Some(base + delay)),
        None => (-1, i64::from(run.at.pass), None),
    };
    w.position(d.id, d.esc_gen, level, pass, next_at);
    info!(
        incident = d.id,
        level = run.at.level + 1,
        "escalation level started"
    );
    Ok(())
}

/// One page step: sent (queued in the outbox), cancelled (acknowledged, resolved or superseded),
/// deferred (low urgency, phone, outside support hours) or skipped (no way to reach them).
async fn fire_page(
    config: &Config,
    c: &mut crate::store::C<'_>,
    (p, w): (&mut Pending, &mut LadderWrites),
    d: &DuePage,
    now: i64,
) -> Result<(), sqlx::Error> {
    if d.status != IncidentStatus::Triggered.as_str() || d.esc_gen != d.current_gen {
        let why = if d.esc_gen != d.current_gen {
            "cancelled: ladder moved".to_owned()
        } else {
            format!("cancelled: {}", d.status)
        };
        w.fired(d.id, why);
        return Ok(());
    }
    let service = config
        .services
        .values()
        .find(|s| s.name.as_str() == d.service);
    let (Some(service), Some(user), Ok(method)) = (
        service,
        config.user(&d.user_id),
        d.method.parse::<ContactMethod>(),
    ) else {
        w.fired(d.id, "skipped: no longer configured");
        return Ok(());
    };
    let sys = system();
    tracing::debug!(
        incident = d.incident_id,
        late_ms = (now - d.due_at) / 1000,
        "page step due"
    );
    let (urgency, support) = urgency_of(service, &d.severity, d.created_at);
    if d.deferred == 0
        && let Some(until) = phone_deferral(method, urgency, support, from_micros(now))
    {
        rows::defer_page(c, d.id, to_micros(until)).await?;
        let msg = format!(
            "{} to {} put off until support hours begin ({}): low urgency",
            noun(method),
            person(config, &d.user_id),
            local_time(until, support)
        );
        p.timeline(d.incident_id, now, TimelineKind::Deferred, &sys, msg);
        return Ok(());
    }
    let reachable = match method {
        ContactMethod::Chat => true,
        ContactMethod::Sms | ContactMethod::Voice => user.phone.is_some(),
        ContactMethod::Email => user.email.is_some(),
    };
    if !reachable {
        let msg = format!(
            "Could not reach {} {}: no {} configured",
            person(config, &d.user_id),
            by_method(method),
            if method == ContactMethod::Email {
                "email address"
            } else {
                "phone number"
            }
        );
        p.timeline(d.incident_id, now, TimelineKind::Notified, &sys, msg);
        w.fired(d.id, "skipped: unreachable");
        return Ok(());
    }
    let n = Notification::Paged {
        user: d.user_id.clone(),
        level: d.level as u32 + 1,
        urgency,
        failover_from: None,
        esc_gen: Some(d.esc_gen),
    };
    let to = Addressee::Person {
        user: &d.user_id,
        method,
    };
    p.outbox_to(&service.room, Some(d.incident_id), to, &n, now)?;
    w.fired(d.id, "queued");
    Ok(())
}

fn local_time(t: DateTime<Utc>, support: Option<&SupportHours>) -> String {
    match support {
        Some(s) => t
            .with_timezone(&s.time_zone)
            .format(&format!("%a %d %b %H:%M {}", s.time_zone.name()))
            .to_string(),
        None => t.format("%a %d %b %H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Done, NextDue, POLL, sleep_for, sweeps_again};

    #[test]
    fn a_due_step_never_waits_for_the_sweeps_turn() {
        let turn = Duration::from_millis(700);
        let step_due = NextDue {
            steps: Some(1_000),
            sweeps: None,
        };
        assert_eq!(sleep_for(1_500, step_due, turn), Duration::ZERO);
        let both_due = NextDue {
            steps: Some(1_000),
            sweeps: Some(900),
        };
        assert_eq!(sleep_for(1_500, both_due, turn), Duration::ZERO);
        let step_soon = NextDue {
            steps: Some(3_500),
            sweeps: None,
        };
        assert_eq!(sleep_for(1_500, step_soon, turn), Duration::from_millis(2));
    }

    #[test]
    fn a_due_sweep_item_waits_for_the_sweeps_turn_and_nothing_sleeps_past_poll() {
        let turn = Duration::from_millis(700);
        let sweep_due = NextDue {
            steps: None,
            sweeps: Some(1_000),
        };
        assert_eq!(sleep_for(1_500, sweep_due, turn), turn);
        let far = NextDue {
            steps: Some(60_000_000),
            sweeps: Some(90_000_000),
        };
        assert_eq!(sleep_for(0, far, turn), POLL);
        let idle = NextDue {
            steps: None,
            sweeps: None,
        };
        assert_eq!(sleep_for(0, idle, Duration::ZERO), POLL);
    }

    #[test]
    fn only_the_sweeps_own_work_brings_their_turn_forward() {
        let storm = Done {
            escalated: 200,
            swept: 0,
        };
        assert!(!sweeps_again(true, storm), "levels and pages did the work");
        let more = Done {
            escalated: 0,
            swept: 200,
        };
        assert!(
            sweeps_again(true, more),
            "the sweeps may have another batch"
        );
        assert!(
            !sweeps_again(false, more),
            "the sweeps did not run this tick"
        );
    }
}
