//! The timer tick's and the outbox claims' queries as the databases plan them: each reads only
//! the rows that are due, through its own index, whatever the number of open incidents or
//! waiting rows. Left to itself SQLite's planner walked every triggered incident (through
//! `incidents_by_status`) and sorted them, on every tick and so after every ingest commit; and
//! PostgreSQL, with statistics from a quiet hour, walked a lane's whole backlog for each row an
//! outbox claim considered. Both costs grew with each incident a storm opened (issue 14).

use super::Store;
use super::escalation::{ACK_TIMEOUTS, AUTO_RESOLVE, due_levels, due_pages, next_level_due};

/// Each query's plan, one line per step, on a fresh migrated SQLite database (no statistics, as
/// in production). Every placeholder (`binds` of them) is bound to 0: the plan does not depend
/// on the values.
async fn plans(queries: &[(&str, String, usize, &str)]) -> Vec<Vec<String>> {
    // One database per call: the tests run in parallel in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("firebell-plans-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("plans.db").display());
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let Store::Sqlite(pool, _) = &store else {
        unreachable!("a SQLite URL")
    };
    let mut out = Vec::new();
    for (_, q, binds, _) in queries {
        let text = format!("EXPLAIN QUERY PLAN {q}");
        let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(text));
        for _ in 0..*binds {
            query = query.bind(0_i64);
        }
        let rows = query.fetch_all(pool).await.expect("plan");
        out.push(rows.into_iter().map(|r| r.3).collect());
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[tokio::test]
async fn due_time_queries_read_their_own_index_and_never_walk_open_incidents() {
    let queries = [
        (
            "due levels",
            due_levels(false),
            2,
            "incidents_escalation_due",
        ),
        (
            "next level",
            next_level_due(false),
            0,
            "incidents_escalation_due",
        ),
        ("due pages", due_pages(false), 2, "pages_due"),
        (
            "ack timeouts",
            ACK_TIMEOUTS.to_owned(),
            4,
            "incidents_ack_timeout_due",
        ),
        (
            "auto-resolve",
            AUTO_RESOLVE.to_owned(),
            2,
            "incidents_quiet_since",
        ),
    ];
    for (plan, (name, _, _, index)) in plans(&queries).await.into_iter().zip(&queries) {
        assert!(
            plan.first().is_some_and(|p| p.contains(index)),
            "{name}: planned as {plan:?}, not through {index}"
        );
        assert!(
            !plan.iter().any(|p| p.contains("TEMP B-TREE")),
            "{name}: sorts what it read: {plan:?}"
        );
    }
}

/// Each lane's claim reads its own due index in order, and looks up an earlier unsettled row of
/// the same incident through the incident (SQLite).
#[tokio::test]
async fn outbox_claims_read_their_lane_index_and_look_up_earlier_rows_by_incident() {
    use crate::domain::notification::Lane;
    let lanes = [
        (Lane::Hooks, "outbox_due_hooks"),
        (Lane::Chat, "outbox_due_chat"),
        (Lane::Direct, "outbox_due_direct"),
        (Lane::All, "outbox_pending"),
    ];
    let queries: Vec<_> = lanes
        .iter()
        .map(|(lane, index)| ("claim", super::outbox::claim_query(false, *lane), 4, *index))
        .collect();
    for (plan, (lane, index)) in plans(&queries).await.into_iter().zip(&lanes) {
        let due = format!("SEARCH o USING INDEX {index} (due_at<?)");
        let earlier = "SEARCH e USING INDEX outbox_unsettled_by_incident (incident_id=? AND id<?)";
        assert!(
            plan.iter().any(|p| p.contains(&due)) && plan.iter().any(|p| p.contains(earlier)),
            "{lane:?}: planned as {plan:?}"
        );
        assert!(
            !plan.iter().any(|p| p.contains("TEMP B-TREE")),
            "{lane:?}: sorts what it read: {plan:?}"
        );
    }
}

/// The outbox rows as a storm leaves them on a database whose statistics were gathered while it
/// was quiet: 20,000 incidents, a room post and a webhook each, all delivered when `ANALYZE` ran
/// and three quarters of them unsettled since (autovacuum off, so the statistics stay stale).
/// PostgreSQL then believes almost no row is unsettled.
const STALE_OUTBOX: &str = "\
    ALTER TABLE outbox SET (autovacuum_enabled = false); \
    ALTER TABLE incidents SET (autovacuum_enabled = false); \
    INSERT INTO incidents (id, service, dedup_key, title, severity, status, created_at, last_alert_at) \
      SELECT g, 'web', 'k' || g, 't', 'critical', 'triggered', 0, 0 FROM generate_series(1, 20000) g; \
    INSERT INTO outbox (room, incident_id, notification, created_at, due_at, method, recipient, delivered_at) \
      SELECT 'ops', g, '{}', 0, 0, m, CASE WHEN m = 'hook' THEN 'sink' END, 1 \
      FROM generate_series(1, 20000) g, unnest(ARRAY['room', 'hook']) m; \
    ANALYZE outbox; ANALYZE incidents; \
    UPDATE outbox SET delivered_at = NULL WHERE incident_id > 5000";

/// Each lane's claim looks for an earlier unsettled row of the same incident and addressee. On
/// PostgreSQL with stale statistics the planner answered that lookup by walking a lane's whole
/// due index for every candidate (the hooks lane, measured in the ingest benchmark: 46 ms per
/// claim with 14,000 webhooks waiting, growing with the backlog). It must go through the
/// incident: an index condition on `incident_id`.
#[tokio::test]
async fn claims_and_webhook_loads_use_their_indexes_on_postgres_even_on_stale_statistics() {
    use crate::domain::notification::Lane;
    let Some(base) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("note: DATABASE_URL is not set; the PostgreSQL claim plans are not checked");
        return;
    };
    let schema = format!(
        "fb_plans_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let admin = Store::connect(&base).await.expect("DATABASE_URL reachable");
    let Store::Postgres(admin_pool) = &admin else {
        panic!("DATABASE_URL is not a postgres:// URL")
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(admin_pool)
        .await
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let store = Store::connect(&format!("{base}{sep}options=-csearch_path%3D{schema}"))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let Store::Postgres(pool) = &store else {
        unreachable!("a PostgreSQL URL")
    };
    sqlx::raw_sql(STALE_OUTBOX)
        .execute(pool)
        .await
        .expect("stale outbox");
    let mut failures = Vec::new();
    for lane in [Lane::All, Lane::Chat, Lane::Direct, Lane::Hooks] {
        let text = format!("EXPLAIN {}", super::outbox::claim_query(true, lane));
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(text))
            .bind(1_i64)
            .bind(1_i64)
            .bind(32_i64)
            .bind(7_i64)
            .fetch_all(pool)
            .await
            .expect("plan");
        let inner = plan.iter().position(|l| l.contains(" on outbox e"));
        let by_incident = inner.is_some_and(|i| {
            plan.get(i + 1).is_some_and(|l| {
                l.contains("Index Cond") && l.contains("incident_id = o.incident_id")
            })
        });
        if !by_incident {
            failures.push(format!("{lane:?}:\n{}", plan.join("\n")));
        }
    }
    // The incidents a batch's webhooks describe: read by id, never by walking the table.
    let text = format!("EXPLAIN {}", super::hooks::load_query(true));
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(text))
        .bind("[5001, 5002, 5003]")
        .fetch_all(pool)
        .await
        .expect("plan");
    if plan.iter().any(|l| l.contains("Seq Scan on incidents")) {
        failures.push(format!("webhook incidents:\n{}", plan.join("\n")));
    }
    store.close().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(admin_pool)
        .await
        .expect("drop schema");
    admin.close().await;
    assert!(
        failures.is_empty(),
        "not planned through an index:\n{}",
        failures.join("\n\n")
    );
}
