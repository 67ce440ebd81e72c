//! Guarded updates under concurrency: two engines on two pools of one database (two replicas)
//! racing for the same incident, key or outbox row, and one engine's group commit under load.

use std::time::Instant;

use firebell_engine::IncidentFilter;

use super::*;

contract_tests! {
    a_person_and_a_monitor_acknowledging_on_two_replicas_at_once_acknowledge_once,
    two_replicas_acknowledging_the_same_incidents_at_once_succeed_exactly_once_each,
    two_replicas_resolving_the_same_incidents_at_once_succeed_exactly_once_each,
    two_replicas_triggering_the_same_new_key_at_once_open_one_incident,
    incident_numbers_have_no_gaps_after_replicas_race_on_a_key,
    two_replicas_delivering_at_once_deliver_each_row_exactly_once,
    five_hundred_concurrent_ingests_with_distinct_keys_open_five_hundred_incidents,
    fifty_keys_ingested_ten_times_each_at_once_open_fifty_incidents_of_ten_alerts,
}

/// How many incidents each race is run on.
const RACES: usize = 20;

async fn open_many(engine: &Engine, count: usize) -> Vec<IncidentNumber> {
    let mut numbers = Vec::with_capacity(count);
    for i in 0..count {
        numbers.push(open(engine, "web", &format!("race-{i}")).await);
    }
    numbers
}

async fn all_incidents(engine: &Engine) -> Vec<Incident> {
    engine
        .incidents(&IncidentFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .expect("list")
}

/// Which of two racing calls won, and the loser's error message.
fn one_winner(
    n: IncidentNumber,
    a: Result<Incident, EngineError>,
    b: Result<Incident, EngineError>,
) -> (&'static str, String) {
    match (a, b) {
        (Ok(_), Err(EngineError::User(e))) => ("alice", e.message().to_owned()),
        (Err(EngineError::User(e)), Ok(_)) => ("bob", e.message().to_owned()),
        other => {
            panic!("incident {n}: expected exactly one success and one user error, got {other:?}")
        }
    }
}

async fn two_replicas_acknowledging_the_same_incidents_at_once_succeed_exactly_once_each(
    backend: Backend,
) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);
    let numbers = open_many(&a, RACES).await;

    let races: Vec<_> = numbers
        .iter()
        .map(|&n| {
            let (a, b) = (a.clone(), b.clone());
            tokio::spawn(async move {
                let (alice, bob) = (alice(), bob());
                let (ra, rb) = tokio::join!(a.acknowledge(n, &alice), b.acknowledge(n, &bob));
                (n, ra, rb)
            })
        })
        .collect();

    for race in races {
        let (n, ra, rb) = race.await.expect("race task");
        let (winner, loser_message) = one_winner(n, ra, rb);
        assert!(
            loser_message.contains(&format!("is already acknowledged (by {winner}")),
            "{n}: {loser_message}"
        );
        assert_eq!(
            incident(&a, n).await.acknowledged_by.as_deref(),
            Some(winner)
        );
        let acks = queued(&a, n)
            .await
            .into_iter()
            .filter(|q| matches!(q, Notification::Acknowledged { .. }))
            .count();
        assert_eq!(acks, 1, "{n}: one acknowledgement, one notification");
    }
}

async fn two_replicas_resolving_the_same_incidents_at_once_succeed_exactly_once_each(
    backend: Backend,
) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);
    let numbers = open_many(&a, RACES).await;

    let races: Vec<_> = numbers
        .iter()
        .map(|&n| {
            let (a, b) = (a.clone(), b.clone());
            tokio::spawn(async move {
                let (alice, bob) = (alice(), bob());
                let (ra, rb) = tokio::join!(
                    a.resolve(n, &alice, Some("a")),
                    b.resolve(n, &bob, Some("b"))
                );
                (n, ra, rb)
            })
        })
        .collect();

    for race in races {
        let (n, ra, rb) = race.await.expect("race task");
        let (winner, loser_message) = one_winner(n, ra, rb);
        assert!(
            loser_message.contains(&format!("is already resolved (by {winner}")),
            "{n}: {loser_message}"
        );
        assert_eq!(incident(&a, n).await.resolved_by.as_deref(), Some(winner));
        let resolves = queued(&a, n)
            .await
            .into_iter()
            .filter(|q| matches!(q, Notification::Resolved { .. }))
            .count();
        assert_eq!(resolves, 1, "{n}: one resolution, one notification");
    }
}

