//! Reads for the manager summary ([`crate::reports`]): aggregates over one period, each shaped
//! so that SQLite can answer it from one index (see `migrations/*/0005_reports.sql`) without
//! sorting a million rows, and PostgreSQL from the same SQL text. Percentiles never load a whole
//! column: [`duration_window`] reads the few values around a rank in index order.

use super::oncall::OverrideRow;
use super::{C, sql};

/// Microseconds in a UTC day, as written in the SQL (the day expression must match the index's).
pub(crate) const DAY_US: i64 = 86_400_000_000;

/// What one query looks at: `[since, until)` in microseconds and, when filtered, the services.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub since: i64,
    pub until: i64,
    /// `None`: every service, configured or not; `Some`: only these (possibly none).
    pub services: Option<&'a [String]>,
}

impl Scope<'_> {
    /// ` AND column IN ($first, …)` for the filtered services (bound after the fixed arguments).
    fn filter(&self, column: &str, first: usize) -> String {
        match self.services {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_owned(),
            Some(names) => {
                let params: Vec<String> = (first..first + names.len())
                    .map(|i| format!("${i}"))
                    .collect();
                format!(" AND {column} IN ({})", params.join(", "))
            }
        }
    }

    /// The filter for tables that know only the incident: ` AND column IN (incidents of …)`.
    fn incident_filter(&self, column: &str, first: usize) -> String {
        match self.services {
            None => String::new(),
            Some(_) => format!(
                " AND {column} IN (SELECT id FROM incidents WHERE 1 = 1{})",
                self.filter("service", first)
            ),
        }
    }

    /// The first and last UTC day (days since the epoch) the scope touches.
    fn days(&self) -> (i64, i64) {
        (
            self.since.div_euclid(DAY_US),
            (self.until - 1).div_euclid(DAY_US),
        )
    }

    fn names(&self) -> &[String] {
        self.services.unwrap_or(&[])
    }
}

/// `sql!` for a query whose text ends in a scope filter: binds the fixed arguments, then every
/// filtered service name.
macro_rules! scoped {
    ($fetch:ident $t:ty, $c:expr, $q:expr, $scope:expr $(, $arg:expr)* $(,)?) => {{
        let q = sqlx::AssertSqlSafe($q);
        let names = $scope.names();
        match $c {
            C::Sqlite(c) => {
                let mut q = sqlx::query_as::<_, $t>(q)$(.bind($arg))*;
                for s in names {
                    q = q.bind(s.as_str());
                }
                sql!(@fetch $fetch, q, c)
            }
            C::Pg(c) => {
                let mut q = sqlx::query_as::<_, $t>(q)$(.bind($arg))*;
                for s in names {
                    q = q.bind(s.as_str());
                }
                sql!(@fetch $fetch, q, c)
            }
        }
    }};
}

/// Incidents opened on one UTC day, of one service and severity, and how they were handled.
/// Durations are sums in microseconds over the incidents that have them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DayRow {
    pub day: i64,
    pub service: String,
    pub severity: String,
    pub opened: i64,
    pub ack_sum: i64,
    pub acked: i64,
    pub resolve_sum: i64,
    pub resolved: i64,
}

/// One pass over the incidents opened in the scope, grouped by UTC day, service and severity.
/// The redundant day bounds let SQLite seek the day-ordered covering index and aggregate in
/// index order, with no sort.
pub(crate) async fn incident_days(
    c: &mut C<'_>,
    s: &Scope<'_>,
) -> Result<Vec<DayRow>, sqlx::Error> {
    let q = format!(
        "SELECT created_at / 86400000000 AS day, service, severity, COUNT(*) AS opened, \
           CAST(COALESCE(SUM(acknowledged_at - created_at), 0) AS BIGINT) AS ack_sum, \
           COUNT(acknowledged_at) AS acked, \
           CAST(COALESCE(SUM(resolved_at - created_at), 0) AS BIGINT) AS resolve_sum, \
           COUNT(resolved_at) AS resolved \
         FROM incidents \
         WHERE created_at / 86400000000 >= $1 AND created_at / 86400000000 <= $2 \
           AND created_at >= $3 AND created_at < $4{} \
         GROUP BY created_at / 86400000000, service, severity",
        s.filter("service", 5)
    );
    let (first_day, last_day) = s.days();
    scoped!(all DayRow, c.reborrow(), q, s, first_day, last_day, s.since, s.until)
}

