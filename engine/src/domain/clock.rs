//! The engine never reads the wall clock directly: it asks a [`Clock`]. Production uses
//! [`SystemClock`]; tests use [`ManualClock`] and move time forward in microseconds instead of
//! sleeping, so "page the secondary at +30 min" is tested without waiting 30 minutes.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// A source of "now". Cheap to call; shared as `Arc<dyn Clock>`.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves time forward (or backward, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Microseconds since the Unix epoch: how both stores keep timestamps, so that one SQL text
/// compares times the same way on SQLite and PostgreSQL.
pub(crate) fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced_and_clones_share_time() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let clock = ManualClock::new(start);
        let other = clock.clone();
        assert_eq!(clock.now(), start);
        other.advance(Duration::minutes(30));
        assert_eq!(clock.now(), start + Duration::minutes(30));
    }

    #[test]
    fn micros_round_trip() {
        let t = DateTime::parse_from_rfc3339("2026-03-29T01:59:59.123456Z")
            .unwrap()
            .to_utc();
        assert_eq!(from_micros(to_micros(t)), t);
    }
}
