//! The week's history played through, and every figure of its summary asserted exactly.

use super::*;

pub(super) async fn the_summary_counts_a_week_of_incidents_exactly(backend: Backend) {
    let h = Harness::start_with(backend, reports_config(), at("2026-11-12T12:00:00Z")).await;
    let rec = Recorder::default();
    Box::pin(play_history(&h, &rec)).await;

    let r = report(&h, None, None).await.expect("report");
    let (cur, prev) = (&r.current, &r.previous);

    // Incidents: A, B, C on web (critical, high urgency), D on db (warning: low by severity).
    assert_eq!(cur.incidents.total, 4);
    assert_eq!(
        cur.incidents
            .by_service
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect::<Vec<_>>(),
        [("db", 1), ("web", 3)]
    );
    let sev = cur.incidents.by_severity;
    assert_eq!(
        (sev.critical, sev.error, sev.warning, sev.info),
        (3, 0, 1, 0)
    );
    assert_eq!(
        (cur.incidents.by_urgency.high, cur.incidents.by_urgency.low),
        (3, 1)
    );
    assert_eq!(prev.incidents.total, 1);

    // Alerts: four opened incidents, two repeats of A, one silenced by maintenance.
    let a = cur.alerts;
    assert_eq!((a.received, a.deduplicated, a.suppressed), (7, 2, 1));
    assert_eq!(prev.alerts.received, 1);

    // MTTA: A 60 s, B 1200 s (its first acknowledgement, not the one after the re-trigger),
    // C 300 s, D 180 s. MTTR: A 600 s, B 3600 s, C 1800 s, D 3600 s.
    assert_eq!(cur.mtta, secs(4, 435.0, 240.0, 930.0));
    assert_eq!(cur.mttr, secs(4, 2400.0, 2700.0, 3600.0));
    assert_eq!(prev.mtta, secs(1, 60.0, 60.0, 60.0));
    assert_eq!(prev.mttr, secs(1, 1200.0, 1200.0, 1200.0));

    // Escalations: B by timeout, C by hand.
    let e = cur.escalations;
    assert_eq!((e.escalated, e.by_timeout, e.by_hand), (2, 1, 1));
    assert_eq!(prev.escalations.escalated, 0);

    // Notifications to people: chat — A alice, B alice, bob, alice again, C alice, bob,
    // D alice; SMS — B alice (failed), B bob, C bob, and two status notices to bob about B.
    assert_eq!(
        cur.notifications,
        vec![
            sent(ContactMethod::Chat, 7, 7, 0),
            sent(ContactMethod::Sms, 5, 4, 1),
            sent(ContactMethod::Voice, 0, 0, 0),
            sent(ContactMethod::Email, 0, 0, 0),
        ]
    );
    assert_eq!(prev.notifications[0], sent(ContactMethod::Chat, 1, 1, 0));

    // Interruptions in each person's own time: alice's six pages from 09:00 to 18:30 Berlin
    // time, bob's four between 03:35 and 04:03 New York time; the week before, bob at 07:00.
    let pages = |name: &str, tz: &str, business, evening, sleep| Interruptions {
        user: name.to_owned(),
        timezone: tz.to_owned(),
        business,
        evening,
        sleep,
    };
    assert_eq!(
        cur.interruptions,
        vec![
            pages("alice", "Europe/Berlin", 5, 1, 0),
            pages("bob", "America/New_York", 0, 0, 4)
        ]
    );
    assert_eq!(
        prev.interruptions,
        vec![pages("bob", "America/New_York", 0, 1, 0)]
    );

    // On call: alice's week, less bob's two-hour override.
    let hours: Vec<(&str, f64)> = cur
        .on_call
        .iter()
        .map(|o| (o.user.as_str(), o.hours))
        .collect();
    assert_eq!(hours, [("alice", 166.0), ("bob", 2.0)]);
    let hours: Vec<(&str, f64)> = prev
        .on_call
        .iter()
        .map(|o| (o.user.as_str(), o.hours))
        .collect();
    assert_eq!(hours, [("bob", 168.0)]);

    // Noisiest: A's key with its repeats first, then the rest by name.
    let key = |service: &str, k: &str, source: Option<&str>, alerts, incidents| NoisyKey {
        service: service.to_owned(),
        dedup_key: k.to_owned(),
        source: source.map(str::to_owned),
        alerts,
        incidents,
    };
    assert_eq!(
        cur.noisiest,
        vec![
            key("web", "disk-full", Some("web-01"), 3, 1),
            key("db", "disk-io", None, 1, 0),
            key("db", "replication-lag", Some("web-01"), 1, 1),
            key("web", "cpu-high", Some("web-01"), 1, 1),
            key("web", "mem", Some("web-01"), 1, 1),
        ]
    );

    // D was acknowledged, then auto-resolved.
    assert_eq!(cur.acknowledged_then_auto_resolved, 1);
    assert_eq!(prev.acknowledged_then_auto_resolved, 0);

    // Team load: both services page through `ops`; `spare` has none.
    let team = |name: &str, incidents, per_week| TeamLoad {
        team: name.to_owned(),
        incidents,
        per_week,
        over_review_line: false,
    };
    assert_eq!(cur.teams, vec![team("ops", 4, 4.0), team("spare", 0, 0.0)]);

    // Per day: everything happened on Monday.
    assert_eq!(cur.days.len(), 7);
    let monday = &cur.days[0];
    assert_eq!(monday.date.to_string(), "2026-11-16");
    assert_eq!(
        monday
            .opened
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect::<Vec<_>>(),
        [("db", 1), ("web", 3)]
    );
    assert_eq!(
        (monday.mtta_minutes, monday.mttr_minutes),
        (Some(7.25), Some(40.0))
    );
    assert!(
        cur.days[1..]
            .iter()
            .all(|d| d.opened.is_empty() && d.mtta_minutes.is_none())
    );
    let chart = r.chart();
    assert_eq!(
        chart.services,
        vec![
            ("db".to_owned(), vec![1, 0, 0, 0, 0, 0, 0]),
            ("web".to_owned(), vec![3, 0, 0, 0, 0, 0, 0])
        ]
    );

    // The formats carry the same figures.
    let csv = r.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "section,figure,key,current,previous,change");
    for line in [
        "incidents,opened,,4,1,3",
        "mtta,median_minutes,,4,1,3",
        "mtta,p90_minutes,,15.5,1,14.5",
        "mttr,mean_minutes,,40,20,20",
        "escalations,by_hand,,1,0,1",
        "notifications,failed,sms,1,0,1",
        "interruptions,sleep,bob,4,0,4",
        "on_call,hours,alice,166,0,166",
        "noisiest,alerts,web/disk-full,3,,",
        "noise,acknowledged_then_auto_resolved,,1,0,1",
    ] {
        assert!(lines.contains(&line), "missing {line:?} in\n{csv}");
    }
    let md = r.to_markdown();
    for part in [
        "## Incidents",
        "| Opened | 4 | 1 | +3 (+300%) |",
        "| MTTA median | 4m | 1m | +3m |",
        "| Escalated past the first level | 2 | 0 | +2 (new) |",
        "| sms | 5 | 4 | 1 | 0 | +5 (new) |",
        "| bob | 0 | 0 | 4 | 4 | 1 | +3 (+300%) |",
        "| web | disk-full | web-01 | 3 | 1 | — |",
        "## Per day (UTC)",
    ] {
        assert!(md.contains(part), "missing {part:?} in\n{md}");
    }
    let chat = r.to_chat();
    assert!(
        chat.contains("*MTTA:* 7m 15s mean (+6m 15s) · median 4m · p90 15m 30s (over 4)"),
        "{chat}"
    );
    assert!(
        chat.contains("*Escalated:* 2 (+2) — 1 by timeout, 1 by hand"),
        "{chat}"
    );
}
