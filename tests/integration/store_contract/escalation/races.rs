//! Races on PostgreSQL between status changes on different connections, forced into the bad
//! interleaving by a second connection that holds a lock at the right moment. (SQLite's single
//! writer serialises every write transaction, so these interleavings cannot happen there.)
//!
//! Each race opens its incident on a dedup key no other test uses. The per-key advisory locks are
//! database-wide, not per schema, and a race holds one for half a second on purpose: on a shared
//! key it made another test's ack-timeout sweep, on its own schema, skip that incident.

use std::str::FromStr;
use std::time::Duration as StdDuration;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use super::*;

async fn second_connection(h: &Harness) -> PgConnection {
    let opts = PgConnectOptions::from_str(&h.db.url).expect("pg url");
    PgConnection::connect_with(&opts).await.expect("connect")
}

/// Long enough for a spawned task to reach the lock it will wait on.
const REACH: StdDuration = StdDuration::from_millis(500);

/// The spawned task's result, once the lock it waited on is released (at most 10 s).
async fn finished<T>(what: &str, task: tokio::task::JoinHandle<T>) -> T {
    tokio::time::timeout(StdDuration::from_secs(10), task)
        .await
        .unwrap_or_else(|_| panic!("{what} never finished"))
        .unwrap_or_else(|e| panic!("{what} panicked: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ack_timeout_racing_a_repeated_alert_never_leaves_an_incident_acknowledged_by_nobody() {
    if !postgres_requested() {
        return;
    }
    let h = start(Backend::Postgres).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "race-ack-timeout").await;
    settle(&[&h.engine], &rec).await;
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    // Past web's 30-minute ack timeout: the next tick re-triggers it.
    h.advance(Duration::minutes(31));

    // A second connection holds the incident's row, so both writers below queue on it: the
    // timer's re-trigger first, then a repeated alert that read the incident as acknowledged.
    let mut other = second_connection(&h).await;
    let mut held = other.begin().await.expect("begin");
    sqlx::query("SELECT id FROM incidents WHERE id = $1 FOR UPDATE")
        .bind(n.get())
        .execute(&mut *held)
        .await
        .expect("lock the row");
    let timer = {
        let engine = h.engine.clone();
        tokio::spawn(async move { engine.tick().await.expect("tick") })
    };
    tokio::time::sleep(REACH).await;
    let alert = {
        let engine = h.engine.clone();
        tokio::spawn(async move { engine.ingest(event_for("web", "race-ack-timeout")).await })
    };
    tokio::time::sleep(REACH).await;
    held.commit().await.expect("release");
    finished("the timer", timer).await;
    let ingested = finished("the alert", alert).await.expect("ingest");

    let now = incident(&h.engine, n).await;
    assert!(
        !(now.status == IncidentStatus::Acknowledged && now.acknowledged_by.is_none()),
        "acknowledged by nobody: {now:?} (the alert was {ingested:?})"
    );
    assert_eq!(
        now.status,
        IncidentStatus::Triggered,
        "re-triggered, then the alert added to it: {now:?}"
    );
    assert_eq!(now.alert_count, 2);
    // And its ladder runs again: level 1 pages alice anew.
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![page("alice", M::Chat), page("alice", M::Chat)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalate_racing_the_level_timer_pages_the_next_level_once_not_the_current_one_twice() {
    if !postgres_requested() {
        return;
    }
    let h = start(Backend::Postgres).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "race-escalate").await;
    settle(&[&h.engine], &rec).await;
    // Level 2 (bob) comes due at +15 minutes.
    h.advance(Duration::minutes(15));
    let (esc_gen,): (i64,) = sqlx::query_as("SELECT esc_gen FROM incidents WHERE id = $1")
        .bind(n.get())
        .fetch_one(&mut second_connection(&h).await)
        .await
        .expect("generation");

    // A second connection is inserting the very page step the timer is about to write (bob, chat,
    // level 2), so the timer, once it has claimed the incident, waits in the middle of starting
    // level 2; meanwhile someone types `!escalate`. (Its foreign-key check is switched off for
    // this connection: it would lock the incident row and the timer would skip the incident.)
    let mut other = second_connection(&h).await;
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut other)
        .await
        .expect("no foreign-key lock");
    let mut held = other.begin().await.expect("begin");
    sqlx::query(
        "INSERT INTO pages (incident_id, esc_gen, level, loop_no, user_id, method, due_at) \
         VALUES ($1, $2, 1, 0, 'bob', 'chat', 0)",
    )
    .bind(n.get())
    .bind(esc_gen)
    .execute(&mut *held)
    .await
    .expect("hold the page step");
    let timer = {
        let engine = h.engine.clone();
        tokio::spawn(async move { engine.tick().await.expect("tick") })
    };
    tokio::time::sleep(REACH).await;
    let escalate = {
        let engine = h.engine.clone();
        tokio::spawn(async move { engine.escalate(n, &alice()).await })
    };
    tokio::time::sleep(REACH).await;
    held.rollback().await.expect("release");
    finished("the timer", timer).await;
    let escalated = finished("!escalate", escalate).await.expect("escalate");

    // The timer started level 2; `!escalate` moved on to level 3 (carol), not level 2 again.
    // (Level 2's steps not yet sent are superseded by the escalation, as any `!escalate` does.)
    assert_eq!(escalated.level, 3, "{escalated:?}");
    settle(&[&h.engine], &rec).await;
    let count = |who: &str| {
        pages(&rec)
            .iter()
            .filter(|p| **p == page(who, M::Chat))
            .count()
    };
    assert!(count("bob") <= 1, "bob paged twice: {:?}", pages(&rec));
    assert_eq!(count("carol"), 1, "{:?}", pages(&rec));
}