async fn two_replicas_triggering_the_same_new_key_at_once_open_one_incident(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);

    // One key per round: each replica commits a one-event batch, so the race is settled by the
    // guarded insert itself, not by the batch-retry fallback.
    for i in 0..RACES {
        let k = format!("storm-{i}");
        let (ra, rb) = tokio::join!(
            a.ingest(trigger("web", &k, "storm")),
            b.ingest(trigger("web", &k, "storm"))
        );

        let mut outcomes = [ra.expect("ingest on a"), rb.expect("ingest on b")];
        outcomes.sort_by_key(|o| o.outcome());
        match &outcomes {
            [
                Ingested::Created { number: c, .. },
                Ingested::Deduplicated { number: d, .. },
            ] => assert_eq!(c, d),
            other => panic!("expected one created and one deduplicated, got {other:?}"),
        }
    }

    let incidents = all_incidents(&a).await;
    assert_eq!(incidents.len(), RACES);
    for i in &incidents {
        assert_eq!(i.alert_count, 2, "{}", i.number);
        assert_eq!(
            queued(&a, i.number).await,
            vec![Notification::IncidentOpened, Notification::AlertsAdded],
            "{}: paged once",
            i.number
        );
    }
}

async fn incident_numbers_have_no_gaps_after_replicas_race_on_a_key(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);
    for i in 0..5 {
        let k = format!("storm-{i}");
        let (ra, rb) = tokio::join!(
            a.ingest(trigger("web", &k, "storm")),
            b.ingest(trigger("web", &k, "storm"))
        );
        ra.expect("ingest on a");
        rb.expect("ingest on b");
    }

    let next = open(&a, "db", "after-the-storm").await;

    let mut numbers: Vec<i64> = all_incidents(&a)
        .await
        .iter()
        .map(|i| i.number.get())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        vec![1, 2, 3, 4, 5, 6],
        "users see #1, #2, … without holes"
    );
    assert_eq!(next, number(6));
}

/// One replica's outbox worker, stepped until the whole outbox is settled (by anyone).
async fn drain(engine: Engine, notifier: Arc<Recorder>) -> usize {
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let mut claimed = 0;
    loop {
        let got = engine
            .deliver_due(notifier.as_ref())
            .await
            .expect("deliver_due");
        claimed += got;
        if got == 0 {
            if engine.stats().await.expect("stats").outbox_depth == 0 {
                return claimed;
            }
            assert!(
                Instant::now() < deadline,
                "the outbox was not drained within a minute"
            );
            tokio::task::yield_now().await;
        }
    }
}

async fn two_replicas_delivering_at_once_deliver_each_row_exactly_once(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);
    let numbers = open_many(&a, 30).await;
    for &n in numbers.iter().step_by(3) {
        a.acknowledge(n, &alice()).await.expect("ack");
    }
    let notifier = Arc::new(Recorder::default());

    let (claimed_a, claimed_b) = tokio::join!(
        tokio::spawn(drain(a.clone(), notifier.clone())),
        tokio::spawn(drain(b, notifier.clone()))
    );

    let delivered = notifier.delivered();
    assert_eq!(delivered.len(), 40, "30 opened + 10 acknowledged");
    assert_eq!(
        claimed_a.expect("worker a") + claimed_b.expect("worker b"),
        40,
        "no row claimed twice"
    );
    let mut ids: Vec<i64> = delivered.iter().map(|g| g.outbox_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40, "no row delivered twice");
    for &n in numbers.iter().step_by(3) {
        let kinds: Vec<&Notification> = delivered
            .iter()
            .filter(|g| g.incident == Some(n.get()))
            .map(|g| &g.notification)
            .collect();
        assert_eq!(
            kinds,
            vec![
                &Notification::IncidentOpened,
                &Notification::Acknowledged { actor: alice() }
            ],
            "{n}"
        );
        let rows = a.deliveries(n).await.expect("deliveries");
        assert!(
            rows.iter()
                .all(|r| r.attempts == 1 && r.delivered_at.is_some()),
            "{n}: {rows:?}"
        );
    }
}

