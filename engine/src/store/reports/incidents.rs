//! Incident aggregates: per-day counts and durations, percentile windows, escalations.

use super::{C, Scope, sql};

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
