//! The report as CSV, Markdown, chat text and chart series.

use super::*;

// ---- formats ----

pub(super) fn empty(since: &str, until: &str) -> Summary {
    Summary {
        period: Period {
            since: utc(since),
            until: utc(until),
        },
        incidents: Incidents::default(),
        alerts: Alerts::default(),
        mtta: Durations::default(),
        mttr: Durations::default(),
        escalations: Escalations::default(),
        notifications: ContactMethod::ALL
            .iter()
            .map(|&method| Notifications {
                method,
                sent: 0,
                delivered: 0,
                failed: 0,
            })
            .collect(),
        interruptions: vec![],
        on_call: vec![],
        noisiest: vec![],
        acknowledged_then_auto_resolved: 0,
        teams: vec![],
        days: vec![],
    }
}

pub(super) fn sample() -> Report {
    let mut cur = empty("2026-11-16T00:00:00Z", "2026-11-18T00:00:00Z");
    let mut prev = empty("2026-11-14T00:00:00Z", "2026-11-16T00:00:00Z");
    cur.incidents.total = 12;
    cur.incidents.by_service = BTreeMap::from([
        ("web".to_owned(), 9),
        ("db|primary".to_owned(), 2),
        ("=1+1".to_owned(), 1),
    ]);
    cur.incidents.by_severity.critical = 12;
    cur.incidents.by_urgency.high = 12;
    prev.incidents.total = 9;
    prev.incidents.by_service = BTreeMap::from([("web".to_owned(), 9)]);
    cur.mtta = Durations {
        count: 10,
        mean_seconds: Some(270.0),
        median_seconds: Some(180.0),
        p90_seconds: Some(540.0),
    };
    prev.mtta = Durations {
        count: 8,
        mean_seconds: Some(330.0),
        median_seconds: Some(200.0),
        p90_seconds: None,
    };
    cur.notifications[1] = Notifications {
        method: ContactMethod::Sms,
        sent: 6,
        delivered: 5,
        failed: 1,
    };
    cur.interruptions = vec![Interruptions {
        user: "alice".to_owned(),
        timezone: "Europe/Berlin".to_owned(),
        business: 2,
        evening: 1,
        sleep: 3,
    }];
    cur.noisiest = vec![NoisyKey {
        service: "web".to_owned(),
        dedup_key: "=cmd|' /C calc'!A0, disk".to_owned(),
        source: Some("web-01".to_owned()),
        alerts: 14,
        incidents: 2,
    }];
    cur.teams = vec![TeamLoad {
        team: "default".to_owned(),
        incidents: 12,
        per_week: 12.0,
        over_review_line: false,
    }];
    cur.days = vec![
        Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
            opened: BTreeMap::from([("web".to_owned(), 5)]),
            mtta_minutes: Some(4.5),
            mttr_minutes: None,
        },
        Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 17).unwrap(),
            opened: BTreeMap::from([("web".to_owned(), 4), ("db|primary".to_owned(), 3)]),
            mtta_minutes: None,
            mttr_minutes: Some(30.0),
        },
    ];
    Report {
        service: None,
        team: None,
        current: cur,
        previous: prev,
    }
}

#[test]
fn csv_has_one_row_per_figure_with_the_change() {
    let csv = sample().to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "section,figure,key,current,previous,change");
    assert!(lines.contains(&"incidents,opened,,12,9,3"));
    assert!(lines.contains(&"incidents,opened_by_service,db|primary,2,0,2"));
    // A key a spreadsheet would run as a formula is defused.
    assert!(
        lines.contains(&"incidents,opened_by_service,'=1+1,1,0,1"),
        "{csv}"
    );
    assert!(lines.contains(&"mtta,median_minutes,,3,3.33,-0.33"));
    assert!(lines.contains(&"mtta,p90_minutes,,9,,"));
    assert!(lines.contains(&"notifications,failed,sms,1,0,1"));
    assert!(lines.contains(&"interruptions,sleep,alice,3,0,3"));
    assert!(lines.contains(&"days,opened,2026-11-17/db|primary,3,,"));
    // Quoted where needed.
    assert!(
        lines.contains(&"noisiest,alerts,\"web/=cmd|' /C calc'!A0, disk\",14,,"),
        "{csv}"
    );
}