async fn five_hundred_concurrent_ingests_with_distinct_keys_open_five_hundred_incidents(
    backend: Backend,
) {
    let h = Harness::start(backend).await;

    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let engine = h.engine.clone();
            tokio::spawn(async move {
                engine
                    .ingest(trigger("web", &format!("host-{i}"), "down"))
                    .await
            })
        })
        .collect();

    let mut numbers = Vec::new();
    for task in tasks {
        match task.await.expect("ingest task") {
            Ok(Ingested::Created { number, .. }) => numbers.push(number),
            other => panic!("expected a new incident, got {other:?}"),
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 500, "distinct numbers");
    assert_eq!(all_incidents(&h.engine).await.len(), 500);
    let stats = h.engine.stats().await.expect("stats");
    assert!(
        stats
            .incidents_by_status
            .contains(&(IncidentStatus::Triggered, 500)),
        "{stats:?}"
    );
    assert_eq!(stats.outbox_depth, 500);
}

async fn fifty_keys_ingested_ten_times_each_at_once_open_fifty_incidents_of_ten_alerts(
    backend: Backend,
) {
    let h = Harness::start(backend).await;

    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let engine = h.engine.clone();
            tokio::spawn(async move {
                engine
                    .ingest(trigger("web", &format!("flap-{}", i % 50), "flapping"))
                    .await
            })
        })
        .collect();

    let mut created = 0;
    for task in tasks {
        match task.await.expect("ingest task").expect("ingest") {
            Ingested::Created { .. } => created += 1,
            Ingested::Deduplicated { .. } => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(created, 50);
    let incidents = all_incidents(&h.engine).await;
    assert_eq!(incidents.len(), 50);
    assert!(
        incidents.iter().all(|i| i.alert_count == 10),
        "{:?}",
        incidents.iter().map(|i| i.alert_count).collect::<Vec<_>>()
    );
    for i in &incidents {
        let rows = queued(&h.engine, i.number).await;
        let opened = rows
            .iter()
            .filter(|n| **n == Notification::IncidentOpened)
            .count();
        assert_eq!(opened, 1, "one page for #{}: {rows:?}", i.number);
        assert!(
            rows.iter()
                .all(|n| matches!(n, Notification::IncidentOpened | Notification::AlertsAdded)),
            "only card refreshes besides: {rows:?}"
        );
    }
}

/// A person acknowledges by number on one replica while a monitor's acknowledge event for the
/// same incident is applied by the other: one acknowledgement, one notice, never both.
async fn a_person_and_a_monitor_acknowledging_on_two_replicas_at_once_acknowledge_once(
    backend: Backend,
) {
    let mut h = Harness::start(backend).await;
    let (a, b) = (h.engine.clone(), h.replica().await);
    let mut numbers = Vec::with_capacity(RACES);
    for i in 0..RACES {
        numbers.push((
            open(&a, "web", &format!("mixed-{i}")).await,
            format!("mixed-{i}"),
        ));
    }

    let races: Vec<_> = numbers
        .into_iter()
        .map(|(n, k)| {
            let (a, b) = (a.clone(), b.clone());
            tokio::spawn(async move {
                let alice = alice();
                let (person, monitor) =
                    tokio::join!(a.acknowledge(n, &alice), b.ingest(ack_event("web", &k)));
                (n, person, monitor)
            })
        })
        .collect();

    for race in races {
        let (n, person, monitor) = race.await.expect("race task");
        let monitor = monitor.expect("the event is accepted either way");
        match (&person, &monitor) {
            (Ok(_), Ingested::Dropped { .. })
            | (Err(EngineError::User(_)), Ingested::Acknowledged { .. }) => {}
            other => panic!("{n}: expected exactly one of the two to acknowledge, got {other:?}"),
        }
        let acks = queued(&a, n)
            .await
            .into_iter()
            .filter(|q| matches!(q, Notification::Acknowledged { .. }))
            .count();
        assert_eq!(acks, 1, "{n}: one acknowledgement, one notification");
        let timeline_acks = a
            .timeline(n)
            .await
            .expect("timeline")
            .into_iter()
            .filter(|e| e.kind == firebell_engine::TimelineKind::Acknowledged)
            .count();
        assert_eq!(timeline_acks, 1, "{n}: one acknowledgement on the timeline");
    }
}
