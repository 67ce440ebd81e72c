//! The transactional outbox: each state change queues exactly its notifications in the same
//! transaction; the worker delivers them once, retries with backoff, gives up on permanent errors,
//! and keeps each incident's notifications in order.

use firebell_engine::notify::{MAX_ATTEMPTS, backoff_secs};

use super::*;

contract_tests! {
    each_state_change_queues_exactly_its_notifications,
    delivered_rows_are_marked_delivered_and_never_sent_twice,
    a_retryable_failure_is_retried_after_the_backoff_and_not_before,
    a_permanent_failure_is_marked_failed_with_the_error_and_not_retried,
    a_row_that_keeps_failing_is_given_up_after_max_attempts,
    an_incidents_notifications_are_delivered_in_order_even_across_a_retry,
    the_notifier_sees_the_incident_as_it_is_at_delivery_time,
}

/// One microsecond: the smallest step the stores can tell apart.
fn micro() -> Duration {
    Duration::microseconds(1)
}

async fn deliver(engine: &Engine, notifier: &Recorder) -> usize {
    engine.deliver_due(notifier).await.expect("deliver_due")
}

/// Runs the worker's step until it finds nothing due (bounded, so a bug cannot hang the test).
async fn deliver_all(engine: &Engine, notifier: &Recorder) {
    for _ in 0..100 {
        if deliver(engine, notifier).await == 0 {
            return;
        }
    }
    panic!("the outbox never ran dry");
}

async fn each_state_change_queues_exactly_its_notifications(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;

    h.engine
        .ingest(trigger("web", "disk-full", "again"))
        .await
        .expect("repeat");
    h.engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("ack");
    h.engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("dropped ack");
    h.engine
        .acknowledge(n, &alice())
        .await
        .expect_err("already acknowledged");
    h.engine.add_note(n, &bob(), "on it").await.expect("note");
    h.engine
        .resolve(n, &alice(), Some("fixed"))
        .await
        .expect("resolve");
    h.engine
        .ingest(resolve_event("web", "disk-full"))
        .await
        .expect("dropped resolve");

    assert_eq!(
        queued(&h.engine, n).await,
        vec![
            Notification::IncidentOpened,
            Notification::AlertsAdded,
            Notification::Acknowledged { actor: monitor() },
            Notification::Note {
                actor: bob(),
                text: "on it".to_owned()
            },
            Notification::Resolved {
                actor: alice(),
                note: Some("fixed".to_owned())
            },
        ]
    );
    let rows = h.engine.deliveries(n).await.expect("deliveries");
    assert!(rows.iter().all(|d| d.room == "ops"
        && d.attempts == 0
        && d.delivered_at.is_none()
        && d.failed_at.is_none()));
    assert_eq!(h.engine.stats().await.expect("stats").outbox_depth, 5);
}

async fn delivered_rows_are_marked_delivered_and_never_sent_twice(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.advance(Duration::seconds(5));
    let notifier = Recorder::default();

    let claimed = deliver(&h.engine, &notifier).await;
    let claimed_again = deliver(&h.engine, &notifier).await;

    assert_eq!((claimed, claimed_again), (1, 0));
    let got = notifier.calls();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].incident, got[0].status, got[0].attempt),
        (Some(1), Some(IncidentStatus::Triggered), 1)
    );
    assert_eq!(got[0].notification, Notification::IncidentOpened);
    let row = &h.engine.deliveries(n).await.expect("deliveries")[0];
    assert_eq!(
        (row.attempts, row.delivered_at, row.failed_at),
        (1, Some(h.now()), None)
    );
    assert_eq!(h.engine.stats().await.expect("stats").outbox_depth, 0);
}

async fn a_retryable_failure_is_retried_after_the_backoff_and_not_before(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let notifier = Recorder::default();
    notifier.fail_next([
        NotifyError::retryable("slack: 503"),
        NotifyError::retryable("slack: 502"),
    ]);

    deliver(&h.engine, &notifier).await;
    let after_first = h.engine.deliveries(n).await.expect("deliveries").remove(0);
    h.advance(Duration::seconds(backoff_secs(1)) - micro());
    let too_early = deliver(&h.engine, &notifier).await;
    h.advance(micro());
    let second_try = deliver(&h.engine, &notifier).await;
    h.advance(Duration::seconds(backoff_secs(2)) - micro());
    let too_early_again = deliver(&h.engine, &notifier).await;
    h.advance(micro());
    let third_try = deliver(&h.engine, &notifier).await;

    assert_eq!(
        (after_first.attempts, after_first.last_error.as_deref()),
        (1, Some("slack: 503"))
    );
    assert_eq!(
        (after_first.delivered_at, after_first.failed_at),
        (None, None)
    );
    assert_eq!(
        (too_early, second_try, too_early_again, third_try),
        (0, 1, 0, 1)
    );
    let attempts: Vec<(i64, bool)> = notifier
        .calls()
        .iter()
        .map(|g| (g.attempt, g.delivered))
        .collect();
    assert_eq!(attempts, vec![(1, false), (2, false), (3, true)]);
    let row = h.engine.deliveries(n).await.expect("deliveries").remove(0);
    assert_eq!(
        (row.attempts, row.delivered_at, row.last_error),
        (3, Some(h.now()), None)
    );
}