#[test]
fn markdown_has_every_section_and_escapes_names() {
    let md = sample().to_markdown();
    for section in [
        "# Incident report: 2026-11-16 00:00 → 2026-11-18 00:00 UTC",
        "## Incidents",
        "## Alerts",
        "## Response times",
        "## Escalations",
        "## Notifications to people",
        "## Interruptions",
        "## On-call hours",
        "## Noisiest alerts",
        "## Likely noise",
        "## Team load",
        "## Per day (UTC)",
    ] {
        assert!(md.contains(section), "missing {section}:\n{md}");
    }
    assert!(md.contains("| Opened | 12 | 9 | +3 (+33%) |"), "{md}");
    assert!(md.contains("| MTTA median | 3m | 3m 20s | -20s |"), "{md}");
    assert!(md.contains("| db\\|primary | 2 | 0 | +2 (new) |"), "{md}");
    assert!(md.contains("| sms | 6 | 5 | 1 | 0 | +6 (new) |"), "{md}");
    assert!(md.contains("| 2026-11-17 | 3 | 4 | 7 | — | 30m |"), "{md}");
}

#[test]
fn chat_text_is_compact_and_light_markdown() {
    let text = sample().to_chat();
    assert!(text.starts_with("*Incident report: 16 Nov 2026 00:00 → 18 Nov 2026 00:00 UTC* (change vs the 2 days before)"), "{text}");
    assert!(text.contains("*Opened:* 12 (+3)"), "{text}");
    assert!(
        text.contains("*MTTA:* 4m 30s mean (-1m) · median 3m · p90 9m (over 10)"),
        "{text}"
    );
    assert!(text.contains("*Notifications:* sms 6 (1 failed)"), "{text}");
    assert!(text.contains("`web/=cmd|' /C calc'!A0, disk` 14"), "{text}");
    assert!(text.chars().count() <= CHAT_MAX_CHARS);
}

#[test]
fn chat_text_stays_within_the_limit_however_many_people_and_keys() {
    let mut r = sample();
    r.current.interruptions = (0..500)
        .map(|i| Interruptions {
            user: format!("person-{i}-{}", "x".repeat(60)),
            timezone: "UTC".to_owned(),
            business: 1,
            evening: 2,
            sleep: 3,
        })
        .collect();
    r.current.noisiest = (0..10)
        .map(|i| NoisyKey {
            service: "s".repeat(200),
            dedup_key: format!("{i}`*{}", "k".repeat(250)),
            source: None,
            alerts: 10 - i,
            incidents: 1,
        })
        .collect();
    let text = r.to_chat();
    assert!(
        text.chars().count() <= CHAT_MAX_CHARS,
        "{}",
        text.chars().count()
    );
    assert!(text.contains("*Opened:*"));
    assert!(
        !text.contains("`*"),
        "backticks in keys cannot close the code span"
    );
}

#[test]
fn the_chart_series_has_a_value_per_day_for_each_service() {
    let chart = sample().chart();
    assert_eq!(chart.days.len(), 2);
    assert_eq!(
        chart.services,
        vec![
            ("db|primary".to_owned(), vec![0, 3]),
            ("web".to_owned(), vec![5, 4])
        ]
    );
    assert_eq!(chart.mtta_minutes, vec![Some(4.5), None]);
    assert_eq!(chart.mttr_minutes, vec![None, Some(30.0)]);
}

#[test]
fn changes_and_durations_read_well() {
    assert_eq!(change(Some(12.0), Some(9.0), Unit::Count), "+3 (+33%)");
    assert_eq!(change(Some(8.0), Some(10.0), Unit::Count), "-2 (-20%)");
    assert_eq!(change(Some(4.0), Some(0.0), Unit::Count), "+4 (new)");
    assert_eq!(change(Some(4.0), Some(4.0), Unit::Count), "±0");
    assert_eq!(change(Some(5.5), Some(4.0), Unit::Minutes), "+1m 30s");
    assert_eq!(change(None, Some(4.0), Unit::Minutes), "—");
    assert_eq!(human(42.0), "42s");
    assert_eq!(human(270.0), "4m 30s");
    assert_eq!(human(7500.0), "2h 05m");
    assert_eq!(human(273_600.0), "3d 4h");
}

#[test]
fn csv_rows_cover_both_periods_keys() {
    let r = sample();
    let services: Vec<String> = rows(&r)
        .into_iter()
        .filter(|row| row.figure == "opened_by_service")
        .map(|row| row.key)
        .collect();
    assert_eq!(services, ["=1+1", "db|primary", "web"]);
}
