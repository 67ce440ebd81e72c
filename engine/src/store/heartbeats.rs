//! Heartbeat state as rows (`heartbeats`, one per configured name). The event a miss, failure or
//! recovery causes is applied through the batch-ingest code (`ingest::apply_one`) inside the
//! caller's transaction, so the state change and the incident it opens or resolves commit
//! together.
//!
//! Every change first takes the heartbeat's row with [`lock`] (`FOR UPDATE` on PostgreSQL;
//! SQLite's `BEGIN IMMEDIATE` already serialises writers) and re-decides under the lock, so two
//! replicas or two concurrent check-ins never both fire or both resolve.

use super::{C, sql};
use crate::domain::clock::Timestamp;
use crate::domain::heartbeat::Watch;
use crate::domain::kinds::IncidentStatus;

/// A heartbeat's row, with the status of the incident it last triggered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct HeartbeatRow {
    pub name: String,
    pub first_seen: Timestamp,
    pub last_checkin: Option<Timestamp>,
    pub checkins: i64,
    pub down_since: Option<Timestamp>,
    pub fired_at: Option<Timestamp>,
    pub incident_id: Option<i64>,
    pub incident_status: Option<String>,
}

impl HeartbeatRow {
    pub(crate) fn watch(&self) -> Watch {
        Watch {
            first_seen: self.first_seen.datetime(),
            last_checkin: self.last_checkin.map(Timestamp::datetime),
            down_since: self.down_since.map(Timestamp::datetime),
            fired_at: self.fired_at.map(Timestamp::datetime),
            incident_open: self.open_incident().is_some(),
        }
    }

    /// The incident it last triggered, while that is still open.
    pub(crate) fn open_incident(&self) -> Option<i64> {
        let open = self
            .incident_status
            .as_deref()
            .is_some_and(|s| s != IncidentStatus::Resolved.as_str());
        self.incident_id.filter(|_| open)
    }
}

const SELECT: &str = "SELECT h.name, h.first_seen, h.last_checkin, h.checkins, h.down_since, \
     h.fired_at, h.incident_id, i.status AS incident_status \
     FROM heartbeats AS h LEFT JOIN incidents AS i ON i.id = h.incident_id";

/// Every heartbeat row, configured or not (callers skip names no longer in the config).
pub(crate) async fn all(c: &mut C<'_>) -> Result<Vec<HeartbeatRow>, sqlx::Error> {
    let q = format!("{SELECT} ORDER BY h.name");
    sql!(all HeartbeatRow, c.reborrow(), sqlx::AssertSqlSafe(q))
}

/// Starts watching `name` at `now` unless it is watched already; true when it started now.
pub(crate) async fn start_watching(
    c: &mut C<'_>,
    name: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO heartbeats (name, first_seen) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        name, now)?;
    Ok(n == 1)
}

/// The row of `name`, locked for the rest of the transaction. With `skip_locked` (the timer), a
/// row another replica holds gives `None` at once: that replica is acting on it.
pub(crate) async fn lock(
    c: &mut C<'_>,
    name: &str,
    skip_locked: bool,
) -> Result<Option<HeartbeatRow>, sqlx::Error> {
    let suffix = match (&c, skip_locked) {
        (C::Sqlite(_), _) => "",
        (C::Pg(_), false) => " FOR UPDATE OF h",
        (C::Pg(_), true) => " FOR UPDATE OF h SKIP LOCKED",
    };
    let q = format!("{SELECT} WHERE h.name = $1{suffix}");
    sql!(optional HeartbeatRow, c.reborrow(), sqlx::AssertSqlSafe(q), name)
}

/// A check-in: counted, and the heartbeat is up again.
pub(crate) async fn checked_in(
    c: &mut C<'_>,
    name: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE heartbeats SET last_checkin = $2, checkins = checkins + 1, down_since = NULL \
         WHERE name = $1",
        name, now)?;
    Ok(())
}

/// A trigger was sent (a miss or a reported failure): down since the first, and which incident
/// it opened or joined (`None` when a maintenance window held it back).
pub(crate) async fn fired(
    c: &mut C<'_>,
    name: &str,
    now: Timestamp,
    incident: Option<i64>,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE heartbeats SET down_since = COALESCE(down_since, $2), fired_at = $2, incident_id = $3 \
         WHERE name = $1",
        name, now, incident)?;
    Ok(())
}
