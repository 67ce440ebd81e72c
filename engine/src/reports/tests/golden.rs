//! Every rendering of two reports, byte for byte, against files written before the renderings
//! were rebuilt on one walk of the figures: a change to what a report says shows up here as a
//! diff. `FIREBELL_BLESS=1` rewrites the files (then read the diff before committing it).

use super::formats::sample;
use super::*;
use crate::reports::hours::OnCallHours;

/// The sample with every section filled in both periods, keys present in only one of them, and
/// days that line up.
fn rich() -> Report {
    let mut r = sample();
    let (cur, prev) = (&mut r.current, &mut r.previous);
    cur.alerts = Alerts {
        received: 40,
        deduplicated: 25,
        suppressed: 3,
    };
    prev.alerts = Alerts {
        received: 30,
        deduplicated: 21,
        suppressed: 0,
    };
    cur.mttr = Durations {
        count: 9,
        mean_seconds: Some(4000.0),
        median_seconds: Some(3600.0),
        p90_seconds: Some(90_000.0),
    };
    prev.escalations = Escalations {
        escalated: 3,
        by_timeout: 2,
        by_hand: 1,
    };
    cur.escalations = Escalations {
        escalated: 1,
        by_timeout: 1,
        by_hand: 0,
    };
    prev.notifications[0].sent = 4;
    prev.notifications[0].delivered = 4;
    prev.interruptions = vec![
        Interruptions {
            user: "alice".to_owned(),
            timezone: "Europe/Berlin".to_owned(),
            business: 1,
            evening: 0,
            sleep: 0,
        },
        Interruptions {
            user: "bob|ops".to_owned(),
            timezone: "UTC".to_owned(),
            business: 0,
            evening: 2,
            sleep: 1,
        },
    ];
    cur.on_call = vec![OnCallHours {
        user: "alice".to_owned(),
        hours: 47.5,
        by_schedule: BTreeMap::from([("primary".to_owned(), 47.5)]),
    }];
    prev.on_call = vec![OnCallHours {
        user: "carol".to_owned(),
        hours: 48.0,
        by_schedule: BTreeMap::from([("primary".to_owned(), 48.0)]),
    }];
    prev.noisiest = vec![NoisyKey {
        service: "web".to_owned(),
        dedup_key: "=cmd|' /C calc'!A0, disk".to_owned(),
        source: None,
        alerts: 20,
        incidents: 5,
    }];
    cur.acknowledged_then_auto_resolved = 2;
    prev.acknowledged_then_auto_resolved = 1;
    cur.teams.push(TeamLoad {
        team: "db *team*".to_owned(),
        incidents: 40,
        per_week: 17.5,
        over_review_line: true,
    });
    prev.teams = vec![TeamLoad {
        team: "default".to_owned(),
        incidents: 9,
        per_week: 9.0,
        over_review_line: false,
    }];
    prev.days = vec![
        Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 14).unwrap(),
            opened: BTreeMap::from([("web".to_owned(), 6)]),
            mtta_minutes: Some(6.0),
            mttr_minutes: Some(50.0),
        },
        Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            opened: BTreeMap::from([("cache".to_owned(), 3)]),
            mtta_minutes: None,
            mttr_minutes: None,
        },
    ];
    r.service = Some("web|*x*".to_owned());
    r
}

fn check(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/reports/tests/golden")
        .join(name);
    if std::env::var_os("FIREBELL_BLESS").is_some() {
        std::fs::write(&path, got).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("read golden file");
    assert!(
        got == want,
        "{name} changed:\n--- want\n{want}\n--- got\n{got}"
    );
}

#[test]
fn every_rendering_of_a_full_report_is_unchanged() {
    let r = rich();
    check("full.md", &r.to_markdown());
    check("full.csv", &r.to_csv());
    check("full.chat.txt", &r.to_chat());
}

#[test]
fn every_rendering_of_the_sample_and_of_an_empty_report_is_unchanged() {
    let r = sample();
    check("sample.md", &r.to_markdown());
    check("sample.csv", &r.to_csv());
    check("sample.chat.txt", &r.to_chat());
    let mut empty = sample();
    empty.current = formats::empty("2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z");
    empty.previous = formats::empty("2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z");
    empty.team = Some("default".to_owned());
    check("empty.md", &empty.to_markdown());
    check("empty.csv", &empty.to_csv());
    check("empty.chat.txt", &empty.to_chat());
}
