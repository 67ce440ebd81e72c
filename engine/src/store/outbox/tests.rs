//! The outbox's queries as SQLite plans them.

use super::*;
use crate::domain::notification::Lane;

/// A lane's claim must read its own index, never walk the other lanes' pending rows (a
/// backlog of room posts made every direct-page claim scan all of them).
#[tokio::test]
async fn each_lane_claims_through_its_own_index() {
    let dir = std::env::temp_dir().join(format!("firebell-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("plan.db").display());
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let mut conn = store.conn().await.expect("conn");
    for (lane, index) in [
        (Lane::Direct, "outbox_due_direct"),
        (Lane::Chat, "outbox_due_chat"),
        (Lane::Hooks, "outbox_due_hooks"),
    ] {
        let q = format!("EXPLAIN QUERY PLAN {}", claimable(lane));
        let plan: Vec<(i64, i64, i64, String)> = sql!(
            all(i64, i64, i64, String),
            conn.c(),
            sqlx::AssertSqlSafe(q),
            0_i64,
            32_i64
        )
        .expect("plan");
        let plan: Vec<String> = plan.into_iter().map(|r| r.3).collect();
        assert!(
            plan.first().is_some_and(|p| p.contains(index)),
            "{lane:?} claims through {plan:?}, not {index}"
        );
    }
    drop(conn);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
