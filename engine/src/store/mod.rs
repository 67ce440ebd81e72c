//! Persistence on SQLite (default, one process) or PostgreSQL (several replicas), behind one type.
//!
//! Both backends run the same SQL text: timestamps are integer microseconds, JSON is text, and
//! placeholders are `$N` (SQLite accepts them too). The few statements that must differ (row
//! claiming with `FOR UPDATE SKIP LOCKED`) branch on [`Store::is_postgres`]. Every state change
//! is a guarded conditional update inside a transaction, so two processes can never both
//! acknowledge, resolve or deliver the same thing.
//!
//! # Layout
//! - `mod.rs`: connecting, migrations, transactions, the `sql!` dispatch macro.
//! - `batch/`: batch ingest — a few bulk statements per batch, on each backend.
//! - `incidents.rs`: state changes — ingest (dedup), acknowledge, resolve, notes.
//! - `queries.rs`: reads — incidents, timeline, counts, alert log, change events.
//! - `search.rs`: reads in PagerDuty's terms — incident searches with offset pages and counts, a
//!   timeline with entry ids, an incident's alerts with their bodies.
//! - `pending.rs`: rows written in bulk at the end of a transaction (alert log, timeline, outbox).
//! - `outbox.rs`: claiming and settling notifications.
//! - `hooks.rs`: the webhook rows a transaction's incident events cause.
//! - `heartbeats.rs`: heartbeat state, and heartbeat events applied inside the caller's transaction.
//! - `inbound.rs`: replay ids of inbound requests, and the retention deletes.
//! - `rows.rs`: row structs and their conversion to domain types.
//! - `redact.rs`: database URLs with their password masked, for logs and errors.

pub(crate) mod batch;
pub(crate) mod chat;
pub(crate) mod escalation;
pub(crate) mod heartbeats;
pub(crate) mod hooks;
pub(crate) mod inbound;
pub(crate) mod incidents;
pub(crate) mod ladder;
pub(crate) mod maintenance;
pub(crate) mod nudge;
pub(crate) mod oncall;
pub(crate) mod outbox;
pub(crate) mod pending;
#[cfg(test)]
mod plans;
pub(crate) mod queries;
mod redact;
pub(crate) mod reports;
mod rows;
pub(crate) mod search;

pub use redact::redacted_url;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::domain::error::EngineError;

/// A connection to either backend, borrowed for one statement.
pub(crate) enum C<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

impl C<'_> {
    pub(crate) fn is_pg(&self) -> bool {
        matches!(self, C::Pg(_))
    }

    /// A shorter-lived handle to the same connection, so one `C` serves many statements.
    pub(crate) fn reborrow(&mut self) -> C<'_> {
        match self {
            C::Sqlite(c) => C::Sqlite(c),
            C::Pg(c) => C::Pg(c),
        }
    }
}

/// Runs one SQL text on whichever backend the connection is.
/// `sql!(execute c, "…", a, b)` → rows affected; `sql!(optional T, c, …)`, `sql!(one T, c, …)`,
/// `sql!(all T, c, …)` → rows decoded as `T` (a `FromRow` struct or a tuple).
macro_rules! sql {
    (execute $c:expr, $q:expr $(, $arg:expr)* $(,)?) => {
        match $c {
            $crate::store::C::Sqlite(c) => sqlx::query($q)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
            $crate::store::C::Pg(c) => sqlx::query($q)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
        }
    };
    ($fetch:ident $t:ty, $c:expr, $q:expr $(, $arg:expr)* $(,)?) => {
        match $c {
            $crate::store::C::Sqlite(c) => sql!(@fetch $fetch, sqlx::query_as::<_, $t>($q)$(.bind($arg))*, c),
            $crate::store::C::Pg(c) => sql!(@fetch $fetch, sqlx::query_as::<_, $t>($q)$(.bind($arg))*, c),
        }
    };
    (@fetch optional, $q:expr, $c:ident) => { $q.fetch_optional(&mut *$c).await };
    (@fetch one, $q:expr, $c:ident) => { $q.fetch_one(&mut *$c).await };
    (@fetch all, $q:expr, $c:ident) => { $q.fetch_all(&mut *$c).await };
}
pub(crate) use sql;

