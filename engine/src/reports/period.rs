//! The stretch of time a report covers, parsed from what people type (`week`, `last-week`,
//! `month`, `14d`), and the equally long stretch before it that the report compares against.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::domain::error::UserError;

/// The longest period a report covers: a year, leap day included.
pub const MAX_DAYS: i64 = 366;

/// `[since, until)`: incidents opened, alerts received, pages fired at `since` count, at `until`
/// they do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Period {
    /// `week` (the last 7 days up to `now`), `last-week` (the previous Monday 00:00 → Monday
    /// 00:00 in `tz`: the last whole calendar week), `month` (the last 30 days), or `<N>d` (the
    /// last N days, 1..=366). Anything else is a [`UserError`] saying what would be right.
    pub fn parse(spec: &str, now: DateTime<Utc>, tz: Tz) -> Result<Period, UserError> {
        let spec = spec.trim().to_ascii_lowercase();
        let days = match spec.as_str() {
            "week" => 7,
            "month" => 30,
            "last-week" => return Ok(last_week(now, tz)),
            other => match other.strip_suffix('d').map(str::parse::<i64>) {
                Some(Ok(n)) if (1..=MAX_DAYS).contains(&n) => n,
                Some(Ok(n)) => {
                    return Err(UserError::new(format!(
                        "a report covers 1 to {MAX_DAYS} days, not {n} — try `7d`, `30d` or `90d`"
                    )));
                }
                _ => {
                    return Err(UserError::new(format!(
                        "unknown report period `{}` — use `week`, `last-week`, `month` or a number of days such as `14d` (1 to {MAX_DAYS})",
                        spec.trim()
                    )));
                }
            },
        };
        Ok(Period {
            since: now - Duration::days(days),
            until: now,
        })
    }

    /// The period of the same length just before this one (what "change" compares against).
    pub fn previous(&self) -> Period {
        Period {
            since: self.since - (self.until - self.since),
            until: self.since,
        }
    }

    /// A period a report can cover: not empty, not backwards, at most [`MAX_DAYS`] long.
    pub fn check(&self) -> Result<(), UserError> {
        if self.since >= self.until {
            return Err(UserError::new(format!(
                "a report period must start before it ends (got {} → {})",
                self.since.to_rfc3339(),
                self.until.to_rfc3339()
            )));
        }
        if self.until - self.since > Duration::days(MAX_DAYS) {
            return Err(UserError::new(format!(
                "a report covers at most {MAX_DAYS} days; ask for a shorter period"
            )));
        }
        Ok(())
    }

    /// Length in days (fractional for periods that are not whole days).
    pub fn days(&self) -> f64 {
        (self.until - self.since).num_seconds() as f64 / 86_400.0
    }

    /// Every UTC calendar day the period touches, first to last (partial days at either end
    /// included: their figures cover only the part inside the period).
    pub fn utc_days(&self) -> Vec<NaiveDate> {
        let first = self.since.date_naive();
        let last = (self.until - Duration::microseconds(1)).date_naive();
        first.iter_days().take_while(|d| *d <= last).collect()
    }
}

/// The last whole Monday-to-Monday week in `tz` that ended at or before `now`.
fn last_week(now: DateTime<Utc>, tz: Tz) -> Period {
    let today = now.with_timezone(&tz).date_naive();
    let mut monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    if local_midnight(tz, monday) > now {
        // Only possible when this Monday's midnight falls in a DST gap just after `now`.
        monday -= Duration::days(7);
    }
    Period {
        since: local_midnight(tz, monday - Duration::days(7)),
        until: local_midnight(tz, monday),
    }
}

/// The first instant of `day` in `tz`: midnight, or when the clocks jump if a DST change skips
/// midnight (as in America/Santiago).
pub(crate) fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=180)
        .find_map(|m| {
            tz.from_local_datetime(&(midnight + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}
