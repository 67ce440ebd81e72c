//! Who is on call: a pure calculation from a schedule's layers and overrides at an instant.
//!
//! A schedule has layers; each layer rotates through its users in fixed-length shifts starting at
//! a local date-time in the schedule's time zone, optionally only within restriction windows
//! (e.g. weekdays 09:00–17:00). Later layers cover earlier ones wherever they are active; an
//! override ("I take the pager for 2 h") covers everything. Day and week rotations hand off at
//! the same local wall-clock time across DST changes; hour rotations are exact durations.
//!
//! [`on_call_at`] answers "who, at t"; [`shifts`] renders the final timeline over a window (for
//! "since when, until when, who is next").
//!
//! # Layout
//! - `mod.rs`: the types, [`on_call_at`], [`shifts`].
//! - `local`: turning local wall-clock times into instants across DST gaps and folds.
//! - `tests`: table tests across DST changes, restriction edges and overrides.

mod local;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::domain::ids::UserId;

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub name: String,
    pub time_zone: Tz,
    /// Lowest first: a later layer covers earlier ones wherever it is active.
    pub layers: Vec<Layer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// In rotation order; never empty.
    pub users: Vec<UserId>,
    pub rotation: Rotation,
    /// The first shift's start (and so the handoff time of day), in the schedule's zone.
    pub start: NaiveDateTime,
    /// When present, the layer is active only inside one of these windows.
    pub restrictions: Vec<Restriction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    Hours(u32),
    Days(u32),
    Weeks(u32),
}

/// A daily window on some weekdays, in the schedule's zone. `end <= start` crosses midnight: the
/// window opens on a listed day and closes the next morning.
#[derive(Debug, Clone, PartialEq)]
pub struct Restriction {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Someone takes the pager from `start` to `end`, whatever the layers say.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A stretch of time with one person (or nobody) on call.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub user: Option<UserId>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Who is on call at `t`: the newest override covering `t`, else the highest active layer's user.
pub fn on_call_at(s: &Schedule, overrides: &[Override], t: DateTime<Utc>) -> Option<UserId> {
    if let Some(o) = overrides.iter().rev().find(|o| o.start <= t && t < o.end) {
        return Some(o.user.clone());
    }
    s.layers
        .iter()
        .rev()
        .find_map(|l| layer_user_at(l, s.time_zone, t))
}

/// The layer's user at `t`, if the layer is active then.
fn layer_user_at(l: &Layer, tz: Tz, t: DateTime<Utc>) -> Option<UserId> {
    if l.users.is_empty() {
        return None;
    }
    let local = t.with_timezone(&tz).naive_local();
    if local < l.start || !restricted_in(l, local) {
        return None;
    }
    let k = shift_index(l, tz, t)?;
    l.users.get((k % l.users.len() as i64) as usize).cloned()
}

impl Rotation {
    /// Shift length in calendar days (handoff at the same local time), or `None` for hour
    /// rotations (exact durations).
    fn calendar_days(self) -> Option<i64> {
        match self {
            Rotation::Hours(_) => None,
            Rotation::Days(d) => Some(i64::from(d.max(1))),
            Rotation::Weeks(w) => Some(i64::from(w.max(1)) * 7),
        }
    }

    fn hours(self) -> Duration {
        match self {
            Rotation::Hours(h) => Duration::hours(i64::from(h.max(1))),
            other => Duration::days(other.calendar_days().unwrap_or(1)),
        }
    }
}

/// Which shift (0, 1, …) contains `t`.
fn shift_index(l: &Layer, tz: Tz, t: DateTime<Utc>) -> Option<i64> {
    match l.rotation.calendar_days() {
        None => {
            let first = local::instant(tz, l.start);
            Some(
                (t - first)
                    .num_seconds()
                    .div_euclid(l.rotation.hours().num_seconds()),
            )
        }
        Some(days) => {
            // Estimate from the local calendar, then step to the shift whose local handoff
            // (mapped through DST) is the last one at or before t.
            let local = t.with_timezone(&tz).naive_local();
            let mut k = (local - l.start).num_days().div_euclid(days);
            let handoff = |k: i64| local::instant(tz, l.start + Duration::days(k * days));
            while handoff(k) > t {
                k -= 1;
            }
            while handoff(k + 1) <= t {
                k += 1;
            }
            Some(k)
        }
    }
}

/// Whether a layer is active at a local time: no restrictions, or inside one of them.
fn restricted_in(l: &Layer, local: NaiveDateTime) -> bool {
    l.restrictions.is_empty() || l.restrictions.iter().any(|r| r.contains(local))
}

impl Restriction {
    /// Inside the window? A window crossing midnight belongs to the day it opened.
    pub fn contains(&self, local: NaiveDateTime) -> bool {
        in_weekly_window(&self.days, self.start, self.end, local)
    }
}

/// Whether local time `t` falls in the weekly window open on `days` from `start` to `end`. A
/// window crossing midnight (`end` before `start`) belongs to the day it opened.
pub fn in_weekly_window(
    days: &[Weekday],
    start: NaiveTime,
    end: NaiveTime,
    t: NaiveDateTime,
) -> bool {
    use chrono::Datelike;
    let (day, time) = (t.date().weekday(), t.time());
    if start < end {
        days.contains(&day) && start <= time && time < end
    } else {
        (days.contains(&day) && time >= start) || (days.contains(&day.pred()) && time < end)
    }
}

/// The final timeline over `[from, to)`: consecutive stretches with the same person merged.
/// Boundaries come from every layer's handoffs, every restriction edge and every override edge,
/// so between two boundaries nothing changes and one evaluation per stretch is exact.
pub fn shifts(
    s: &Schedule,
    overrides: &[Override],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Shift> {
    let mut cuts = vec![from, to];
    for o in overrides {
        cuts.extend([o.start, o.end]);
    }
    for l in &s.layers {
        cuts.push(local::instant(s.time_zone, l.start));
        cuts.extend(layer_boundaries(l, s.time_zone, from, to));
    }
    cuts.retain(|c| *c >= from && *c <= to);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Shift> = Vec::new();
    for pair in cuts.windows(2) {
        let user = on_call_at(s, overrides, pair[0]);
        match out.last_mut() {
            Some(last) if last.user == user => last.end = pair[1],
            _ => out.push(Shift {
                user,
                start: pair[0],
                end: pair[1],
            }),
        }
    }
    out
}

/// Handoffs and restriction edges of one layer within the window (plus a day on each side).
fn layer_boundaries(
    l: &Layer,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let (lo, hi) = (from - Duration::days(1), to + Duration::days(1));
    match l.rotation.calendar_days() {
        None => {
            let len = l.rotation.hours();
            let first = local::instant(tz, l.start);
            let mut k = ((lo - first).num_seconds().div_euclid(len.num_seconds())).max(0);
            while first + len * (k as i32) <= hi {
                out.push(first + len * (k as i32));
                k += 1;
            }
        }
        Some(days) => {
            let local_lo = lo.with_timezone(&tz).naive_local();
            let mut k = ((local_lo - l.start).num_days().div_euclid(days)).max(0);
            loop {
                let t = local::instant(tz, l.start + Duration::days(k * days));
                if t > hi {
                    break;
                }
                out.push(t);
                k += 1;
            }
        }
    }
    if !l.restrictions.is_empty() {
        let mut day = lo.with_timezone(&tz).date_naive();
        let last = hi.with_timezone(&tz).date_naive();
        while day <= last {
            for r in &l.restrictions {
                out.push(local::instant(tz, day.and_time(r.start)));
                out.push(local::instant(tz, day.and_time(r.end)));
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    out
}
