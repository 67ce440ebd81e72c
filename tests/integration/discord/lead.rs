//! The gateway lead on PostgreSQL when the leader's lock connection fails: the liveness check
//! cannot hang on a silent database, and the old leader's session is gone before another
//! replica opens one — never two sessions at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use firebell::{App, AppParts};
use firebell_engine::{Engine, Store, SystemClock};
use firebell_tests::fake_discord::{FakeDiscord, InteractionSigner};
use firebell_tests::proxy::SilenceableProxy;
use firebell_tests::{Backend, TestDb, backends, fixtures, t0};
use tokio_util::sync::CancellationToken;

use super::config;

fn postgres() -> bool {
    let yes = backends().contains(&Backend::Postgres);
    if !yes {
        eprintln!("skipped: needs PostgreSQL (DATABASE_URL)");
    }
    yes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_whose_database_goes_silent_learns_it_lost_the_lead_within_seconds() {
    if !postgres() {
        return;
    }
    // Arrange: a leader whose lock connection goes through a proxy.
    let db = TestDb::new(Backend::Postgres).await;
    let proxy = SilenceableProxy::start(&db.url).await;
    let store = Store::connect(&proxy.url).await.expect("connect");
    let (engine, _writers) = Engine::start(
        store,
        Arc::new(fixtures::config()),
        Arc::new(SystemClock),
        CancellationToken::new(),
    );
    let mut lead = engine
        .try_lead("liveness-test")
        .await
        .expect("ask for the lead")
        .expect("nobody else leads");
    assert!(lead.still_held().await);

    // Act: the network to the database goes silent.
    proxy.silence();
    let started = Instant::now();
    let held = tokio::time::timeout(Duration::from_secs(10), lead.still_held()).await;

    // Assert: the check answers "lost", promptly, and keeps answering so.
    assert_eq!(held, Ok(false), "the liveness check hung");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!lead.still_held().await);
}

/// A replica on `store`, with Discord pointed at the fake.
async fn replica(fake: &FakeDiscord, signer: &InteractionSigner, store: Store) -> App {
    App::start(AppParts {
        config: config(fake, signer),
        store,
        listener: tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind"),
        clock: Arc::new(firebell_engine::ManualClock::new(t0())),
        console: None,
    })
    .await
    .expect("replica starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partitioned_leader_disconnects_before_another_replica_connects() {
    if !postgres() {
        return;
    }
    // Arrange: two replicas; the first reaches the database through a proxy and holds the
    // gateway, the second waits for the lead.
    let fake = FakeDiscord::start().await;
    let signer = InteractionSigner::new();
    let db = TestDb::new(Backend::Postgres).await;
    let direct = db.store().await; // migrated
    let proxy = SilenceableProxy::start(&db.url).await;
    let through_proxy = Store::connect(&proxy.url).await.expect("connect");
    let first = replica(&fake, &signer, through_proxy).await;
    fake.wait_ready().await;
    let second = replica(&fake, &signer, db.store().await).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fake.identifies(), 1);

    // Act: a partition cuts the leader off the database, and the server ends its lock
    // connection (as tcp_keepalives or an admin would): the lock is free, while the leader has
    // heard nothing and its gateway session is still up.
    proxy.silence();
    let Store::Postgres(pool) = &direct else {
        unreachable!()
    };
    let (terminated,): (i64,) = sqlx::query_as(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks \
         WHERE locktype = 'advisory' AND granted AND objsubid = 1 \
         AND objid::bigint = (hashtext('firebell:discord-gateway@' || current_schema())::bigint & 4294967295)",
    )
    .fetch_one(pool)
    .await
    .expect("terminate the lock connection");
    assert_eq!(terminated, 1, "the leader's lock connection was found");

    // Assert: the second replica takes the gateway, and at no moment were two sessions open.
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut most_open = 0;
    while fake.identifies() < 2 {
        most_open = most_open.max(fake.open_gateways());
        assert!(
            Instant::now() < deadline,
            "no replica took the gateway over"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 0..100 {
        most_open = most_open.max(fake.open_gateways());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(most_open, 1, "two gateway sessions were open at once");
    second.stop().await;
    first.stop().await;
}
