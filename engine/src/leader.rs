//! Singleton duties across replicas: only one process may hold Discord's gateway connection (a
//! bot gets one session; two would answer every command twice). On PostgreSQL the leader holds a
//! session advisory lock on a connection of its own; when that process dies its connection
//! closes, the lock is released, and the next replica to try takes over. On SQLite there is one
//! process, and it leads.

use sqlx::{Connection, PgConnection};

use crate::engine::Engine;
use crate::error::EngineError;

/// Held while this process leads `duty`; dropping it (or the process dying) gives it up.
pub struct Leadership {
    duty: String,
    /// The connection holding the advisory lock (PostgreSQL); `None` on SQLite.
    conn: Option<PgConnection>,
}

impl std::fmt::Debug for Leadership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leadership")
            .field("duty", &self.duty)
            .field("postgres", &self.conn.is_some())
            .finish()
    }
}

impl Engine {
    /// Takes the lead for `duty` if no other live process holds it.
    pub async fn try_lead(&self, duty: &str) -> Result<Option<Leadership>, EngineError> {
        let crate::store::Store::Postgres(pool) = self.store() else {
            return Ok(Some(Leadership {
                duty: duty.to_owned(),
                conn: None,
            }));
        };
        let mut conn = pool.acquire().await?;
        let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock(hashtext($1))")
            .bind(format!("firebell:{duty}"))
            .fetch_one(&mut *conn)
            .await?;
        // The winner's connection leaves the pool for good: the lock lives as long as it. A
        // follower's goes back to the pool, so asking every few seconds opens no connections.
        Ok(got.then(|| Leadership {
            duty: duty.to_owned(),
            conn: Some(conn.detach()),
        }))
    }
}

impl Leadership {
    /// Whether the lead is still held: on PostgreSQL, whether the lock's connection is alive
    /// (a database restart drops it, and with it the lock).
    pub async fn still_held(&mut self) -> bool {
        match &mut self.conn {
            None => true,
            Some(conn) => conn.ping().await.is_ok(),
        }
    }

    pub fn duty(&self) -> &str {
        &self.duty
    }
}
