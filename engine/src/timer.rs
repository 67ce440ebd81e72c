//! The timer worker: an idempotent tick that does whatever is due — start escalation levels and
//! fire page steps (`escalation`), and the sweeps: ack timeouts, auto-resolve, handoffs and
//! maintenance notices (`escalation`), digests, missed heartbeats, retention — each in the
//! transaction that claimed it.
//! State lives in rows with due times, not in tasks: a restart at any moment neither skips a
//! step (its row is still due) nor repeats one (its row was settled in the same commit as its
//! effects). On PostgreSQL, claims skip rows another replica holds.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::error;

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::maintenance::warning_ahead;
use crate::escalation::escalate_due;
use crate::store::{escalation as esc, maintenance};

/// Longest the worker sleeps without looking (and how often sweeps run when nothing is due).
const POLL: Duration = Duration::from_secs(1);

/// Runs ticks until `cancel` fires, sleeping until the next due row (at most [`POLL`]) or a nudge.
/// Level starts and page steps run on every wake-up; the sweeps at most once per [`POLL`], since
/// nothing they look for comes due between two (a nudge after every ingest commit ran them all
/// each time, competing with ingest for the write lock).
pub async fn run_timer_worker(ctx: Ctx, cancel: CancellationToken) {
    let nudge = ctx.timer_nudge();
    let mut swept: Option<tokio::time::Instant> = None;
    loop {
        let sweep = swept.is_none_or(|t| t.elapsed() >= POLL);
        if sweep {
            swept = Some(tokio::time::Instant::now());
        }
        let wait = match tick_with(&ctx, sweep).await {
            Ok(Done {
                escalated: 0,
                swept: 0,
            }) => {
                let turn = swept.map_or(Duration::ZERO, |at| POLL.saturating_sub(at.elapsed()));
                until_next(&ctx, turn).await
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

/// When the timer next has something to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NextDue {
    /// The earliest level start or page step: done on every wake-up.
    pub steps: Option<Timestamp>,
    /// The earliest maintenance notice or heartbeat deadline: done on the sweeps' turn.
    pub sweeps: Option<Timestamp>,
}

/// When the next step and the next sweep item are due.
async fn next_due(ctx: &Ctx) -> Result<NextDue, sqlx::Error> {
    let mut conn = ctx.store().conn().await?;
    let steps = esc::next_due(&mut conn.c()).await?;
    let b = maintenance::next_due(&mut conn.c(), warning_ahead()).await?;
    let now = Timestamp::now(ctx.clock());
    let c = crate::heartbeats::next_due(ctx.config(), &mut conn.c(), now).await?;
    Ok(NextDue {
        steps,
        sweeps: [b, c].into_iter().flatten().min(),
    })
}

/// How long to sleep, `turn` being how long until the sweeps may run again.
async fn until_next(ctx: &Ctx, turn: Duration) -> Duration {
    let Ok(next) = next_due(ctx).await else {
        return POLL;
    };
    sleep_for(Timestamp::now(ctx.clock()), next, turn)
}

/// Until the next step is due; until a due sweep item's turn comes (a heartbeat deadline, a
/// maintenance notice: the sweeps run at most once per [`POLL`]); never longer than [`POLL`]. A
/// step is never held back for the sweeps' turn: one that came due between the tick and this
/// look (a storm's steps are a millisecond apart) is done at once. (Holding it back made
/// level-2 steps up to a second late: p99 939 ms with 10,000 incidents.)
fn sleep_for(now: Timestamp, next: NextDue, turn: Duration) -> Duration {
    let until = |t: Timestamp| (t - now).to_std().unwrap_or_default();
    let steps = next.steps.map_or(POLL, until);
    let sweeps = next.sweeps.map_or(POLL, |t| until(t).max(turn));
    steps.min(sweeps).min(POLL)
}

/// Does everything due now; returns how many rows it acted on (0: nothing was due).
pub async fn tick(ctx: &Ctx) -> Result<usize, EngineError> {
    let done = tick_with(ctx, true).await?;
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
async fn tick_with(ctx: &Ctx, sweep: bool) -> Result<Done, EngineError> {
    let escalated = escalate_due(ctx).await?;
    let mut swept = 0;
    if sweep {
        swept += crate::escalation::sweep(ctx).await?;
        swept += crate::digest::sweep(ctx).await;
        swept += crate::heartbeats::sweep(ctx).await;
        swept += crate::retention::sweep(ctx).await;
    }
    if escalated + swept > 0 {
        ctx.outbox_nudge().notify_one();
    }
    Ok(Done { escalated, swept })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Done, NextDue, POLL, sleep_for, sweeps_again};
    use crate::domain::clock::Timestamp;

    const fn t(us: i64) -> Timestamp {
        Timestamp::from_micros(us)
    }

    #[test]
    fn a_due_step_never_waits_for_the_sweeps_turn() {
        let turn = Duration::from_millis(700);
        let step_due = NextDue {
            steps: Some(t(1_000)),
            sweeps: None,
        };
        assert_eq!(sleep_for(t(1_500), step_due, turn), Duration::ZERO);
        let both_due = NextDue {
            steps: Some(t(1_000)),
            sweeps: Some(t(900)),
        };
        assert_eq!(sleep_for(t(1_500), both_due, turn), Duration::ZERO);
        let step_soon = NextDue {
            steps: Some(t(3_500)),
            sweeps: None,
        };
        assert_eq!(
            sleep_for(t(1_500), step_soon, turn),
            Duration::from_millis(2)
        );
    }

    #[test]
    fn a_due_sweep_item_waits_for_the_sweeps_turn_and_nothing_sleeps_past_poll() {
        let turn = Duration::from_millis(700);
        let sweep_due = NextDue {
            steps: None,
            sweeps: Some(t(1_000)),
        };
        assert_eq!(sleep_for(t(1_500), sweep_due, turn), turn);
        let far = NextDue {
            steps: Some(t(60_000_000)),
            sweeps: Some(t(90_000_000)),
        };
        assert_eq!(sleep_for(t(0), far, turn), POLL);
        let idle = NextDue {
            steps: None,
            sweeps: None,
        };
        assert_eq!(sleep_for(t(0), idle, Duration::ZERO), POLL);
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
