//! One period's [`Summary`] from the store: three lanes of queries, each on its own pooled
//! connection and run side by side (SQLite's WAL lets readers run in parallel; three keep two
//! cores busy without taking much of the pool from ingest), then the pure figures on top.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::figures::{self, Durations};
use super::hours::{self, HourClass, OnCallHours};
use super::period::Period;
use super::times::{self, Times, correction};
use super::{
    Alerts, ByUrgency, Day, Escalations, Incidents, Interruptions, NoisyKey, Notifications, Scope,
    Summary,
};
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::ids::UserId;
use crate::domain::kinds::{ContactMethod, Severity, Urgency};
use crate::domain::notification_rules::UrgencyRule;
use crate::domain::schedule::{Override, Schedule};
use crate::store::C;
use crate::store::reports::{self as rows, DAY_US};

/// Alerts in a period above which SQLite groups keys in index order instead of sorting them.
const MANY_ALERTS: i64 = 100_000;

pub(super) async fn summary(
    ctx: &Ctx,
    scope: &Scope,
    period: Period,
) -> Result<Summary, EngineError> {
    let s = rows::Scope {
        since: Timestamp::from(period.since).micros(),
        until: Timestamp::from(period.until).micros(),
        services: scope.services.as_deref(),
    };
    let ((opened, times), (escalations, alerts, notifications, on_call), (noisiest, interruptions)) =
        tokio::try_join!(
            incident_figures(ctx, &s, &period),
            counts(ctx, scope, &s, &period),
            noise_and_people(ctx, &s, &period),
        )?;
    let Opened {
        incidents,
        mut days,
        mut ack_sum,
        acked,
        resolve_sum,
        resolved,
    } = opened;
    // Incidents whose acknowledgement was cleared: their time to acknowledge is to the first
    // acknowledgement, from the timeline, not to `acknowledged_at`.
    let mut acked = acked;
    for r in &times.cleared {
        let d = days.entry(r.created_at.div_euclid(DAY_US)).or_default();
        let (remove, add) = correction(r);
        if let Some(took) = remove {
            (ack_sum, acked, d.ack_sum, d.acked) =
                (ack_sum - took, acked - 1, d.ack_sum - took, d.acked - 1);
        }
        if let Some(took) = add {
            (ack_sum, acked, d.ack_sum, d.acked) =
                (ack_sum + took, acked + 1, d.ack_sum + took, d.acked + 1);
        }
    }
    let mtta = Durations {
        count: count(acked),
        mean_seconds: figures::mean_seconds(ack_sum, count(acked)),
        ..times.mtta
    };
    let mttr = Durations {
        count: count(resolved),
        mean_seconds: figures::mean_seconds(resolve_sum, count(resolved)),
        ..times.mttr
    };
    let teams = super::teams::teams(ctx.config(), scope, &incidents, &period);
    let days = period
        .utc_days()
        .into_iter()
        .map(|date| {
            let acc = days.remove(&day_number(date)).unwrap_or_default();
            Day {
                date,
                opened: acc.opened,
                mtta_minutes: minutes(acc.ack_sum, acc.acked),
                mttr_minutes: minutes(acc.resolve_sum, acc.resolved),
            }
        })
        .collect();
    Ok(Summary {
        period,
        incidents,
        alerts,
        mtta,
        mttr,
        escalations,
        notifications,
        interruptions,
        on_call,
        noisiest,
        acknowledged_then_auto_resolved: times.auto_after_ack,
        teams,
        days,
    })
}

pub(super) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn minutes(sum_us: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum_us as f64 / n as f64 / 60e6)
}

fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// The incidents opened, those whose acknowledgement was cleared, and the percentiles (which
/// need both).
async fn incident_figures(
    ctx: &Ctx,
    s: &rows::Scope<'_>,
    period: &Period,
) -> Result<(Opened, Times), EngineError> {
    let mut conn = ctx.store().conn().await?;
    let c = &mut conn.c();
    let cleared = rows::ack_cleared(c, s).await?;
    let opened = incidents(ctx, c, s, period).await?;
    let times = times::response_times(
        c,
        s,
        opened.incidents.total,
        count(opened.acked),
        count(opened.resolved),
        cleared,
    )
    .await?;
    Ok((opened, times))
}

