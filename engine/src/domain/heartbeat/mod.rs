//! Heartbeats, a dead man's switch: a job that must check in at least every `interval`. When it
//! misses `interval + grace`, an incident opens on its service through the normal ingest path
//! (dedup key `heartbeat:NAME`, so maintenance, escalation, paging and chat all apply), and its
//! next check-in resolves it. So a cron job that silently stops running still wakes someone.
//!
//! The watch starts when firebell first sees the heartbeat in its config (`first_seen`), so one
//! that never checks in fires too. The miss is claimed in the transaction that opens the incident
//! and the recovery in the one that resolves it (rows locked, re-checked under the lock), so each
//! happens once across restarts and replicas.
//!
//! This module is the deadline math, pure and table-tested: when one is due, late, down, and
//! when its next trigger fires; the wording of durations. The use cases (check in, the sweep
//! that fires missed heartbeats) are in `crate::heartbeats`.

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::Heartbeat;

/// What the database knows about one heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// When firebell started watching it.
    pub first_seen: DateTime<Utc>,
    pub last_checkin: Option<DateTime<Utc>>,
    /// Since when it has been down (missed, or reported a failure); `None` while up.
    pub down_since: Option<DateTime<Utc>>,
    /// When its last trigger was sent.
    pub fired_at: Option<DateTime<Utc>>,
    /// Whether the incident that trigger opened is still open.
    pub incident_open: bool,
}

/// How a heartbeat stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Checked in (or watched) within its interval.
    Up,
    /// Past its interval, within its grace: nobody is woken yet.
    Late,
    /// Missed interval and grace (or reported a failure): an incident was triggered.
    Down,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Late => "late",
            Health::Down => "down",
        }
    }
}

impl Watch {
    /// The moment the clock counts from: the last check-in, or when the watch started.
    pub fn basis(&self) -> DateTime<Utc> {
        self.last_checkin.unwrap_or(self.first_seen)
    }
}

/// When the next check-in is expected.
pub fn next_checkin_due(hb: &Heartbeat, w: &Watch) -> DateTime<Utc> {
    w.basis() + hb.interval
}

/// When a heartbeat that is up now fires if it does not check in.
pub fn deadline(hb: &Heartbeat, w: &Watch) -> DateTime<Utc> {
    next_checkin_due(hb, w) + hb.grace
}

/// When the timer must next send a trigger for this heartbeat, if ever without a check-in.
/// Up: at its deadline. Down with its incident open: never (one incident per outage). Down but
/// with no open incident — a person resolved it while the job is still silent, or a maintenance
/// window held the trigger back — another `interval + grace` after the last trigger, as a
/// monitor that keeps failing would send again.
pub fn next_fire(hb: &Heartbeat, w: &Watch) -> Option<DateTime<Utc>> {
    match w.down_since {
        None => Some(deadline(hb, w)),
        Some(_) if w.incident_open => None,
        Some(since) => Some(w.fired_at.unwrap_or(since) + hb.interval + hb.grace),
    }
}

pub fn health(hb: &Heartbeat, w: &Watch, now: DateTime<Utc>) -> Health {
    // Past the deadline but not yet fired (the timer is at most a tick away) still counts as
    // late: down means an incident was triggered.
    if w.down_since.is_some() {
        Health::Down
    } else if now >= next_checkin_due(hb, w) {
        Health::Late
    } else {
        Health::Up
    }
}

/// The incident title for a miss: "backup-nightly has not checked in for 26 h".
pub fn missed_summary(hb: &Heartbeat, w: &Watch, now: DateTime<Utc>) -> String {
    match w.last_checkin {
        Some(last) => format!(
            "{} has not checked in for {}",
            hb.what(),
            human_span(now - last)
        ),
        None => format!(
            "{} has never checked in (watched for {}, expected every {})",
            hb.what(),
            human_span(now - w.first_seen),
            human_span(hb.interval)
        ),
    }
}

/// The timeline's word on a recovery: "backup-nightly checked in again after 27 h".
pub fn recovered_message(hb: &Heartbeat, w: &Watch, now: DateTime<Utc>) -> String {
    match w.last_checkin {
        Some(last) => format!(
            "{} checked in again after {}",
            hb.name,
            human_span(now - last)
        ),
        None => format!(
            "{} checked in for the first time, {} after firebell started watching it",
            hb.name,
            human_span(now - w.first_seen)
        ),
    }
}

/// A span as people say it: `45 s`, `12 min`, `2 h 30 min` (under 10 h), `26 h` (under 3 days),
/// `4 d 6 h` (under a week), `12 d`. Rounded down: "not checked in for 26 h" is never an
/// overstatement.
pub fn human_span(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    let (mins, hours, days) = (s / 60, s / 3600, s / 86_400);
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{mins} min"),
        3_600..=35_999 if mins % 60 > 0 => format!("{hours} h {} min", mins % 60),
        3_600..=259_199 => format!("{hours} h"),
        259_200..=604_799 if hours % 24 > 0 => format!("{days} d {} h", hours % 24),
        _ => format!("{days} d"),
    }
}