/// Incidents opened in the scope that were acknowledged (and not re-triggered since) and then
/// resolved by firebell itself: auto-resolve, `resolved_via = 'system'` (a small partial index).
pub(crate) async fn auto_resolved_after_ack(
    c: &mut C<'_>,
    s: &Scope<'_>,
) -> Result<i64, sqlx::Error> {
    let q = format!(
        "SELECT COUNT(*) FROM incidents WHERE resolved_via = 'system' AND acknowledged_at IS NOT NULL \
         AND created_at >= $1 AND created_at < $2{}",
        s.filter("service", 3)
    );
    let (n,): (i64,) = scoped!(one(i64,), c.reborrow(), q, s, s.since, s.until)?;
    Ok(n)
}

/// The timeline entries after which an incident's `acknowledged_at` no longer says when it was
/// first acknowledged: a re-trigger (ack timeout) or a person's `!escalate`, both of which clear
/// it. The same expression as the partial index `timeline_ack_cleared`, so SQLite uses it.
const ACK_CLEARED: &str =
    "(t.kind = 'retriggered' OR (t.kind = 'escalated' AND t.channel <> 'system'))";

/// An incident opened in the scope whose acknowledgement was cleared at least once, with its
/// first acknowledgement from the timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ClearedRow {
    pub id: i64,
    pub service: String,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub resolved_via: Option<String>,
    pub first_ack: Option<i64>,
}

pub(crate) async fn ack_cleared(
    c: &mut C<'_>,
    s: &Scope<'_>,
) -> Result<Vec<ClearedRow>, sqlx::Error> {
    let q = format!(
        "SELECT i.id, i.service, i.created_at, i.acknowledged_at, i.resolved_via, \
           (SELECT MIN(a.at) FROM timeline a WHERE a.kind = 'acknowledged' AND a.incident_id = i.id) AS first_ack \
         FROM incidents i \
         WHERE i.created_at >= $1 AND i.created_at < $2{} \
           AND i.id IN (SELECT t.incident_id FROM timeline t WHERE {ACK_CLEARED} AND t.at >= $1) \
         ORDER BY i.id",
        s.filter("i.service", 3)
    );
    scoped!(all ClearedRow, c.reborrow(), q, s, s.since, s.until)
}

/// Which duration a percentile is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    /// `acknowledged_at - created_at`.
    Ack,
    /// `resolved_at - created_at`.
    Resolve,
}

impl Metric {
    fn column(self) -> &'static str {
        match self {
            Metric::Ack => "acknowledged_at",
            Metric::Resolve => "resolved_at",
        }
    }

    fn index(self) -> &'static str {
        match self {
            Metric::Ack => "incidents_ack_time",
            Metric::Resolve => "incidents_resolve_time",
        }
    }
}

/// One entry of a duration index, in its order: the duration (microseconds), then the
/// columns that break ties (`created_at`, `service`, the incident's id).
pub(crate) type DurationKey = (i64, i64, String, i64);