/// Running sums for one UTC day.
#[derive(Default)]
struct DayAcc {
    opened: BTreeMap<String, u32>,
    ack_sum: i64,
    acked: i64,
    resolve_sum: i64,
    resolved: i64,
}

/// What the pass over the incidents opened gives: counts, per-day sums and totals (time to
/// acknowledge still to `acknowledged_at`).
struct Opened {
    incidents: Incidents,
    days: BTreeMap<i64, DayAcc>,
    ack_sum: i64,
    acked: i64,
    resolve_sum: i64,
    resolved: i64,
}

/// Incidents opened, per service, severity, urgency and day, with the duration sums.
async fn incidents(
    ctx: &Ctx,
    c: &mut C<'_>,
    s: &rows::Scope<'_>,
    period: &Period,
) -> Result<Opened, sqlx::Error> {
    let mut out = Opened {
        incidents: Incidents::default(),
        days: BTreeMap::new(),
        ack_sum: 0,
        acked: 0,
        resolve_sum: 0,
        resolved: 0,
    };
    let mut by_service_severity: HashMap<(String, Severity), u64> = HashMap::new();
    for r in rows::incident_days(c, s).await? {
        let n = count(r.opened);
        let severity = r.severity.parse().unwrap_or(Severity::Error);
        let i = &mut out.incidents;
        i.total += n;
        *i.by_service.entry(r.service.clone()).or_default() += n;
        i.by_severity.add(severity, n);
        let d = out.days.entry(r.day).or_default();
        *d.opened.entry(r.service.clone()).or_default() += u32::try_from(n).unwrap_or(u32::MAX);
        *by_service_severity
            .entry((r.service, severity))
            .or_default() += n;
        d.ack_sum += r.ack_sum;
        d.acked += r.acked;
        d.resolve_sum += r.resolve_sum;
        d.resolved += r.resolved;
        out.ack_sum += r.ack_sum;
        out.acked += r.acked;
        out.resolve_sum += r.resolve_sum;
        out.resolved += r.resolved;
    }
    out.incidents.by_urgency = urgency(ctx, c, &by_service_severity, period).await?;
    Ok(out)
}

/// High and low urgency counts, derived per service as the escalation derives them.
async fn urgency(
    ctx: &Ctx,
    c: &mut C<'_>,
    counts: &HashMap<(String, Severity), u64>,
    period: &Period,
) -> Result<ByUrgency, sqlx::Error> {
    let mut out = ByUrgency::default();
    let mut by_support_hours: BTreeMap<&str, u64> = BTreeMap::new();
    for ((service, severity), &n) in counts {
        let u = match ctx.config().service(service).map(|s| s.urgency) {
            None | Some(UrgencyRule::High) => Urgency::High,
            Some(UrgencyRule::Low) => Urgency::Low,
            Some(UrgencyRule::BySeverity) => {
                UrgencyRule::BySeverity.urgency(*severity, period.since, None)
            }
            Some(UrgencyRule::SupportHours) => {
                *by_support_hours.entry(service).or_default() += n;
                continue;
            }
        };
        match u {
            Urgency::High => out.high += n,
            Urgency::Low => out.low += n,
        }
    }
    for (service, total) in by_support_hours {
        let Some(hours) = ctx
            .config()
            .service(service)
            .and_then(|s| s.support_hours.as_ref())
        else {
            out.high += total;
            continue;
        };
        let windows: Vec<(i64, i64)> = hours::support_windows(hours, period)
            .into_iter()
            .map(|(a, b)| (Timestamp::from(a).micros(), Timestamp::from(b).micros()))
            .collect();
        let inside = count(rows::opened_within(c, service, &windows).await?).min(total);
        out.high += inside;
        out.low += total - inside;
    }
    Ok(out)
}

