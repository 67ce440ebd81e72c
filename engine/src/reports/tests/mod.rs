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
use crate::domain::ids::UserId;
use crate::domain::notification_rules::SupportHours;
use crate::domain::schedule::{Layer, Override, Rotation, Schedule};

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

mod formats;
mod golden;
mod percentiles;
