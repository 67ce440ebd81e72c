//! People: notifications sent to them, pages in hour-class stretches, overrides.

use super::{C, Scope, sql};
use crate::store::OptText;
use crate::store::oncall::OverrideRow;

/// Outbox rows addressed to a person, created in the scope, for one contact method.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct SentRow {
    pub method: String,
    pub sent: i64,
    pub failed: i64,
    /// Neither delivered nor given up on yet.
    pub pending: i64,
}

/// Per contact method: rows queued to people, given up on, and still pending (the rest were
/// delivered). Each count is one narrow index range per method: every row for `sent`, the few
/// failed ones (a partial index) and the few pending ones (the outbox's own pending index).
pub(crate) async fn notifications(
    c: &mut C<'_>,
    s: &Scope<'_>,
) -> Result<Vec<SentRow>, sqlx::Error> {
    let filter = s.incident_filter("incident_id", 3);
    let pending_hint = match c {
        C::Sqlite(_) => " INDEXED BY outbox_pending",
        C::Pg(_) => "",
    };
    let mut out = Vec::new();
    for method in ["chat", "sms", "voice", "email"] {
        let q = format!(
            "SELECT '{method}' AS method, \
               (SELECT COUNT(*) FROM outbox WHERE recipient IS NOT NULL AND method = '{method}' \
                  AND cancelled_at IS NULL AND created_at >= $1 AND created_at < $2{filter}) AS sent, \
               (SELECT COUNT(*) FROM outbox WHERE recipient IS NOT NULL AND failed_at IS NOT NULL AND cancelled_at IS NULL \
                  AND method = '{method}' AND created_at >= $1 AND created_at < $2{filter}) AS failed, \
               (SELECT COUNT(*) FROM outbox{pending_hint} WHERE delivered_at IS NULL AND failed_at IS NULL \
                  AND recipient IS NOT NULL AND method = '{method}' AND created_at >= $1 AND created_at < $2{filter}) AS pending"
        );
        out.push(scoped!(one SentRow, c.reborrow(), q, s, s.since, s.until)?);
    }
    Ok(out)
}

/// Everyone a page ever went out to, by id: one index seek each.
pub(crate) async fn paged_users(c: &mut C<'_>) -> Result<Vec<String>, sqlx::Error> {
    let mut out: Vec<String> = Vec::new();
    loop {
        let after = out.last().map_or("", String::as_str);
        let (next,): (Option<String>,) = sql!(
            one OptText,
            c.reborrow(),
            "SELECT MIN(user_id) FROM pages WHERE outcome = 'queued' AND user_id > $1",
            after
        )?;
        match next {
            Some(u) => out.push(u),
            None => return Ok(out),
        }
    }
}

/// Pages that went out (`outcome = 'queued'`) to `user` in the scope, counted in each of
/// `stretches` (`[start, end)` microseconds): one index range each, a few hundred per statement.
pub(crate) async fn pages_in(
    c: &mut C<'_>,
    s: &Scope<'_>,
    user: &str,
    stretches: &[(i64, i64)],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut out = vec![0; stretches.len()];
    for (chunk_no, chunk) in stretches.chunks(400).enumerate() {
        // Integers only, so writing them into the SQL text is safe.
        let values: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(k, (a, b))| format!("({k}, {a}, {b})"))
            .collect();
        let q = format!(
            "WITH v(k, a, b) AS (VALUES {}) \
             SELECT CAST(v.k AS BIGINT), (SELECT COUNT(*) FROM pages p WHERE p.outcome = 'queued' AND p.user_id = $1 \
               AND p.fired_at >= v.a AND p.fired_at < v.b{}) FROM v",
            values.join(", "),
            s.incident_filter("p.incident_id", 2)
        );
        let rows: Vec<(i64, i64)> = scoped!(all(i64, i64), c.reborrow(), q, s, user)?;
        for (k, n) in rows {
            if let Some(slot) = usize::try_from(k)
                .ok()
                .and_then(|k| out.get_mut(chunk_no * 400 + k))
            {
                *slot = n;
            }
        }
    }
    Ok(out)
}

/// Overrides that overlapped `[since, until)` at any time, cancelled ones included (they
/// counted until they were cancelled), oldest first.
pub(crate) async fn overrides_between(
    c: &mut C<'_>,
    since: i64,
    until: i64,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    sql!(all OverrideRow, c.reborrow(),
        "SELECT id, schedule, user_id, start_at, end_at, created_by, cancelled_at FROM overrides \
         WHERE start_at < $2 AND end_at > $1 ORDER BY id",
        since, until)
}