async fn a_permanent_failure_is_marked_failed_with_the_error_and_not_retried(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let notifier = Recorder::default();
    notifier.fail_next([NotifyError::permanent("channel_not_found")]);

    deliver(&h.engine, &notifier).await;
    let failed_at = h.now();
    h.advance(Duration::hours(1));
    let later = deliver(&h.engine, &notifier).await;

    assert_eq!(later, 0);
    assert_eq!(notifier.calls().len(), 1);
    let row = h.engine.deliveries(n).await.expect("deliveries").remove(0);
    assert_eq!((row.failed_at, row.delivered_at), (Some(failed_at), None));
    assert_eq!(row.last_error.as_deref(), Some("channel_not_found"));
    assert_eq!(
        h.engine.stats().await.expect("stats").outbox_depth,
        0,
        "given up rows are not pending"
    );
}

async fn a_row_that_keeps_failing_is_given_up_after_max_attempts(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let notifier = Recorder::default();
    notifier.fail_next((0..MAX_ATTEMPTS).map(|_| NotifyError::retryable("timeout")));

    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(
            deliver(&h.engine, &notifier).await,
            1,
            "attempt {attempt} is due"
        );
        h.advance(Duration::seconds(backoff_secs(attempt)));
    }

    let row = h.engine.deliveries(n).await.expect("deliveries").remove(0);
    assert_eq!(
        (
            row.attempts,
            row.delivered_at.is_none(),
            row.failed_at.is_some()
        ),
        (MAX_ATTEMPTS, true, true)
    );
    assert_eq!(deliver(&h.engine, &notifier).await, 0);
}

async fn an_incidents_notifications_are_delivered_in_order_even_across_a_retry(backend: Backend) {
    let h = Harness::start(backend).await;
    let first = open(&h.engine, "web", "disk-full").await;
    let second = open(&h.engine, "db", "replica-lag").await;
    h.engine.acknowledge(first, &alice()).await.expect("ack");
    let notifier = Recorder::default();
    notifier.fail_next([NotifyError::retryable("slack: 503")]);

    let first_round = deliver(&h.engine, &notifier).await;
    let while_waiting = deliver(&h.engine, &notifier).await;
    h.advance(Duration::seconds(backoff_secs(1)));
    deliver_all(&h.engine, &notifier).await;

    assert_eq!(
        (first_round, while_waiting),
        (2, 0),
        "#1 opened (fails) and #2 opened; #1 ack waits"
    );
    let delivered: Vec<(Option<i64>, Notification)> = notifier
        .delivered()
        .into_iter()
        .map(|g| (g.incident, g.notification))
        .collect();
    assert_eq!(
        delivered,
        vec![
            (Some(second.get()), Notification::IncidentOpened),
            (Some(first.get()), Notification::IncidentOpened),
            (
                Some(first.get()),
                Notification::Acknowledged { actor: alice() }
            ),
        ]
    );
    assert_eq!(
        notifier
            .calls()
            .iter()
            .filter(|g| g.incident == Some(first.get()))
            .count(),
        3
    );
    assert_eq!(h.engine.stats().await.expect("stats").outbox_depth, 0);
}

async fn the_notifier_sees_the_incident_as_it_is_at_delivery_time(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine.resolve(n, &alice(), None).await.expect("resolve");
    let notifier = Recorder::default();

    deliver_all(&h.engine, &notifier).await;

    let seen: Vec<(Notification, Option<IncidentStatus>)> = notifier
        .calls()
        .into_iter()
        .map(|g| (g.notification, g.status))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Notification::IncidentOpened, Some(IncidentStatus::Resolved)),
            (
                Notification::Resolved {
                    actor: alice(),
                    note: None
                },
                Some(IncidentStatus::Resolved)
            ),
        ]
    );
}