/// One nullable column, as a row type for `sql!` (a named alias, because rustfmt rewrites a
/// one-element tuple type inside a macro call into a plain type).
pub(crate) type OptI64 = (Option<i64>,);
pub(crate) type OptText = (Option<String>,);
pub(crate) type OptTs = (Option<crate::domain::clock::Timestamp>,);

/// A person ends something before its time, once (a maintenance window, an override): `q` is a
/// guarded `UPDATE` that stamps when (`$1`) and by whom (`$2`) on row `$3` only while it is still
/// running. `true` when this call ended it; `false` when it had already ended (or is not there).
pub(crate) async fn end_once(
    c: &mut C<'_>,
    q: &'static str,
    id: i64,
    by: &str,
    now: crate::domain::clock::Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(), q, now, by, id)?;
    Ok(n == 1)
}

/// A write transaction on either backend. On SQLite it holds the process's [`WriteGate`] and
/// starts with `BEGIN IMMEDIATE`, taking the write lock up front, so read-then-write sequences
/// never fail with "database is locked".
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn c(&mut self) -> C<'_> {
        match self {
            Tx::Sqlite(t, _) => C::Sqlite(t),
            Tx::Pg(t) => C::Pg(t),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            // The gate opens only after the commit has returned (the guard drops last).
            Tx::Sqlite(t, _gate) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }
}

/// SQLite's writers queue here, in this process, in arrival order, instead of at SQLite's write
/// lock. A connection that finds the lock taken does not wait for it: SQLite's busy handler
/// polls, sleeping 1, 2, 5, … up to 100 ms between tries, so under load every writer (ingest,
/// timer, outbox) slept for tens of milliseconds at a time while the lock sat free — p99 in the
/// hundreds of milliseconds and a third of ingest's throughput (issue 14). Behind the gate the
/// next writer starts the moment the previous one commits. Another process on the same file
/// still meets the busy handler, as before.
#[derive(Clone, Debug, Default)]
pub struct WriteGate(Arc<tokio::sync::Mutex<()>>);

/// A pooled connection for reads.
pub(crate) enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl Conn {
    pub(crate) fn c(&mut self) -> C<'_> {
        match self {
            Conn::Sqlite(t) => C::Sqlite(t),
            Conn::Pg(t) => C::Pg(t),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool, WriteGate),
    Postgres(PgPool),
}

impl Store {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store, EngineError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_postgres(opts).await
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before the HTTP 202 goes out, even across power loss.
                // Group commit in the ingest queue amortises the fsync.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("cache_size", "-16384")
                .pragma("wal_autocheckpoint", "8192");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A local file has no connection to lose; the check would cost a round trip
                // to the worker thread on every acquire.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Store::Sqlite(pool, WriteGate::default()))
        } else {
            Err(EngineError::user(format!(
                "unsupported database URL `{}` — use `sqlite://firebell.db` or `postgres://user@host/db`",
                redacted_url(url)
            )))
        }
    }

    /// Connects to PostgreSQL with explicit options (tests use this to pin a schema).
    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Store, EngineError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Store::Postgres(pool))
    }

    /// Applies the embedded migrations for this backend. Safe to run from several replicas at once
    /// (sqlx takes a lock).
    pub async fn migrate(&self) -> Result<(), EngineError> {
        match self {
            Store::Sqlite(p, _) => sqlx::migrate!("../migrations/sqlite").run(p).await?,
            Store::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Store::Sqlite(p, gate) => {
                let turn = gate.0.clone().lock_owned().await;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Store::Postgres(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub(crate) async fn conn(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Store::Sqlite(p, _) => Conn::Sqlite(p.acquire().await?),
            Store::Postgres(p) => Conn::Pg(p.acquire().await?),
        })
    }

    /// `SELECT 1`: is the database reachable? (for `/readyz`)
    pub async fn ping(&self) -> Result<(), EngineError> {
        let mut conn = self.conn().await?;
        sql!(one(i32,), conn.c(), "SELECT 1")?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p, _) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}
