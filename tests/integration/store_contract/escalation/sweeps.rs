//! What the timer worker sweeps besides the ladder: ack timeouts, low urgency outside support
//! hours, auto-resolve, schedule handoffs, maintenance windows.

use super::*;

contract_tests! {
    an_acknowledged_incident_retriggers_after_the_ack_timeout,
    low_urgency_incidents_past_the_ack_timeout_never_hold_up_a_high_urgency_one,
    low_urgency_never_rings_a_phone_outside_support_hours,
    auto_resolve_closes_incidents_without_new_alerts,
    a_handoff_is_announced_once_with_the_open_incidents,
    maintenance_suppresses_counts_and_reports,
}

async fn an_acknowledged_incident_retriggers_after_the_ack_timeout(backend: Backend) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "web", "disk-full").await;
    settle(&[&h.engine], &rec).await;
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    h.advance(Duration::minutes(29));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        incident(&h.engine, n).await.status,
        IncidentStatus::Acknowledged
    );
    h.advance(Duration::minutes(1));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        incident(&h.engine, n).await.status,
        IncidentStatus::Triggered
    );
    assert_eq!(
        pages(&rec),
        vec![page("alice", M::Chat), page("alice", M::Chat)]
    );
    let entries = h.engine.timeline(n).await.expect("timeline");
    assert!(
        entries
            .iter()
            .any(|e| e.kind == TimelineKind::Retriggered && e.message.contains("ack timeout"))
    );
}

/// Low-urgency incidents are never re-triggered by the ack timeout, but they are still
/// acknowledged and past it: the sweep used to read the first 200 of those, skip them all, and
/// never reach a high-urgency incident behind them.
async fn low_urgency_incidents_past_the_ack_timeout_never_hold_up_a_high_urgency_one(
    backend: Backend,
) {
    let toml = format!(
        "{ONCALL_TOML}\n[services.mixed]\nintegration_keys = [\"M1XEDKEY000000000000000000000001\"]\n\
         room = \"ops\"\nescalation_policy = \"dave\"\nurgency = \"by-severity\"\nack_timeout = \"30m\"\n"
    );
    let config = firebell::Loaded::parse(&toml, "oncall.toml", &|_| None)
        .expect("config")
        .engine;
    let mixed = config.service("mixed").expect("service").name.clone();
    let h = Harness::start_with(backend, config, night()).await;
    let rec = Recorder::default();
    let alert = |k: String, severity: Severity| {
        let mut a = trigger("web", &k, &format!("{k} is failing"));
        a.service = mixed.clone();
        if let AlertKind::Trigger { payload, .. } = &mut a.kind {
            payload.severity = severity;
        }
        a
    };
    let mut low = Vec::new();
    for i in 0..201 {
        match h
            .engine
            .ingest(alert(format!("warn-{i}"), Severity::Warning))
            .await
        {
            Ok(Ingested::Created { number, .. }) => low.push(number),
            other => panic!("expected a new incident, got {other:?}"),
        }
    }
    let high = match h
        .engine
        .ingest(alert("outage".to_owned(), Severity::Critical))
        .await
    {
        Ok(Ingested::Created { number, .. }) => number,
        other => panic!("expected a new incident, got {other:?}"),
    };
    settle(&[&h.engine], &rec).await;
    for n in low.iter().chain([&high]) {
        h.engine.acknowledge(*n, &alice()).await.expect("ack");
    }
    h.advance(Duration::minutes(30));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        incident(&h.engine, high).await.status,
        IncidentStatus::Triggered,
        "the high-urgency incident is re-triggered"
    );
    assert_eq!(
        incident(&h.engine, low[0]).await.status,
        IncidentStatus::Acknowledged,
        "low urgency stays acknowledged"
    );
}

async fn low_urgency_never_rings_a_phone_outside_support_hours(backend: Backend) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "quiet", "certificate-expiry").await;
    settle(&[&h.engine], &rec).await;
    assert_eq!(pages(&rec), vec![page("dave", M::Chat)], "chat yes, SMS no");
    let t = timeline_text(&h.engine, n).await;
    assert!(
        t.contains(
            "SMS to Dave Diaz (dave) put off until support hours begin (Mon 23 Nov 09:00 UTC)"
        ),
        "{t}"
    );
    // Monday 09:00 UTC is 54 hours after Saturday 03:00.
    h.advance(Duration::hours(54) - Duration::minutes(1));
    settle(&[&h.engine], &rec).await;
    assert_eq!(pages(&rec).len(), 1);
    h.advance(Duration::minutes(1));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![page("dave", M::Chat), page("dave", M::Sms)]
    );
}

