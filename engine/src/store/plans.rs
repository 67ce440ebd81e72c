//! The timer tick's queries as SQLite plans them: each reads only the rows that are due, through
//! its own index, whatever the number of open incidents. Left to itself SQLite's planner walked
//! every triggered incident (through `incidents_by_status`) and sorted them, on every tick and so
//! after every ingest commit — a cost that grew with each incident a storm opened (issue 14).

use super::Store;
use super::escalation::{ACK_TIMEOUTS, AUTO_RESOLVE, due_levels, due_pages, next_level_due};

/// Each query's plan, one line per step, on a fresh migrated SQLite database (no statistics, as
/// in production). Every placeholder (`binds` of them) is bound to 0: the plan does not depend
/// on the values.
async fn plans(queries: &[(&str, String, usize, &str)]) -> Vec<Vec<String>> {
    let dir = std::env::temp_dir().join(format!("firebell-plans-{}", std::process::id()));
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
            2,
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