/// Escalations, trigger events received, notifications sent and on-call hours.
async fn counts(
    ctx: &Ctx,
    scope: &Scope,
    s: &rows::Scope<'_>,
    period: &Period,
) -> Result<(Escalations, Alerts, Vec<Notifications>, Vec<OnCallHours>), EngineError> {
    let mut conn = ctx.store().conn().await?;
    let c = &mut conn.c();
    let escalations = if rows::any_opened(c, s).await? {
        let (by_hand, by_timeout) = rows::escalations(c, s).await?;
        Escalations {
            escalated: count(by_hand + by_timeout),
            by_timeout: count(by_timeout),
            by_hand: count(by_hand),
        }
    } else {
        Escalations::default()
    };
    let (received, deduplicated, suppressed) = rows::alert_counts(c, s).await?;
    let alerts = Alerts {
        received: count(received),
        deduplicated: count(deduplicated),
        suppressed: count(suppressed),
    };
    let sent = rows::notifications(c, s).await?;
    let notifications = ContactMethod::ALL
        .iter()
        .map(|&method| {
            let r = sent
                .iter()
                .find(|r| r.method == method.as_str())
                .cloned()
                .unwrap_or_default();
            Notifications {
                method,
                sent: count(r.sent),
                delivered: count(r.sent - r.failed - r.pending),
                failed: count(r.failed),
            }
        })
        .collect();
    let overrides = rows::overrides_between(c, s.since, s.until).await?;
    let config = ctx.config();
    let schedules: Vec<(&Schedule, Vec<Override>)> = scope
        .schedules
        .iter()
        .filter_map(|name| config.schedules.get(name))
        .map(|sch| {
            let ovs = overrides
                .iter()
                .filter(|o| o.schedule == sch.name)
                .filter_map(|o| {
                    // A cancelled override counted until it was cancelled.
                    let end = o.cancelled_at.map_or(o.end_at, |c| c.min(o.end_at));
                    (end > o.start_at).then(|| Override {
                        user: UserId::new(o.user_id.clone()),
                        start: o.start_at.datetime(),
                        end: end.datetime(),
                    })
                })
                .collect();
            (sch, ovs)
        })
        .collect();
    let on_call = hours::on_call_hours(&schedules, period);
    Ok((escalations, alerts, notifications, on_call))
}

/// The ten noisiest dedup keys (with the source of their latest incident), and interruptions.
async fn noise_and_people(
    ctx: &Ctx,
    s: &rows::Scope<'_>,
    period: &Period,
) -> Result<(Vec<NoisyKey>, Vec<Interruptions>), EngineError> {
    let mut conn = ctx.store().conn().await?;
    let c = &mut conn.c();
    let many = rows::alerts_reach(c, s, MANY_ALERTS).await?;
    let keys = rows::noisiest_keys(c, s, 10, many).await?;
    let mut noisiest = Vec::with_capacity(keys.len());
    for k in keys {
        let (opened, latest) =
            rows::key_details(c, &k.service, &k.dedup_key, s.since, s.until).await?;
        let source = match latest {
            Some(id) => rows::sources(c, &[id]).await?.pop().map(|(_, s)| s),
            None => None,
        };
        noisiest.push(NoisyKey {
            service: k.service,
            dedup_key: k.dedup_key,
            source,
            alerts: count(k.alerts),
            incidents: count(opened),
        });
    }
    let interruptions = interruptions(ctx, c, s, period).await?;
    Ok((noisiest, interruptions))
}

/// Pages per person by hour class in their own time zone (UTC for people no longer
/// configured): the period cut into stretches of one class each, pages counted per stretch.
async fn interruptions(
    ctx: &Ctx,
    c: &mut C<'_>,
    s: &rows::Scope<'_>,
    period: &Period,
) -> Result<Vec<Interruptions>, sqlx::Error> {
    let mut out = Vec::new();
    for user in rows::paged_users(c).await? {
        let tz = ctx
            .config()
            .user(&user)
            .map_or(chrono_tz::UTC, |u| u.timezone);
        let stretches = hours::class_stretches(tz, period);
        let spans: Vec<(i64, i64)> = stretches
            .iter()
            .map(|(a, b, _)| (Timestamp::from(*a).micros(), Timestamp::from(*b).micros()))
            .collect();
        let counts = rows::pages_in(c, s, &user, &spans).await?;
        let mut entry = Interruptions {
            user,
            timezone: tz.name().to_owned(),
            business: 0,
            evening: 0,
            sleep: 0,
        };
        for ((_, _, class), n) in stretches.iter().zip(counts) {
            let n = count(n);
            match class {
                HourClass::Business => entry.business += n,
                HourClass::Evening => entry.evening += n,
                HourClass::Sleep => entry.sleep += n,
            }
        }
        if entry.total() > 0 {
            out.push(entry);
        }
    }
    Ok(out)
}