/// `limit` entries of the duration index for incidents opened in the scope, skipping `offset`,
/// in ascending order (`descending`: counted from the largest, returned largest first).
///
/// On SQLite, with `walk` the scan follows the partial expression index in duration order and
/// stops after `offset + limit` matches — no sort, whatever the period, at most one pass over
/// that index; for periods with few incidents (`walk = false`) it seeks the day index and sorts
/// just those. Without the hints SQLite, which keeps no statistics here, would seek the period
/// and sort it however large.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn duration_window(
    c: &mut C<'_>,
    s: &Scope<'_>,
    metric: Metric,
    walk: bool,
    descending: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<DurationKey>, sqlx::Error> {
    let col = metric.column();
    let hint = match c {
        C::Sqlite(_) if walk => format!(" INDEXED BY {}", metric.index()),
        C::Sqlite(_) => " INDEXED BY incidents_report_days".to_owned(),
        C::Pg(_) => String::new(),
    };
    let (first_day, last_day) = s.days();
    let dir = if descending { " DESC" } else { "" };
    // Ties are broken by the service's bytes, as the index (and the caller) order them.
    let service = match c {
        C::Sqlite(_) => "service",
        C::Pg(_) => "service COLLATE \"C\"",
    };
    let q = format!(
        "SELECT {col} - created_at, created_at, service, id FROM incidents{hint} \
         WHERE {col} IS NOT NULL AND created_at / 86400000000 >= {first_day} AND created_at / 86400000000 <= {last_day} \
           AND created_at >= $1 AND created_at < $2{} \
         ORDER BY {col} - created_at{dir}, created_at{dir}, {service}{dir}, id{dir} LIMIT $3 OFFSET $4",
        s.filter("service", 5)
    );
    scoped!(all DurationKey, c.reborrow(), q, s, s.since, s.until, limit, offset)
}

/// Whether any incident opened in the scope (one seek of the day index).
pub(crate) async fn any_opened(c: &mut C<'_>, s: &Scope<'_>) -> Result<bool, sqlx::Error> {
    let (first_day, last_day) = s.days();
    let q = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM incidents WHERE created_at / 86400000000 >= $1 \
         AND created_at / 86400000000 <= $2 AND created_at >= $3 AND created_at < $4{} LIMIT 1) AS o",
        s.filter("service", 5)
    );
    let (n,): (i64,) = scoped!(
        one(i64,),
        c.reborrow(),
        q,
        s,
        first_day,
        last_day,
        s.since,
        s.until
    )?;
    Ok(n > 0)
}

/// Incidents opened in the scope that went past their policy's first level: `(by hand,
/// by timeout)`. By hand: a person used `!escalate` (an `escalated` entry not written by the
/// system). By timeout: a later level or pass paged someone, and nobody escalated by hand.
pub(crate) async fn escalations(c: &mut C<'_>, s: &Scope<'_>) -> Result<(i64, i64), sqlx::Error> {
    let by_hand = format!(
        "SELECT t.incident_id FROM timeline t WHERE {ACK_CLEARED} AND t.kind = 'escalated' AND t.at >= $1"
    );
    let incidents = format!(
        "FROM incidents i WHERE i.created_at >= $1 AND i.created_at < $2{}",
        s.filter("i.service", 3)
    );
    let q = format!(
        "SELECT \
           (SELECT COUNT(*) {incidents} AND i.id IN ({by_hand})) AS by_hand, \
           (SELECT COUNT(*) {incidents} \
              AND i.id IN (SELECT p.incident_id FROM pages p WHERE (p.level > 0 OR p.loop_no > 0) AND p.due_at >= $1) \
              AND i.id NOT IN ({by_hand})) AS by_timeout"
    );
    scoped!(one(i64, i64), c.reborrow(), q, s, s.since, s.until)
}

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
                  AND created_at >= $1 AND created_at < $2{filter}) AS sent, \
               (SELECT COUNT(*) FROM outbox WHERE recipient IS NOT NULL AND failed_at IS NOT NULL \
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
            one super::OptText,
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

/// Incidents of `service` opened inside any of `windows` (`[start, end)` microseconds, not
/// overlapping). One index range each, summed in SQL, a few hundred per statement.
pub(crate) async fn opened_within(
    c: &mut C<'_>,
    service: &str,
    windows: &[(i64, i64)],
) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for chunk in windows.chunks(200) {
        // Integers only, so writing them into the SQL text is safe.
        let parts: Vec<String> = chunk
            .iter()
            .map(|(a, b)| {
                format!(
                    "SELECT COUNT(*) AS n FROM incidents WHERE service = $1 AND created_at >= {a} AND created_at < {b}"
                )
            })
            .collect();
        let q = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM ({}) AS w",
            parts.join(" UNION ALL ")
        );
        let (n,): (i64,) = sql!(one(i64,), c.reborrow(), sqlx::AssertSqlSafe(q), service)?;
        total += n;
    }
    Ok(total)
}
