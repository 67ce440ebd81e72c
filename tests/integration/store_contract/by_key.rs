//! Acknowledge and resolve events from monitors, by dedup key: PagerDuty's rules for what changes
//! an incident and what is dropped (and still recorded in the alert log).

use firebell_engine::TimelineKind;

use super::*;

contract_tests! {
    events_ingested_together_apply_in_the_order_given,
    acknowledge_by_key_records_who_acknowledged_via_which_channel_and_when,
    acknowledge_of_an_acknowledged_incident_is_dropped_and_logged,
    acknowledge_or_resolve_of_an_unknown_key_is_dropped_and_logged,
    acknowledge_or_resolve_of_a_resolved_key_is_dropped,
    trigger_while_acknowledged_is_deduplicated_and_pages_nobody,
    resolve_by_key_closes_an_acknowledged_incident,
}

async fn acknowledge_by_key_records_who_acknowledged_via_which_channel_and_when(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.advance(Duration::minutes(4));

    let outcome = h.engine.ingest(ack_event("web", "disk-full")).await;

    assert_eq!(
        outcome.expect("ingest"),
        Ingested::Acknowledged {
            number: n,
            dedup_key: key("disk-full")
        }
    );
    let i = incident(&h.engine, n).await;
    assert_eq!(i.status, IncidentStatus::Acknowledged);
    assert_eq!(i.acknowledged_by.as_deref(), Some("Prometheus"));
    assert_eq!(i.acknowledged_via, Some(Channel::Events));
    assert_eq!(i.acknowledged_at, Some(h.now()));
}

async fn acknowledge_of_an_acknowledged_incident_is_dropped_and_logged(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("first ack");
    let first_ack_at = h.now();
    h.advance(Duration::minutes(1));

    let outcome = h
        .engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("ingest");

    let Ingested::Dropped { dedup_key, reason } = outcome else {
        panic!("not dropped: {outcome:?}")
    };
    assert_eq!(
        (dedup_key.as_str(), reason.as_str()),
        ("disk-full", "incident #1 is already acknowledged")
    );
    assert_eq!(
        incident(&h.engine, n).await.acknowledged_at,
        Some(first_ack_at),
        "unchanged"
    );
    let dropped = h
        .engine
        .alert_log(Some("web"), Some("dropped"), 10)
        .await
        .expect("alert log");
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        (dropped[0].action.as_str(), dropped[0].incident),
        ("acknowledge", Some(1))
    );
    assert_eq!(
        dropped[0].reason.as_deref(),
        Some("incident #1 is already acknowledged")
    );
    assert_eq!(dropped[0].received_at.datetime(), h.now());
    let last = h
        .engine
        .timeline(n)
        .await
        .expect("timeline")
        .pop()
        .expect("entries");
    assert_eq!(
        last.kind,
        TimelineKind::Ignored,
        "the drop shows on the incident's timeline"
    );
    assert_eq!(
        queued(&h.engine, n).await.len(),
        2,
        "opened + one acknowledged, nothing for the drop"
    );
}

async fn acknowledge_or_resolve_of_an_unknown_key_is_dropped_and_logged(backend: Backend) {
    let h = Harness::start(backend).await;
    open(&h.engine, "web", "disk-full").await;

    let ack = h
        .engine
        .ingest(ack_event("web", "never-seen"))
        .await
        .expect("ingest");
    let resolve = h
        .engine
        .ingest(resolve_event("web", "never-seen"))
        .await
        .expect("ingest");
    let other_service = h
        .engine
        .ingest(resolve_event("db", "disk-full"))
        .await
        .expect("ingest");

    let unknown = "no open incident has this dedup key";
    for outcome in [&ack, &resolve, &other_service] {
        assert!(
            matches!(outcome, Ingested::Dropped { reason, .. } if reason == unknown),
            "{outcome:?}"
        );
    }
    let dropped = h
        .engine
        .alert_log(None, Some("dropped"), 10)
        .await
        .expect("alert log");
    let logged: Vec<(&str, &str, &str, Option<i64>)> = dropped
        .iter()
        .map(|e| {
            (
                e.service.as_str(),
                e.dedup_key.as_str(),
                e.action.as_str(),
                e.incident,
            )
        })
        .collect();
    assert_eq!(
        logged,
        vec![
            ("db", "disk-full", "resolve", None),
            ("web", "never-seen", "resolve", None),
            ("web", "never-seen", "acknowledge", None)
        ],
        "newest first"
    );
    assert_eq!(
        incident(&h.engine, number(1)).await.status,
        IncidentStatus::Triggered
    );
}

