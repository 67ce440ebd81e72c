//! Table tests for the pure parts of reports: periods, hour classes across DST, support-hours
//! windows, on-call hours, percentile math, and the text formats. The SQL is tested against
//! both databases in `tests/integration/store_contract/reports.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::figures::{self, quantile, union_ranks, union_ranks_excluding, window_for};
use super::format::{CHAT_MAX_CHARS, Unit, change, human, rows};
use super::hours::{class_stretches, on_call_hours, support_windows};
use super::period::local_midnight;
use super::*;
use crate::escalation::rules::SupportHours;
use crate::ids::UserId;
use crate::schedule::{Layer, Override, Rotation, Schedule};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 time")
}

fn berlin() -> Tz {
    chrono_tz::Europe::Berlin
}

fn new_york() -> Tz {
    chrono_tz::America::New_York
}

// ---- periods ----

#[test]
fn periods_people_type_parse_to_the_right_stretch() {
    let now = utc("2026-11-18T10:00:00Z");
    let cases = [
        ("week", "2026-11-11T10:00:00Z"),
        ("WEEK", "2026-11-11T10:00:00Z"),
        (" month ", "2026-10-19T10:00:00Z"),
        ("1d", "2026-11-17T10:00:00Z"),
        ("14d", "2026-11-04T10:00:00Z"),
        ("366d", "2025-11-17T10:00:00Z"),
    ];
    for (spec, since) in cases {
        let p = Period::parse(spec, now, berlin()).unwrap();
        assert_eq!((p.since, p.until), (utc(since), now), "{spec}");
    }
}

#[test]
fn last_week_is_the_previous_monday_to_monday_in_the_callers_zone() {
    // Wednesday 2026-11-18; Berlin is UTC+1 in November.
    let p = Period::parse("last-week", utc("2026-11-18T10:00:00Z"), berlin()).unwrap();
    assert_eq!(p.since, utc("2026-11-08T23:00:00Z"));
    assert_eq!(p.until, utc("2026-11-15T23:00:00Z"));
    // In New York the same instant gives New York's Mondays.
    let p = Period::parse("last-week", utc("2026-11-18T10:00:00Z"), new_york()).unwrap();
    assert_eq!(p.since, utc("2026-11-09T05:00:00Z"));
    assert_eq!(p.until, utc("2026-11-16T05:00:00Z"));
    // At Monday midnight exactly, the week that just ended.
    let p = Period::parse("last-week", utc("2026-11-15T23:00:00Z"), berlin()).unwrap();
    assert_eq!(p.since, utc("2026-11-08T23:00:00Z"));
    assert_eq!(p.until, utc("2026-11-15T23:00:00Z"));
}

#[test]
fn last_week_across_a_dst_change_is_167_hours() {
    // Berlin springs forward on Sunday 2026-03-29.
    let p = Period::parse("last-week", utc("2026-04-01T12:00:00Z"), berlin()).unwrap();
    assert_eq!(p.since, utc("2026-03-22T23:00:00Z"));
    assert_eq!(p.until, utc("2026-03-29T22:00:00Z"));
    assert_eq!(p.until - p.since, Duration::hours(167));
}

#[test]
fn a_midnight_skipped_by_dst_starts_the_day_when_the_clocks_jump() {
    // Santiago skips 2026-09-06 00:00–01:00 (clocks go from 24:00 Saturday to 01:00 Sunday).
    let tz: Tz = chrono_tz::America::Santiago;
    let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
    assert_eq!(local_midnight(tz, day), utc("2026-09-06T04:00:00Z"));
}

#[test]
fn wrong_periods_say_what_would_be_right() {
    let now = utc("2026-11-18T10:00:00Z");
    for spec in ["fortnight", "", "7", "d", "1.5d", "7 d"] {
        let err = Period::parse(spec, now, berlin()).unwrap_err();
        assert!(
            err.message()
                .contains("use `week`, `last-week`, `month` or a number of days such as `14d`"),
            "{spec}: {}",
            err.message()
        );
    }
    for spec in ["0d", "367d", "-3d"] {
        let err = Period::parse(spec, now, berlin()).unwrap_err();
        assert!(err.message().contains("1 to 366 days"), "{spec}");
    }
}

#[test]
fn the_previous_period_has_the_same_length_and_ends_where_this_one_starts() {
    let p = Period::parse("week", utc("2026-11-18T10:00:00Z"), berlin()).unwrap();
    let prev = p.previous();
    assert_eq!(prev.until, p.since);
    assert_eq!(prev.since, utc("2026-11-04T10:00:00Z"));
}

