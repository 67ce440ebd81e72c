//! A fresh, migrated database per test. SQLite always; PostgreSQL when `DATABASE_URL` is set (CI
//! sets it and fails if the server is unreachable — a PostgreSQL test is never silently skipped
//! once asked for).

use std::str::FromStr;

use firebell_engine::Store;
use sqlx::postgres::PgConnectOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to run a contract test on: SQLite, plus PostgreSQL when `DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Backend::Postgres);
    } else {
        eprintln!("note: DATABASE_URL is not set; running on SQLite only");
    }
    v
}

/// A throwaway database. SQLite: a file in a temp directory (not `sqlite::memory:`, which is a
/// separate database per pooled connection). PostgreSQL: a new schema, dropped on `Drop`.
pub struct TestDb {
    pub backend: Backend,
    /// A URL the application can be started with (for PostgreSQL it pins the schema).
    pub url: String,
    _dir: Option<TempDir>,
    schema: Option<String>,
}

/// A temp directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let id = uuid_like();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("firebell-test-{id}"));
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let url = format!("sqlite://{}", dir.join("firebell.db").display());
                TestDb {
                    backend,
                    url,
                    _dir: Some(TempDir(dir)),
                    schema: None,
                }
            }
            Backend::Postgres => {
                let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
                let schema = format!("fb_test_{id}");
                let admin = Store::connect(&base).await.unwrap_or_else(|e| {
                    panic!("DATABASE_URL is set but PostgreSQL is unreachable at {base}: {e}")
                });
                let Store::Postgres(pool) = &admin else {
                    panic!("DATABASE_URL is not a postgres:// URL")
                };
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(pool)
                    .await
                    .expect("create schema");
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                TestDb {
                    backend,
                    url,
                    _dir: None,
                    schema: Some(schema),
                }
            }
        }
    }

    /// A connected, migrated store on this database (call as often as needed: each is a new pool,
    /// as a second replica would have).
    pub async fn store(&self) -> Store {
        let store = match self.backend {
            Backend::Sqlite => Store::connect(&self.url).await.expect("connect sqlite"),
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(&self.url).expect("pg url");
                Store::connect_postgres(opts)
                    .await
                    .expect("connect postgres")
            }
        };
        store.migrate().await.expect("migrate");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        let base = std::env::var("DATABASE_URL").unwrap_or_default();
        // Drop runs outside any async context guarantee: use a private runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async move {
                let store = Store::connect(&base).await.ok()?;
                if let Store::Postgres(pool) = &store {
                    // A replica a test cut off from the database (a silenced proxy) may have been
                    // mid-transaction: its session stays open, holding locks in the schema, and
                    // the DROP would wait for it forever. End every session still holding a lock
                    // there first (the test is over), as the server's keepalive or an
                    // administrator would.
                    let _ = sqlx::query(
                        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l \
                         JOIN pg_class c ON c.oid = l.relation \
                         JOIN pg_namespace n ON n.oid = c.relnamespace \
                         WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()",
                    )
                    .bind(&schema)
                    .execute(pool)
                    .await;
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {schema} CASCADE"
                    )))
                    .execute(pool)
                    .await;
                }
                store.close().await;
                Some(())
            })
        })
        .join();
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}
