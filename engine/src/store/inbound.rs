//! `inbound_seen`: the ids of requests already acted on ([`crate::replay`]), and the batched
//! delete that keeps the table from growing without end.

use super::{C, sql};
use crate::domain::clock::Timestamp;

/// Records `key` from `source`; `false` when it was already there (a replay or a retry). The
/// unique index decides, so two replicas receiving the same request cannot both act on it.
pub(crate) async fn claim(
    c: &mut C<'_>,
    source: &str,
    key: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO inbound_seen (source, key, seen_at, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
        source, key, now, expires_at)?;
    Ok(n == 1)
}

/// Deletes up to `limit` rows that expired by `now`. A read through the expiry index first, so
/// the usual case (nothing expired) takes no write lock.
pub(crate) async fn delete_expired(
    c: &mut C<'_>,
    now: Timestamp,
    limit: i64,
) -> Result<u64, sqlx::Error> {
    let any = sql!(
        optional(i64,),
        c.reborrow(),
        "SELECT id FROM inbound_seen WHERE expires_at <= $1 ORDER BY expires_at LIMIT 1",
        now
    )?;
    if any.is_none() {
        return Ok(0);
    }
    sql!(execute c.reborrow(),
        "DELETE FROM inbound_seen WHERE id IN \
         (SELECT id FROM inbound_seen WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)",
        now, limit)
}
