//! Scheduled report digests (`[[reports]]`): on each occurrence of a digest's cron schedule (in
//! its time zone) the summary of its period goes to its room. The timer worker looks every tick;
//! an occurrence is recorded in `report_runs` in the same transaction as the digest's outbox row,
//! so each is posted exactly once across restarts and replicas. An occurrence missed while
//! firebell was down is still sent when it comes back, if it is less than a day old.

use chrono::{DateTime, Duration, Utc};
use tracing::{info, warn};

use crate::config::DigestSchedule;
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::notification::Notification;
use crate::reports::{Period, SummaryQuery};
use crate::store::pending::Pending;
use crate::store::{OptI64, sql};

/// How late a missed occurrence may still be sent.
fn catch_up() -> Duration {
    Duration::hours(24)
}

/// The latest occurrence of `d` at or before `now`, within the catch-up window.
pub fn latest_occurrence(d: &DigestSchedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let from = (now - catch_up()).with_timezone(&d.timezone);
    d.schedule()
        .after(&from)
        .map(|t| t.with_timezone(&Utc))
        .take_while(|t| *t <= now)
        .last()
}

/// Sends every digest whose latest occurrence has not been sent; returns how many it queued.
/// A digest that fails (the database) is logged and tried again next tick; it never stops the
/// escalation work of the same tick.
pub(crate) async fn sweep(ctx: &Ctx) -> usize {
    let now = ctx.clock().now();
    let mut done = 0;
    for d in &ctx.config().reports {
        let Some(occurrence) = latest_occurrence(d, now) else {
            continue;
        };
        match send(ctx, d, occurrence, now).await {
            Ok(true) => {
                info!(report = %d.name, %occurrence, room = %d.room, "report digest queued");
                done += 1;
            }
            Ok(false) => {}
            Err(e) => warn!(report = %d.name, error = %e, "report digest failed; will retry"),
        }
    }
    done
}

async fn send(
    ctx: &Ctx,
    d: &DigestSchedule,
    occurrence: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, EngineError> {
    let occ = Timestamp::from(occurrence);
    {
        // A cheap read first: on every tick but the first after an occurrence, this is all.
        let mut conn = ctx.store().conn().await?;
        let (sent,) = sql!(one OptI64, conn.c(),
            "SELECT MAX(occurrence) FROM report_runs WHERE report = $1 AND occurrence = $2",
            &d.name, occ)?;
        if sent.is_some() {
            return Ok(false);
        }
    }
    // The period ends at the occurrence, whenever this runs.
    let period = Period::parse(&d.period, occurrence, d.timezone)?;
    let report = crate::reports::report(
        ctx,
        &SummaryQuery {
            period,
            service: d.service.clone(),
            team: None,
        },
    )
    .await?;
    let notification = Notification::Digest {
        report: d.name.clone(),
        since: Timestamp::from(period.since),
        until: Timestamp::from(period.until),
        text: report.to_chat(),
        chart: serde_json::to_value(report.chart()).ok(),
    };
    let mut tx = ctx.store().begin().await?;
    let inserted = sql!(execute tx.c(),
        "INSERT INTO report_runs (report, occurrence, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (report, occurrence) DO NOTHING",
        &d.name, occ, Timestamp::from(now))?;
    if inserted == 1 {
        let mut p = Pending::default();
        p.outbox(&d.room, None, &notification, Timestamp::from(now))?;
        p.flush(&mut tx.c()).await?;
    }
    tx.commit().await?;
    Ok(inserted == 1)
}
