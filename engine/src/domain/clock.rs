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

/// An instant, kept as microseconds since the Unix epoch: how both stores keep every time, so
/// that one SQL text compares times the same way on SQLite and PostgreSQL. Arithmetic is in
/// [`chrono::Duration`]s, never in bare microseconds.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    sqlx::Type,
    serde::Serialize,
    serde::Deserialize,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest instant there is: "before anything", to page from the start.
    pub const MIN: Timestamp = Timestamp(i64::MIN);

    pub const fn from_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    pub const fn micros(self) -> i64 {
        self.0
    }

    pub fn datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// What `clock` says now.
    pub fn now(clock: &dyn Clock) -> Timestamp {
        Timestamp::from(clock.now())
    }

    /// Serializes as the HTTP API shows times, RFC 3339 in UTC (`2026-11-21T03:00:00Z`), for
    /// `#[serde(serialize_with = "Timestamp::rfc3339")]`. Plain `Serialize` stays microseconds:
    /// that is how stored payloads keep times.
    pub fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&t.datetime(), s)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Timestamp {
        Timestamp(t.timestamp_micros())
    }
}

impl std::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;

    /// Saturates instead of overflowing: a due time past the end of time is "never".
    fn add(self, d: Duration) -> Timestamp {
        let us = d.num_microseconds().unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(us))
    }
}

impl std::ops::Sub<Duration> for Timestamp {
    type Output = Timestamp;

    fn sub(self, d: Duration) -> Timestamp {
        let us = d.num_microseconds().unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(us))
    }
}

impl std::ops::Sub for Timestamp {
    type Output = Duration;

    fn sub(self, earlier: Timestamp) -> Duration {
        Duration::microseconds(self.0.saturating_sub(earlier.0))
    }
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
        assert_eq!(Timestamp::from(t).datetime(), t);
    }

    #[test]
    fn a_timestamp_is_microseconds_with_duration_arithmetic() {
        let t = Timestamp::from(
            DateTime::parse_from_rfc3339("2026-01-01T00:00:00.000001Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(t.micros(), 1_767_225_600_000_001);
        assert_eq!((t + Duration::minutes(30)) - t, Duration::minutes(30));
        assert_eq!(
            t - Duration::seconds(1),
            Timestamp::from_micros(t.micros() - 1_000_000)
        );
        assert_eq!(Timestamp::from(t.datetime()), t);
        let end = Timestamp::from_micros(i64::MAX);
        assert_eq!(end + Duration::days(1), end, "saturates");
    }
}