#[test]
fn periods_are_checked_and_list_every_utc_day_they_touch() {
    let p = Period {
        since: utc("2026-11-16T10:00:00Z"),
        until: utc("2026-11-18T00:00:00Z"),
    };
    assert!(p.check().is_ok());
    let days: Vec<String> = p.utc_days().iter().map(|d| d.to_string()).collect();
    assert_eq!(days, ["2026-11-16", "2026-11-17"]);
    let backwards = Period {
        since: p.until,
        until: p.since,
    };
    assert!(
        backwards
            .check()
            .unwrap_err()
            .message()
            .contains("must start before it ends")
    );
    let long = Period {
        since: p.until - Duration::days(367),
        until: p.until,
    };
    assert!(
        long.check()
            .unwrap_err()
            .message()
            .contains("at most 366 days")
    );
}

// ---- hour classes ----

#[test]
fn hour_classes_by_local_wall_clock() {
    let at = |day: u32, h: u32, m: u32| {
        // 2026-11-16 is a Monday.
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    };
    use HourClass::*;
    let cases = [
        (at(16, 6, 59), Sleep),
        (at(16, 7, 0), Evening),
        (at(16, 8, 59), Evening),
        (at(16, 9, 0), Business),
        (at(16, 17, 59), Business),
        (at(16, 18, 0), Evening),
        (at(16, 22, 59), Evening),
        (at(16, 23, 0), Sleep),
        (at(20, 12, 0), Business), // Friday
        (at(20, 23, 30), Sleep),   // Friday night
        (at(21, 10, 0), Evening),  // Saturday day
        (at(22, 6, 0), Sleep),     // Sunday early
        (at(22, 23, 30), Sleep),   // Sunday night
        (at(23, 0, 0), Sleep),     // Monday midnight
    ];
    for (local, want) in cases {
        assert_eq!(HourClass::of_local(local), want, "{local}");
    }
}

#[test]
fn hour_classes_follow_dst_in_berlin_and_new_york() {
    use HourClass::*;
    let cases = [
        // Berlin, spring forward on Sunday 2026-03-29: 07:30 UTC is 08:30 before, 09:30 after.
        (berlin(), "2026-03-27T07:30:00Z", Evening),
        (berlin(), "2026-03-30T07:30:00Z", Business),
        // Berlin, fall back on Sunday 2026-10-25: 07:30 UTC is 09:30 before, 08:30 after.
        (berlin(), "2026-10-23T07:30:00Z", Business),
        (berlin(), "2026-10-26T07:30:00Z", Evening),
        // The repeated hour of the fall-back night is sleep both times.
        (berlin(), "2026-10-25T00:30:00Z", Sleep),
        (berlin(), "2026-10-25T01:30:00Z", Sleep),
        // New York, spring forward on Sunday 2026-03-08: 13:30 UTC is 08:30 EST, 09:30 EDT.
        (new_york(), "2026-03-06T13:30:00Z", Evening),
        (new_york(), "2026-03-09T13:30:00Z", Business),
        // New York, fall back on Sunday 2026-11-01: 22:30 UTC is 18:30 EDT, then 17:30 EST.
        (new_york(), "2026-10-30T22:30:00Z", Evening),
        (new_york(), "2026-11-02T22:30:00Z", Business),
        // 03:30 UTC on a Tuesday: 23:30 EDT Monday, sleep.
        (new_york(), "2026-10-27T03:30:00Z", Sleep),
    ];
    for (tz, t, want) in cases {
        assert_eq!(HourClass::at(utc(t), tz), want, "{t} in {}", tz.name());
    }
}

/// Every `step` of the period falls in exactly one stretch, whose class is the class there.
fn assert_stretches_agree(tz: Tz, since: &str, until: &str, step: Duration) {
    let period = Period {
        since: utc(since),
        until: utc(until),
    };
    let stretches = class_stretches(tz, &period);
    assert_eq!(stretches.first().map(|s| s.0), Some(period.since));
    assert_eq!(stretches.last().map(|s| s.1), Some(period.until));
    for pair in stretches.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "stretches touch");
        assert_ne!(pair[0].2, pair[1].2, "neighbours differ");
    }
    let mut t = period.since;
    while t < period.until {
        let s = stretches.iter().find(|s| s.0 <= t && t < s.1).unwrap();
        assert_eq!(s.2, HourClass::at(t, tz), "{t} in {}", tz.name());
        t += step;
    }
}

