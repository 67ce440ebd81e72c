//! What the timer worker sweeps besides the ladder: ack timeouts, low urgency outside support
//! hours, auto-resolve, schedule handoffs, maintenance windows.

use super::*;

contract_tests! {
    an_acknowledged_incident_retriggers_after_the_ack_timeout,
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
    use firebell_engine::maintenance::Matcher;
    use firebell_engine::notify::MaintenancePhase;

    let h = start(backend).await;
    let rec = Recorder::default();
    let matcher = Matcher::parse("web-01", h.engine.config()).expect("matcher");
    let window = h
        .engine
        .start_maintenance(
            matcher,
            HumanDuration::parse("1h", Duration::days(7)).expect("duration"),
            Some("kernel upgrade"),
            None,
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
