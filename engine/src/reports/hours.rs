//! Time of day in people's and services' own time zones, pure: which hour class a page fell in
//! for the person paged, which support-hours windows a period contains, and how many hours each
//! person carried a pager.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::period::Period;
use crate::domain::notification_rules::SupportHours;
use crate::domain::schedule::{Override, Schedule, shifts};

/// A stretch of time on call, `[start, end)`.
type Stretch = (DateTime<Utc>, DateTime<Utc>);

/// When in a person's own day a page reached them, by their local wall clock (their configured
/// time zone, DST included):
/// - `business`: Monday to Friday, 09:00 ≤ t < 18:00;
/// - `sleep`: 23:00 ≤ t < 07:00, any day of the week;
/// - `evening`: everything else — weekday 07:00–09:00 and 18:00–23:00, and weekends
///   07:00–23:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HourClass {
    Business,
    Evening,
    Sleep,
}

impl HourClass {
    pub const ALL: [HourClass; 3] = [HourClass::Business, HourClass::Evening, HourClass::Sleep];

    pub fn as_str(self) -> &'static str {
        match self {
            HourClass::Business => "business",
            HourClass::Evening => "evening",
            HourClass::Sleep => "sleep",
        }
    }

    /// The class of a local wall-clock time.
    pub fn of_local(local: NaiveDateTime) -> HourClass {
        let hour = local.hour();
        if !(7..23).contains(&hour) {
            HourClass::Sleep
        } else if local.weekday().num_days_from_monday() < 5 && (9..18).contains(&hour) {
            HourClass::Business
        } else {
            HourClass::Evening
        }
    }

    /// The class of instant `t` for someone living in `tz`.
    pub fn at(t: DateTime<Utc>, tz: Tz) -> HourClass {
        Self::of_local(t.with_timezone(&tz).naive_local())
    }
}

/// The local times of day where the class can change.
const EDGES: [(u32, u32); 4] = [(7, 0), (9, 0), (18, 0), (23, 0)];

/// `period` cut into stretches of one hour class each for someone living in `tz`, in order,
/// consecutive stretches of the same class merged. Exact across DST: the edges are the instants
/// the local clock shows 07:00, 09:00, 18:00 and 23:00 — both of them when a fall-back shows a
/// time twice, the moment the clocks jump when a spring-forward skips it — and between two
/// edges the local clock crosses no edge (midnight lies inside the sleeping hours), so the class
/// at a stretch's start holds until its end.
pub(crate) fn class_stretches(
    tz: Tz,
    period: &Period,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, HourClass)> {
    let first = (period.since - Duration::days(1))
        .with_timezone(&tz)
        .date_naive();
    let last = (period.until + Duration::days(1))
        .with_timezone(&tz)
        .date_naive();
    let mut cuts = vec![period.since, period.until];
    for day in first.iter_days().take_while(|d| *d <= last) {
        for (h, m) in EDGES {
            let local = day.and_hms_opt(h, m, 0).unwrap_or_default();
            match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => cuts.push(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, b) => {
                    cuts.push(a.with_timezone(&Utc));
                    cuts.push(b.with_timezone(&Utc));
                }
                LocalResult::None => cuts.push(first_instant(tz, local)),
            }
        }
    }
    cuts.retain(|t| *t >= period.since && *t <= period.until);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>, HourClass)> = Vec::new();
    for pair in cuts.windows(2) {
        let class = HourClass::at(pair[0], tz);
        match out.last_mut() {
            Some(prev) if prev.2 == class => prev.1 = pair[1],
            _ => out.push((pair[0], pair[1], class)),
        }
    }
    out
}

/// The support-hours windows that overlap `period`, as `[start, end)` instants clipped to it,
/// in order and not overlapping. A window opens on each listed day at `start` local time and
/// closes at `end` (the next day when `end <= start`), as [`SupportHours::contains`] decides; a
/// local time skipped by DST maps to the moment the clocks jump, a repeated one to its first
/// occurrence.
pub(crate) fn support_windows(
    s: &SupportHours,
    period: &Period,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let first = (period.since - Duration::days(2))
        .with_timezone(&s.time_zone)
        .date_naive();
    let last = (period.until + Duration::days(1))
        .with_timezone(&s.time_zone)
        .date_naive();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for day in first.iter_days().take_while(|d| *d <= last) {
        if !s.days.contains(&day.weekday()) {
            continue;
        }
        let close_day = if s.end <= s.start {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        let open = first_instant(s.time_zone, day.and_time(s.start));
        let close = first_instant(s.time_zone, close_day.and_time(s.end));
        let (open, close) = (open.max(period.since), close.min(period.until));
        if open >= close {
            continue;
        }
        match out.last_mut() {
            Some(prev) if prev.1 >= open => prev.1 = prev.1.max(close),
            _ => out.push((open, close)),
        }
    }
    out
}

/// The first instant at or after local time `local` in `tz`.
fn first_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    (0..=180)
        .find_map(|m| {
            tz.from_local_datetime(&(local + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Hours one person was on call during a period: in total (time on any schedule, counted once
/// when two schedules overlap) and per schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCallHours {
    pub user: String,
    pub hours: f64,
    pub by_schedule: BTreeMap<String, f64>,
}

/// On-call hours per person from each schedule's final timeline over `period` (layers,
/// restrictions and overrides), sorted by person.
pub(crate) fn on_call_hours(
    schedules: &[(&Schedule, Vec<Override>)],
    period: &Period,
) -> Vec<OnCallHours> {
    let mut stretches: BTreeMap<String, Vec<Stretch>> = BTreeMap::new();
    let mut per_schedule: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (schedule, overrides) in schedules {
        for shift in shifts(schedule, overrides, period.since, period.until) {
            let Some(user) = shift.user else { continue };
            let user = user.as_str().to_owned();
            *per_schedule
                .entry(user.clone())
                .or_default()
                .entry(schedule.name.clone())
                .or_default() += hours(shift.end - shift.start);
            stretches
                .entry(user)
                .or_default()
                .push((shift.start, shift.end));
        }
    }
    stretches
        .into_iter()
        .map(|(user, mut spans)| {
            spans.sort();
            let mut total = Duration::zero();
            let mut current: Option<Stretch> = None;
            for (a, b) in spans {
                current = match current {
                    Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
                    Some((ca, cb)) => {
                        total += cb - ca;
                        Some((a, b))
                    }
                    None => Some((a, b)),
                };
            }
            if let Some((a, b)) = current {
                total += b - a;
            }
            OnCallHours {
                by_schedule: per_schedule.remove(&user).unwrap_or_default(),
                user,
                hours: hours(total),
            }
        })
        .collect()
}

fn hours(d: Duration) -> f64 {
    d.num_seconds() as f64 / 3600.0
}