#[test]
fn class_stretches_are_exact_across_dst_changes() {
    let minute = Duration::minutes(1);
    assert_stretches_agree(
        berlin(),
        "2026-03-26T00:00:00Z",
        "2026-04-02T00:00:00Z",
        minute,
    );
    assert_stretches_agree(
        berlin(),
        "2026-10-22T00:00:00Z",
        "2026-10-29T00:00:00Z",
        minute,
    );
    assert_stretches_agree(
        new_york(),
        "2026-03-05T00:00:00Z",
        "2026-03-12T00:00:00Z",
        minute,
    );
    assert_stretches_agree(
        new_york(),
        "2026-10-29T00:00:00Z",
        "2026-11-05T00:00:00Z",
        minute,
    );
    // A half-hour offset, and Lord Howe's half-hour DST change.
    assert_stretches_agree(
        chrono_tz::Asia::Kolkata,
        "2026-11-16T00:00:00Z",
        "2026-11-23T00:00:00Z",
        minute,
    );
    assert_stretches_agree(
        chrono_tz::Australia::Lord_Howe,
        "2026-10-01T00:00:00Z",
        "2026-10-08T00:00:00Z",
        minute,
    );
}

#[test]
fn a_berlin_monday_after_spring_forward_has_its_edges_an_hour_earlier_in_utc() {
    let period = Period {
        since: utc("2026-03-30T00:00:00Z"),
        until: utc("2026-03-31T00:00:00Z"),
    };
    let got: Vec<(String, HourClass)> = class_stretches(berlin(), &period)
        .into_iter()
        .map(|(a, _, c)| (a.format("%H:%M").to_string(), c))
        .collect();
    use HourClass::*;
    let want = [
        ("00:00", Sleep),
        ("05:00", Evening),
        ("07:00", Business),
        ("16:00", Evening),
        ("21:00", Sleep),
    ];
    let want: Vec<(String, HourClass)> = want.iter().map(|(t, c)| (t.to_string(), *c)).collect();
    assert_eq!(got, want);
}

// ---- support hours ----

fn support(days: &[Weekday], start: (u32, u32), end: (u32, u32)) -> SupportHours {
    SupportHours {
        time_zone: berlin(),
        days: days.to_vec(),
        start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap(),
        end: NaiveTime::from_hms_opt(end.0, end.1, 0).unwrap(),
    }
}

#[test]
fn support_windows_agree_with_the_escalations_support_hours_across_dst() {
    use Weekday::*;
    let office = support(&[Mon, Tue, Wed, Thu, Fri], (9, 0), (17, 0));
    let nights = support(&[Fri, Sat], (22, 30), (6, 0));
    for (since, until) in [
        ("2026-03-25T10:17:00Z", "2026-04-03T00:00:00Z"),
        ("2026-10-21T00:00:00Z", "2026-10-30T13:00:00Z"),
    ] {
        let period = Period {
            since: utc(since),
            until: utc(until),
        };
        for s in [&office, &nights] {
            let windows = support_windows(s, &period);
            let mut t = period.since;
            while t < period.until {
                let inside = windows.iter().any(|(a, b)| *a <= t && t < *b);
                assert_eq!(inside, s.contains(t), "{t}");
                t += Duration::minutes(5);
            }
        }
    }
}

// ---- on-call hours ----

fn rotation(name: &str, users: &[&str]) -> Schedule {
    Schedule {
        name: name.to_owned(),
        time_zone: chrono_tz::UTC,
        layers: vec![Layer {
            users: users.iter().map(|u| UserId::new(*u)).collect(),
            rotation: Rotation::Weeks(1),
            start: NaiveDate::from_ymd_opt(2026, 11, 2)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            restrictions: vec![],
        }],
    }
}

#[test]
fn on_call_hours_come_from_rotations_and_overrides_and_count_overlaps_once() {
    let primary = rotation("primary", &["alice", "bob"]);
    let secondary = rotation("secondary", &["alice"]);
    let carol_takes_over = Override {
        user: UserId::new("carol"),
        start: utc("2026-11-10T09:00:00Z"),
        end: utc("2026-11-10T11:00:00Z"),
    };
    let period = Period {
        since: utc("2026-11-09T09:00:00Z"),
        until: utc("2026-11-23T09:00:00Z"),
    };
    let got = on_call_hours(
        &[(&primary, vec![carol_takes_over]), (&secondary, vec![])],
        &period,
    );
    type PerSchedule<'a> = Vec<(&'a str, f64)>;
    let by_user: BTreeMap<&str, (f64, PerSchedule)> = got
        .iter()
        .map(|o| {
            let per: Vec<(&str, f64)> = o
                .by_schedule
                .iter()
                .map(|(s, h)| (s.as_str(), *h))
                .collect();
            (o.user.as_str(), (o.hours, per))
        })
        .collect();
    // Week 1 (from 11-09 09:00) is bob's on primary, week 2 alice's; alice is on secondary
    // throughout, so her total is the two weeks once.
    assert_eq!(
        by_user["alice"],
        (336.0, vec![("primary", 168.0), ("secondary", 336.0)])
    );
    assert_eq!(by_user["bob"], (166.0, vec![("primary", 166.0)]));
    assert_eq!(by_user["carol"], (2.0, vec![("primary", 2.0)]));
}

