//! Alert aggregates: received, deduplicated and suppressed triggers, the noisiest keys.

use super::{C, Scope, sql};

/// Trigger events received in the scope: `(received, deduplicated, suppressed)`. One index
/// range per outcome.
pub(crate) async fn alert_counts(
    c: &mut C<'_>,
    s: &Scope<'_>,
) -> Result<(i64, i64, i64), sqlx::Error> {
    let filter = s.filter("service", 3);
    let part = |outcome: &str| {
        format!(
            "SELECT '{outcome}' AS outcome, COUNT(*) AS n FROM alerts \
             WHERE outcome = '{outcome}' AND received_at >= $1 AND received_at < $2{filter}"
        )
    };
    let q = ["created", "deduplicated", "suppressed"]
        .map(part)
        .join(" UNION ALL ");
    let rows: Vec<(String, i64)> = scoped!(all(String, i64), c.reborrow(), q, s, s.since, s.until)?;
    let n = |o: &str| rows.iter().find(|r| r.0 == o).map_or(0, |r| r.1);
    let (created, deduplicated, suppressed) = (n("created"), n("deduplicated"), n("suppressed"));
    Ok((
        created + deduplicated + suppressed,
        deduplicated,
        suppressed,
    ))
}

/// Whether the scope has at least `n` trigger events (counting stops at `n`).
pub(crate) async fn alerts_reach(
    c: &mut C<'_>,
    s: &Scope<'_>,
    n: i64,
) -> Result<bool, sqlx::Error> {
    let q = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM alerts WHERE outcome IN ('created', 'deduplicated', 'suppressed') \
         AND received_at >= $1 AND received_at < $2{} LIMIT $3) AS a",
        s.filter("service", 4)
    );
    let (found,): (i64,) = scoped!(one(i64,), c.reborrow(), q, s, s.since, s.until, n)?;
    Ok(found >= n)
}

/// A (service, dedup key) with the trigger events it sent in the scope.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub service: String,
    pub dedup_key: String,
    pub alerts: i64,
}

/// The `limit` (service, dedup key) pairs with the most trigger events in the scope, most first.
/// On SQLite, long periods walk the key-ordered partial index (grouping in index order) rather
/// than sort every alert of the period; short ones seek the time index.
pub(crate) async fn noisiest_keys(
    c: &mut C<'_>,
    s: &Scope<'_>,
    limit: i64,
    long_period: bool,
) -> Result<Vec<KeyRow>, sqlx::Error> {
    let (hint, triggers) = match c {
        C::Sqlite(_) if long_period => (" INDEXED BY alerts_by_key", "action = 'trigger'"),
        C::Sqlite(_) => (
            " INDEXED BY alerts_by_time",
            "outcome IN ('created', 'deduplicated', 'suppressed')",
        ),
        C::Pg(_) => ("", "action = 'trigger'"),
    };
    let q = format!(
        "SELECT service, dedup_key, COUNT(*) AS alerts FROM alerts{hint} \
         WHERE {triggers} AND received_at >= $1 AND received_at < $2{} \
         GROUP BY service, dedup_key ORDER BY alerts DESC, service, dedup_key LIMIT $3",
        s.filter("service", 4)
    );
    scoped!(all KeyRow, c.reborrow(), q, s, s.since, s.until, limit)
}

/// For one (service, dedup key): how many of its trigger events in `[since, until)` opened an
/// incident, and its latest incident.
pub(crate) async fn key_details(
    c: &mut C<'_>,
    service: &str,
    dedup_key: &str,
    since: i64,
    until: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    sql!(
        one(i64, Option<i64>),
        c.reborrow(),
        "SELECT CAST(COALESCE(SUM(CASE WHEN outcome = 'created' THEN 1 ELSE 0 END), 0) AS BIGINT), MAX(incident_id) \
         FROM alerts WHERE action = 'trigger' AND service = $1 AND dedup_key = $2 AND received_at >= $3 AND received_at < $4",
        service,
        dedup_key,
        since,
        until
    )
}

/// `source` of each incident in `ids` that has one.
pub(crate) async fn sources(c: &mut C<'_>, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers only, so building the list into the SQL text is safe.
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let q = format!(
        "SELECT id, source FROM incidents WHERE id IN ({}) AND source IS NOT NULL",
        ids.join(", ")
    );
    sql!(all(i64, String), c.reborrow(), sqlx::AssertSqlSafe(q))
}
