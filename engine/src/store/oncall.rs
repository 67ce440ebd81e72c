//! Overrides (who took the pager when) and each schedule's last announced on-call person.

use super::{C, OptText, end_once, sql};
use crate::domain::clock::Timestamp;
use crate::domain::page::Page;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OverrideRow {
    pub id: i64,
    pub schedule: String,
    pub user_id: String,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    pub created_by: String,
    pub cancelled_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, schedule, user_id, start_at, end_at, created_by, cancelled_at";

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_override(
    c: &mut C<'_>,
    schedule: &str,
    user: &str,
    start: Timestamp,
    end: Timestamp,
    by: &str,
    via: &str,
    now: Timestamp,
) -> Result<OverrideRow, sqlx::Error> {
    let q = format!(
        "INSERT INTO overrides (schedule, user_id, start_at, end_at, created_by, created_via, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    sql!(one OverrideRow, c.reborrow(), sqlx::AssertSqlSafe(q), schedule, user, start, end, by, via, now)
}

/// Overrides not cancelled that have not ended by `now`, oldest first (so a newer one covering
/// the same time wins in `on_call_at`).
pub(crate) async fn current_overrides(
    c: &mut C<'_>,
    schedule: Option<&str>,
    now: Timestamp,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM overrides WHERE cancelled_at IS NULL AND end_at > $1 \
         AND ($2 IS NULL OR schedule = $2) ORDER BY id"
    );
    match c.reborrow() {
        C::Sqlite(conn) => {
            sqlx::query_as(sqlx::AssertSqlSafe(q))
                .bind(now)
                .bind(schedule)
                .fetch_all(&mut *conn)
                .await
        }
        C::Pg(conn) => {
            let q = q.replace("$2 IS NULL", "$2::text IS NULL");
            sqlx::query_as(sqlx::AssertSqlSafe(q))
                .bind(now)
                .bind(schedule)
                .fetch_all(&mut *conn)
                .await
        }
    }
}

/// Overrides not cancelled that overlap `[from, to)`, oldest first (as [`current_overrides`]).
pub(crate) async fn overrides_between(
    c: &mut C<'_>,
    schedule: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM overrides WHERE cancelled_at IS NULL AND schedule = $1 \
         AND start_at < $3 AND end_at > $2 ORDER BY id"
    );
    sql!(all OverrideRow, c.reborrow(), sqlx::AssertSqlSafe(q), schedule, from, to)
}

/// Overrides not cancelled and not ended by `now`, newest first, one keyset [`Page`] (the
/// API's list); `schedule` empty for all.
pub(crate) async fn current_overrides_page(
    c: &mut C<'_>,
    schedule: &str,
    now: Timestamp,
    page: Page,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM overrides WHERE cancelled_at IS NULL AND end_at > $1 \
         AND ($2 = '' OR schedule = $2) AND id < $3 ORDER BY id DESC LIMIT $4"
    );
    sql!(all OverrideRow, c.reborrow(), sqlx::AssertSqlSafe(q), now, schedule, page.before_or_max(), page.limit)
}

pub(crate) async fn override_by_id(
    c: &mut C<'_>,
    id: i64,
) -> Result<Option<OverrideRow>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM overrides WHERE id = $1");
    sql!(optional OverrideRow, c.reborrow(), sqlx::AssertSqlSafe(q), id)
}

/// Guarded cancel: `false` when it was already cancelled.
pub(crate) async fn cancel_override(
    c: &mut C<'_>,
    id: i64,
    by: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    end_once(c, CANCEL_OVERRIDE, id, by, now).await
}

const CANCEL_OVERRIDE: &str = "UPDATE overrides SET cancelled_at = $1, cancelled_by = $2 \
     WHERE id = $3 AND cancelled_at IS NULL";

/// The on-call person last announced for `schedule` (`Some(None)`: nobody; `None`: never looked).
pub(crate) async fn announced(
    c: &mut C<'_>,
    schedule: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let row: Option<(Option<String>,)> = sql!(
        optional OptText,
        c.reborrow(),
        "SELECT on_call FROM schedule_state WHERE schedule = $1",
        schedule
    )?;
    Ok(row.map(|r| r.0))
}

/// Records the first look at a schedule; `false` if another replica got there first.
pub(crate) async fn first_look(
    c: &mut C<'_>,
    schedule: &str,
    on_call: Option<&str>,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO schedule_state (schedule, on_call, since) VALUES ($1, $2, $3) ON CONFLICT (schedule) DO NOTHING",
        schedule, on_call, now)?;
    Ok(n == 1)
}

/// Moves a schedule from `from` to `to`, once: `false` if someone else already did.
pub(crate) async fn hand_off(
    c: &mut C<'_>,
    schedule: &str,
    from: Option<&str>,
    to: Option<&str>,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "UPDATE schedule_state SET on_call = $1, since = $2 WHERE schedule = $3 AND COALESCE(on_call, '') = COALESCE($4, '')",
        to, now, schedule, from)?;
    Ok(n == 1)
}
