//! Singleton duties across replicas: only one process may hold Discord's gateway connection (a
//! bot gets one session; two would answer every command twice). On PostgreSQL the leader holds a
//! session advisory lock on a connection of its own; when that process dies its connection
//! closes, the lock is released, and the next replica to try takes over. On SQLite there is one
//! process, and it leads.

use std::time::Duration;

use sqlx::{Connection, PgConnection};

use crate::ctx::Ctx;
use crate::domain::error::EngineError;

/// Held while this process leads `duty`; dropping it (or the process dying) gives it up.
pub struct Leadership {
    duty: String,
    /// The connection holding the advisory lock (PostgreSQL); `None` on SQLite or once lost.
    conn: Option<PgConnection>,
    /// A liveness check failed: the lead is gone for good.
    lost: bool,
}

impl std::fmt::Debug for Leadership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leadership")
            .field("duty", &self.duty)
            .field("postgres", &self.conn.is_some())
            .finish()
    }
}

/// Takes the lead for `duty` if no other live process holds it.
pub async fn try_lead(ctx: &Ctx, duty: &str) -> Result<Option<Leadership>, EngineError> {
    let crate::store::Store::Postgres(pool) = ctx.store() else {
        return Ok(Some(Leadership {
            duty: duty.to_owned(),
            conn: None,
            lost: false,
        }));
    };
    let mut conn = pool.acquire().await?;
    // Advisory locks are database-wide: installations in separate schemas of one database
    // (tests, staging beside production) must not share a leader. `public` keeps the key
    // earlier versions used, so a rolling upgrade never has two leaders.
    let (got,): (bool,) = sqlx::query_as(
        "SELECT pg_try_advisory_lock(hashtext(CASE coalesce(current_schema(), 'public') \
         WHEN 'public' THEN $1 ELSE $1 || '@' || current_schema() END))",
    )
    .bind(format!("firebell:{duty}"))
    .fetch_one(&mut *conn)
    .await?;
    // The winner's connection leaves the pool for good: the lock lives as long as it. A
    // follower's goes back to the pool, so asking every few seconds opens no connections.
    Ok(got.then(|| Leadership {
        duty: duty.to_owned(),
        conn: Some(conn.detach()),
        lost: false,
    }))
}

/// Longest a liveness check may take. A database that stops answering (a partition drops
/// packets, nothing resets the connection) would otherwise hang the check, and with it the
/// leader's loop, for as long as TCP takes to give up: minutes in which this process keeps its
/// session while the server may already have released the lock to another replica.
pub const LIVENESS_TIMEOUT: Duration = Duration::from_secs(1);

impl Leadership {
    /// Whether the lead is still held: on PostgreSQL, whether the lock's connection answers
    /// within [`LIVENESS_TIMEOUT`] (a database restart drops it, and with it the lock). A check
    /// that fails or times out gives the lead up for good: the connection is closed, so the
    /// server releases the lock if it had not yet.
    pub async fn still_held(&mut self) -> bool {
        if self.lost {
            return false;
        }
        let Some(conn) = &mut self.conn else {
            return true; // SQLite: one process, always the leader
        };
        let alive = matches!(
            tokio::time::timeout(LIVENESS_TIMEOUT, conn.ping()).await,
            Ok(Ok(()))
        );
        if !alive {
            // Dropping the connection closes its socket: whatever state the server is in, this
            // process no longer claims the lock.
            self.conn = None;
            self.lost = true;
        }
        alive
    }

    pub fn duty(&self) -> &str {
        &self.duty
    }
}
