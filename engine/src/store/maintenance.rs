//! Maintenance windows as rows: opened by a person, counted by ingest, announced and closed by the
//! timer worker (each notice guarded so it goes out once).

use super::{C, OptTs, end_once, sql};
use crate::domain::clock::Timestamp;
use crate::domain::maintenance::Matcher;
use crate::domain::page::Page;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct WindowRow {
    pub id: i64,
    pub matcher: Matcher,
    pub reason: Option<String>,
    pub room: Option<String>,
    pub created_by: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub ended_by: Option<String>,
    pub suppressed: i64,
}

const COLUMNS: &str =
    "id, matcher, reason, room, created_by, starts_at, ends_at, ended_by, suppressed";

pub(crate) struct NewWindow<'a> {
    pub matcher: &'a str,
    pub reason: Option<&'a str>,
    pub room: Option<&'a str>,
    pub by: &'a str,
    pub via: &'a str,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

pub(crate) async fn insert(c: &mut C<'_>, w: &NewWindow<'_>) -> Result<WindowRow, sqlx::Error> {
    let q = format!(
        "INSERT INTO maintenance (matcher, reason, room, created_by, created_via, starts_at, ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    sql!(one WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q),
        w.matcher, w.reason, w.room, w.by, w.via, w.starts_at, w.ends_at)
}

/// Windows silencing alerts at `now`.
pub(crate) async fn active(c: &mut C<'_>, now: Timestamp) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM maintenance WHERE closed_at IS NULL AND starts_at <= $1 AND ends_at > $1 ORDER BY id"
    );
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q), now)
}

/// Windows not yet closed (active, or ended and awaiting their closing notice).
pub(crate) async fn open(c: &mut C<'_>) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM maintenance WHERE closed_at IS NULL ORDER BY id");
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q))
}

/// Every window ever opened, oldest first (PagerDuty lists past windows too).
pub(crate) async fn all(c: &mut C<'_>) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM maintenance ORDER BY id");
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q))
}

/// Windows still running at `now`, newest first, one keyset [`Page`] (the API's list).
pub(crate) async fn running_page(
    c: &mut C<'_>,
    now: Timestamp,
    page: Page,
) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM maintenance WHERE closed_at IS NULL AND ends_at > $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    );
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, page.before_or_max(), page.limit)
}

pub(crate) async fn by_id(c: &mut C<'_>, id: i64) -> Result<Option<WindowRow>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM maintenance WHERE id = $1");
    sql!(optional WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q), id)
}

pub(crate) async fn count_suppressed(c: &mut C<'_>, id: i64, n: i64) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE maintenance SET suppressed = suppressed + $1 WHERE id = $2", n, id)?;
    Ok(())
}

/// Ends a window early: `false` when it had already ended.
pub(crate) async fn end_now(
    c: &mut C<'_>,
    id: i64,
    by: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    end_once(c, END_NOW, id, by, now).await
}

const END_NOW: &str = "UPDATE maintenance SET ends_at = $1, ended_by = $2 \
     WHERE id = $3 AND ends_at > $1 AND closed_at IS NULL";

/// Windows ending within `ahead` that have not been warned about, claimed for warning.
pub(crate) async fn claim_warnings(
    c: &mut C<'_>,
    now: Timestamp,
    ahead: chrono::Duration,
) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!(
        "UPDATE maintenance SET warned_at = $1 WHERE warned_at IS NULL AND closed_at IS NULL \
         AND ends_at > $1 AND ends_at <= $2 AND ended_by IS NULL RETURNING {COLUMNS}"
    );
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, now + ahead)
}

/// Windows that have ended and not been announced as ended, claimed for that notice.
pub(crate) async fn claim_closings(
    c: &mut C<'_>,
    now: Timestamp,
) -> Result<Vec<WindowRow>, sqlx::Error> {
    let q = format!(
        "UPDATE maintenance SET closed_at = $1 WHERE closed_at IS NULL AND ends_at <= $1 RETURNING {COLUMNS}"
    );
    sql!(all WindowRow, c.reborrow(), sqlx::AssertSqlSafe(q), now)
}

/// The earliest moment a window needs attention (a warning or a closing), if any.
pub(crate) async fn next_due(
    c: &mut C<'_>,
    ahead: chrono::Duration,
) -> Result<Option<Timestamp>, sqlx::Error> {
    // `ends_at - $1`: the warning is due `ahead` before the end (a span, so in microseconds).
    let ahead = ahead.num_microseconds().unwrap_or(0);
    let (t,): (Option<Timestamp>,) = sql!(
        one OptTs,
        c.reborrow(),
        "SELECT MIN(CASE WHEN warned_at IS NULL AND ended_by IS NULL THEN ends_at - $1 ELSE ends_at END) \
         FROM maintenance WHERE closed_at IS NULL",
        ahead
    )?;
    Ok(t)
}