// ---- percentiles ----

#[test]
fn percentiles_interpolate_between_the_nearest_ranks() {
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(quantile(&ten, 0.5), Some(5.5));
    assert_eq!(quantile(&ten, 0.9), Some(9.1));
    assert_eq!(quantile(&[7], 0.9), Some(7.0));
    assert_eq!(quantile(&[10, 20], 0.5), Some(15.0));
    assert_eq!(quantile(&[60, 120, 600], 0.9), Some(504.0));
    assert_eq!(quantile(&[], 0.5), None);
}

/// A small deterministic generator, so the property tests need no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

#[test]
fn ranks_of_a_union_read_through_a_window_match_sorting_everything() {
    let mut rng = Lcg(7);
    for round in 0..3000 {
        let d_len = rng.next(40) as usize;
        let c_len = rng.next(6) as usize;
        let spread = 1 + rng.next(50);
        let mut d: Vec<i64> = (0..d_len).map(|_| rng.next(spread) as i64).collect();
        let mut c: Vec<i64> = (0..c_len).map(|_| rng.next(spread) as i64).collect();
        d.sort_unstable();
        c.sort_unstable();
        let mut all: Vec<i64> = d.iter().chain(&c).copied().collect();
        all.sort_unstable();
        for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
            let Some((lo, _)) = figures::position(all.len() as u64, p) else {
                continue;
            };
            let (offset, limit) = window_for(lo, c.len() as u64, 0);
            let window: Vec<i64> = d
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            let ranks: Vec<u64> = [lo, lo + 1]
                .into_iter()
                .filter(|r| (*r as usize) < all.len())
                .collect();
            let got = union_ranks(offset, &window, &c, &ranks).unwrap();
            let want: Vec<i64> = ranks.iter().map(|r| all[*r as usize]).collect();
            assert_eq!(got, want, "round {round}: d={d:?} c={c:?} p={p}");
        }
    }
}

#[test]
fn excluded_index_entries_are_skipped_by_their_keys() {
    let mut rng = Lcg(11);
    for round in 0..3000 {
        // Index entries: (value, tie-break, id), some of which are excluded (stale values).
        let n = rng.next(40) as usize;
        let spread = 1 + rng.next(30);
        let mut index: Vec<(i64, i64, i64)> = (0..n)
            .map(|id| (rng.next(spread) as i64, rng.next(3) as i64, id as i64))
            .collect();
        index.sort();
        let excluded: Vec<(i64, i64, i64)> =
            index.iter().filter(|_| rng.next(4) == 0).copied().collect();
        let mut extra: Vec<i64> = (0..rng.next(5)).map(|_| rng.next(spread) as i64).collect();
        extra.sort_unstable();
        let mut all: Vec<i64> = index
            .iter()
            .filter(|k| !excluded.contains(k))
            .map(|k| k.0)
            .chain(extra.iter().copied())
            .collect();
        all.sort_unstable();
        for p in [0.0, 0.5, 0.9, 1.0] {
            let Some((lo, _)) = figures::position(all.len() as u64, p) else {
                continue;
            };
            let (offset, limit) = window_for(lo, extra.len() as u64, excluded.len() as u64);
            let window: Vec<(i64, i64, i64)> = index
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            let ranks: Vec<u64> = [lo, lo + 1]
                .into_iter()
                .filter(|r| (*r as usize) < all.len())
                .collect();
            let got =
                union_ranks_excluding(offset, &window, |k| k.0, &excluded, &extra, &ranks).unwrap();
            let want: Vec<i64> = ranks.iter().map(|r| all[*r as usize]).collect();
            assert_eq!(
                got, want,
                "round {round}: index={index:?} excluded={excluded:?} extra={extra:?} p={p}"
            );
        }
    }
}

// ---- formats ----

fn empty(since: &str, until: &str) -> Summary {
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

fn sample() -> Report {
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