async fn acknowledge_or_resolve_of_a_resolved_key_is_dropped(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    let resolved = h
        .engine
        .ingest(resolve_event("web", "disk-full"))
        .await
        .expect("resolve");
    let resolved_at = h.now();
    h.advance(Duration::minutes(1));

    let resolve_again = h
        .engine
        .ingest(resolve_event("web", "disk-full"))
        .await
        .expect("ingest");
    let ack_after = h
        .engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("ingest");

    assert_eq!(
        resolved,
        Ingested::Resolved {
            number: n,
            dedup_key: key("disk-full")
        }
    );
    assert_eq!(resolve_again.outcome(), "dropped", "{resolve_again:?}");
    assert_eq!(ack_after.outcome(), "dropped", "{ack_after:?}");
    let i = incident(&h.engine, n).await;
    assert_eq!(
        (i.status, i.resolved_at, i.acknowledged_at),
        (IncidentStatus::Resolved, Some(resolved_at), None)
    );
    assert_eq!(
        h.engine
            .alert_log(None, Some("dropped"), 10)
            .await
            .expect("log")
            .len(),
        2
    );
    assert_eq!(
        queued(&h.engine, n).await.len(),
        2,
        "opened + resolved only"
    );
}

async fn trigger_while_acknowledged_is_deduplicated_and_pages_nobody(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine
        .ingest(ack_event("web", "disk-full"))
        .await
        .expect("ack");

    let outcome = h
        .engine
        .ingest(trigger("web", "disk-full", "Still full"))
        .await;

    assert_eq!(
        outcome.expect("ingest"),
        Ingested::Deduplicated {
            number: n,
            dedup_key: key("disk-full"),
            status: IncidentStatus::Acknowledged
        }
    );
    let i = incident(&h.engine, n).await;
    assert_eq!((i.status, i.alert_count), (IncidentStatus::Acknowledged, 2));
    assert_eq!(
        queued(&h.engine, n).await,
        vec![
            Notification::IncidentOpened,
            Notification::Acknowledged { actor: monitor() },
            Notification::AlertsAdded,
        ],
        "no new page for the repeat, only the card's alert count"
    );
}

async fn resolve_by_key_closes_an_acknowledged_incident(backend: Backend) {
    let h = Harness::start(backend).await;
    let n = open(&h.engine, "web", "disk-full").await;
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    h.advance(Duration::minutes(9));

    let outcome = h.engine.ingest(resolve_event("web", "disk-full")).await;

    assert_eq!(
        outcome.expect("ingest"),
        Ingested::Resolved {
            number: n,
            dedup_key: key("disk-full")
        }
    );
    let i = incident(&h.engine, n).await;
    assert_eq!(i.status, IncidentStatus::Resolved);
    assert_eq!(
        (i.resolved_by.as_deref(), i.resolved_via, i.resolved_at),
        (Some("Prometheus"), Some(Channel::Events), Some(h.now()))
    );
    assert_eq!(
        i.acknowledged_by.as_deref(),
        Some("alice"),
        "the acknowledgement is kept"
    );
}

/// Alertmanager posts a group's alerts in one request; they must apply in the order sent, and
/// when they share a commit (and so a timestamp) the timeline must still keep that order.
async fn events_ingested_together_apply_in_the_order_given(backend: Backend) {
    let h = Harness::start(backend).await;

    for round in 0..50 {
        let k = format!("flap-{round}");
        let events = vec![
            trigger("web", &k, "Flapping"),
            trigger("web", &k, "Flapping again"),
            ack_event("web", &k),
            ack_event("web", &k),
            resolve_event("web", &k),
        ];

        let outcomes = h.engine.ingest_many(events).await;

        let got: Vec<&str> = outcomes
            .iter()
            .map(|o| o.as_ref().expect("ingest").outcome())
            .collect();
        let expected = [
            "created",
            "deduplicated",
            "acknowledged",
            "dropped",
            "resolved",
        ];
        assert_eq!(got, expected, "round {round}");
        let n = outcomes[0]
            .as_ref()
            .ok()
            .and_then(Ingested::number)
            .expect("a number");
        let timeline = h.engine.timeline(n).await.expect("timeline");
        let kinds: Vec<TimelineKind> = timeline.iter().map(|e| e.kind).collect();
        let expected = [
            TimelineKind::Triggered,
            TimelineKind::AlertAdded,
            TimelineKind::Acknowledged,
            TimelineKind::Ignored,
            TimelineKind::Resolved,
        ];
        assert_eq!(
            kinds, expected,
            "round {round}: same timestamp, still in order"
        );
    }
}
