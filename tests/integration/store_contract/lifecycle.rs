//! What survives a restart, what happens at shutdown, and the gauges and change log around
//! incidents.

use firebell_engine::ChangeEvent;

use super::*;

contract_tests! {
    an_incident_survives_a_restart_and_dedup_continues_on_it,
    every_ingest_answered_ok_before_shutdown_is_still_there_after_restart,
    ingest_after_shutdown_is_unavailable_not_a_panic,
    stats_count_incidents_by_status_and_the_outbox_depth,
    change_events_are_recorded_per_service_newest_first_and_page_nobody,
}

async fn an_incident_survives_a_restart_and_dedup_continues_on_it(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    let before = incident(&h.engine, n).await;

    h.restart().await;

    assert_eq!(incident(&h.engine, n).await, before);
    let repeat = h
        .engine
        .ingest(trigger("web", "disk-full", "again"))
        .await
        .expect("ingest");
    assert_eq!(
        repeat,
        Ingested::Deduplicated {
            number: n,
            dedup_key: key("disk-full"),
            status: IncidentStatus::Acknowledged
        }
    );
    assert_eq!(open(&h.engine, "web", "cpu-high").await, number(2));
    assert_eq!(
        h.engine.timeline(n).await.expect("timeline").len(),
        3,
        "triggered, acknowledged, alert again"
    );
}

async fn every_ingest_answered_ok_before_shutdown_is_still_there_after_restart(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let engine = h.engine.clone();
            tokio::spawn(async move {
                engine
                    .ingest(trigger("db", &format!("burst-{i}"), "burst"))
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut tasks = tasks.into_iter();
    for task in tasks.by_ref().take(20) {
        outcomes.push(task.await.expect("ingest task"));
    }

    h.restart().await;

    for task in tasks {
        outcomes.push(task.await.expect("ingest task"));
    }
    let mut answered_ok = 0;
    for outcome in outcomes {
        match outcome {
            Ok(Ingested::Created { .. }) => answered_ok += 1,
            Err(EngineError::Unavailable) => {}
            other => panic!("expected created or unavailable, got {other:?}"),
        }
    }
    assert!(
        answered_ok >= 20,
        "the first 20 were answered before the shutdown"
    );
    let stored = h
        .engine
        .incidents(&firebell_engine::IncidentFilter {
            limit: Some(1000),
            ..Default::default()
        })
        .await;
    assert_eq!(
        stored.expect("list").len(),
        answered_ok,
        "an OK answer means committed, and only then"
    );
}

async fn ingest_after_shutdown_is_unavailable_not_a_panic(backend: Backend) {
    let mut h = Harness::start(backend).await;
    open(&h.engine, "web", "disk-full").await;
    h.shut_down().await;

    let late = h.engine.ingest(trigger("web", "late", "too late")).await;

    assert!(matches!(late, Err(EngineError::Unavailable)), "{late:?}");
    assert_eq!(
        late.expect_err("unavailable").to_string(),
        "firebell is shutting down"
    );
    assert_eq!(
        h.engine
            .incidents(&Default::default())
            .await
            .expect("list")
            .len(),
        1,
        "reads still work"
    );
}

async fn stats_count_incidents_by_status_and_the_outbox_depth(backend: Backend) {
    let h = Harness::start(backend).await;
    let empty = h.engine.stats().await.expect("stats");
    let acked = open(&h.engine, "web", "a").await;
    let resolved = open(&h.engine, "web", "b").await;
    open(&h.engine, "db", "c").await;
    open(&h.engine, "db", "d").await;
    h.engine.acknowledge(acked, &alice()).await.expect("ack");
    h.engine
        .resolve(resolved, &alice(), None)
        .await
        .expect("resolve");

    let stats = h.engine.stats().await.expect("stats");
    h.engine
        .deliver_due(&Recorder::default())
        .await
        .expect("deliver");
    let after_delivery = h.engine.stats().await.expect("stats");

    assert_eq!(
        empty.incidents_by_status,
        vec![
            (IncidentStatus::Triggered, 0),
            (IncidentStatus::Acknowledged, 0),
            (IncidentStatus::Resolved, 0)
        ]
    );
    assert_eq!(
        (empty.outbox_depth, stats.outbox_depth),
        (0, 6),
        "4 opened + 1 acknowledged + 1 resolved"
    );
    assert_eq!(
        stats.incidents_by_status,
        vec![
            (IncidentStatus::Triggered, 2),
            (IncidentStatus::Acknowledged, 1),
            (IncidentStatus::Resolved, 1)
        ]
    );
    assert_eq!(
        after_delivery.outbox_depth, 2,
        "the first row of each incident went out; its followers wait"
    );
}

fn change(svc: &str, summary: &str, at: Option<DateTime<Utc>>) -> ChangeEvent {
    ChangeEvent {
        service: service(svc),
        summary: summary.to_owned(),
        source: Some("github-actions".to_owned()),
        timestamp: at,
        raw: json!({ "payload": { "summary": summary } }),
    }
}

async fn change_events_are_recorded_per_service_newest_first_and_page_nobody(backend: Backend) {
    let h = Harness::start(backend).await;
    let deployed_at = t0() - Duration::minutes(10);

    let first = h
        .engine
        .record_change(change("web", "Deploy v1.2.3", Some(deployed_at)))
        .await
        .expect("record");
    h.engine
        .record_change(change("db", "Failover drill", None))
        .await
        .expect("record");
    let third = h
        .engine
        .record_change(change("web", "Deploy v1.2.4", None))
        .await
        .expect("record");

    let web = h.engine.changes(Some("web"), 10).await.expect("changes");
    let summaries: Vec<(i64, &str)> = web.iter().map(|c| (c.id, c.summary.as_str())).collect();
    assert_eq!(
        summaries,
        vec![(third, "Deploy v1.2.4"), (first, "Deploy v1.2.3")]
    );
    assert_eq!(
        (web[1].timestamp, web[0].timestamp),
        (deployed_at, h.now()),
        "monitor's time, else the clock's"
    );
    assert_eq!(
        (web[1].service.as_str(), web[1].source.as_deref()),
        ("web", Some("github-actions"))
    );
    assert_eq!(
        web[1].payload,
        json!({ "payload": { "summary": "Deploy v1.2.3" } })
    );
    assert_eq!(
        h.engine.changes(None, 2).await.expect("changes").len(),
        2,
        "limit"
    );
    assert_eq!(h.engine.changes(None, 10).await.expect("changes").len(), 3);
    let stats = h.engine.stats().await.expect("stats");
    assert_eq!(
        (
            stats.outbox_depth,
            stats
                .incidents_by_status
                .iter()
                .map(|(_, n)| n)
                .sum::<i64>()
        ),
        (0, 0)
    );
}