async fn auto_resolve_closes_incidents_without_new_alerts(backend: Backend) {
    let h = start(backend).await;
    let rec = Recorder::default();
    let n = open_on(&h.engine, "db", "replication-lag").await;
    h.advance(Duration::minutes(59));
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        incident(&h.engine, n).await.status,
        IncidentStatus::Triggered
    );
    h.advance(Duration::minutes(1));
    settle(&[&h.engine], &rec).await;
    let i = incident(&h.engine, n).await;
    assert_eq!(i.status, IncidentStatus::Resolved);
    assert_eq!(i.resolved_by.as_deref(), Some("firebell"));
}

async fn a_handoff_is_announced_once_with_the_open_incidents(backend: Backend) {
    let mut h = start(backend).await;
    let other = h.replica().await;
    let rec = Recorder::default();
    settle(&[&h.engine, &other], &rec).await; // first look: no announcement
    let n = open_on(&h.engine, "web", "disk-full").await;
    h.engine.acknowledge(n, &alice()).await.expect("ack");
    h.advance(Duration::hours(6)); // 09:00: bob takes over from alice
    settle(&[&h.engine, &other], &rec).await;
    settle(&[&other, &h.engine], &rec).await;
    let handoffs: Vec<Notification> = rec
        .delivered()
        .into_iter()
        .map(|g| g.notification)
        .filter(|n| matches!(n, Notification::Handoff { .. }))
        .collect();
    assert_eq!(
        handoffs,
        vec![Notification::Handoff {
            schedule: "primary".to_owned(),
            from: Some("alice".to_owned()),
            to: Some("bob".to_owned()),
            open_incidents: vec![n.get()],
        }]
    );
}

async fn maintenance_suppresses_counts_and_reports(backend: Backend) {
    use firebell_engine::duration::HumanDuration;
    use firebell_engine::maintenance::{Matcher, WindowRequest};
    use firebell_engine::notify::MaintenancePhase;

    let h = start(backend).await;
    let rec = Recorder::default();
    let matcher = Matcher::parse("web-01", h.engine.config()).expect("matcher");
    let window = h
        .engine
        .start_maintenance(
            WindowRequest {
                matcher,
                duration: HumanDuration::parse("1h", Duration::days(7)).expect("duration"),
                reason: Some("kernel upgrade"),
                room: None,
            },
            &alice(),
        )
        .await
        .expect("window");

    // `event_for` sends source web-01: silenced, twice; another host still pages.
    for k in ["disk-full", "load-high"] {
        let out = h.engine.ingest(event_for("web", k)).await.expect("ingest");
        assert_eq!(out.outcome(), "suppressed", "{k}");
    }
    let mut other = event_for("web", "cpu");
    if let AlertKind::Trigger { payload, .. } = &mut other.kind {
        payload.source = Some("web-02".to_owned());
    }
    assert_eq!(
        h.engine.ingest(other).await.expect("ingest").outcome(),
        "created"
    );
    settle(&[&h.engine], &rec).await;
    assert_eq!(
        pages(&rec),
        vec![page("alice", M::Chat)],
        "only web-02 pages"
    );
    let log = h
        .engine
        .alert_log(Some("web"), Some("suppressed"), 10)
        .await
        .expect("log");
    assert_eq!(log.len(), 2);
    assert!(
        log[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("maintenance window")
    );

    h.advance(Duration::minutes(50));
    settle(&[&h.engine], &rec).await;
    h.advance(Duration::minutes(10));
    settle(&[&h.engine], &rec).await;
    let phases: Vec<(MaintenancePhase, i64)> = rec
        .delivered()
        .into_iter()
        .filter_map(|g| match g.notification {
            Notification::Maintenance {
                window: w,
                phase,
                suppressed,
                ..
            } if w == window.id => Some((phase, suppressed)),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        vec![
            (MaintenancePhase::Started, 0),
            (MaintenancePhase::EndingSoon, 2),
            (MaintenancePhase::Ended, 2),
        ]
    );
    // After the window, the same host pages again.
    let out = h
        .engine
        .ingest(event_for("web", "disk-full"))
        .await
        .expect("ingest");
    assert_eq!(out.outcome(), "created");
}
