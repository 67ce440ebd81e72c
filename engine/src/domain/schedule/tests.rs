//! Table tests: handoffs across both DST changes of 2026 in Europe/Berlin (spring forward on
//! 29 March 02:00 → 03:00, fall back on 25 October 03:00 → 02:00), restriction edges, overlapping
//! layers and overrides.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Europe::Berlin;

use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("rfc3339").to_utc()
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid date")
}

fn users(names: &[&str]) -> Vec<UserId> {
    names.iter().map(|n| UserId::new(*n)).collect()
}

fn layer(names: &[&str], rotation: Rotation, start: NaiveDateTime) -> Layer {
    Layer {
        users: users(names),
        rotation,
        start,
        restrictions: Vec::new(),
    }
}

fn schedule(layers: Vec<Layer>) -> Schedule {
    Schedule {
        name: "primary".into(),
        time_zone: Berlin,
        layers,
    }
}

fn who(s: &Schedule, o: &[Override], t: &str) -> Option<String> {
    on_call_at(s, o, at(t)).map(|u| u.as_str().to_owned())
}

fn hours(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("valid time")
}

#[test]
fn weekly_rotation_hands_off_at_nine_local_time_across_both_dst_changes() {
    // Monday 2 March 2026, 09:00 CET (08:00 UTC); alice, bob, alice, bob, …
    let s = schedule(vec![layer(
        &["alice", "bob"],
        Rotation::Weeks(1),
        local(2026, 3, 2, 9, 0),
    )]);
    let cases = [
        ("2026-03-02T07:59:59Z", None),
        ("2026-03-02T08:00:00Z", Some("alice")),
        ("2026-03-09T07:59:59Z", Some("alice")),
        ("2026-03-09T08:00:00Z", Some("bob")),
        // After spring forward, 09:00 local is 07:00 UTC.
        ("2026-03-30T06:59:59Z", Some("bob")),
        ("2026-03-30T07:00:00Z", Some("alice")),
        // After fall back, 09:00 local is 08:00 UTC again (week 34 from the start: alice).
        ("2026-10-26T07:59:59Z", Some("bob")),
        ("2026-10-26T08:00:00Z", Some("alice")),
    ];
    for (t, want) in cases {
        assert_eq!(who(&s, &[], t).as_deref(), want, "at {t}");
    }
}

#[test]
fn a_handoff_in_the_spring_gap_happens_when_the_clocks_jump_and_one_in_the_fold_happens_once() {
    // Daily at 02:30: that time does not exist on 29 March and happens twice on 25 October.
    let s = schedule(vec![layer(
        &["a", "b", "c"],
        Rotation::Days(1),
        local(2026, 3, 27, 2, 30),
    )]);
    let cases = [
        ("2026-03-28T01:29:59Z", Some("a")), // 02:29:59 CET on the 28th
        ("2026-03-28T01:30:00Z", Some("b")),
        ("2026-03-29T00:59:59Z", Some("b")), // 01:59:59 CET, just before the jump
        ("2026-03-29T01:00:00Z", Some("c")), // 03:00 CEST: the skipped 02:30 hands off here
        ("2026-03-30T00:29:59Z", Some("c")), // 02:29:59 CEST on the 30th
        ("2026-03-30T00:30:00Z", Some("a")),
    ];
    for (t, want) in cases {
        assert_eq!(who(&s, &[], t).as_deref(), want, "at {t}");
    }
    // 25 October 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET): one handoff, at
    // the first. Day index from 27 March to 25 October is 212: 212 % 3 = 2 → c takes over.
    assert_eq!(who(&s, &[], "2026-10-25T00:29:59Z").as_deref(), Some("b"));
    assert_eq!(who(&s, &[], "2026-10-25T00:30:00Z").as_deref(), Some("c"));
    assert_eq!(
        who(&s, &[], "2026-10-25T01:30:00Z").as_deref(),
        Some("c"),
        "no second handoff in the fold"
    );
}

#[test]
fn hour_rotations_are_exact_durations_across_dst() {
    // Every 12 hours from 20:00 CET on 28 March (19:00 UTC): 07:00 UTC, 19:00 UTC, … regardless
    // of the jump, so the local handoff moves from 08:00 to 09:00.
    let s = schedule(vec![layer(
        &["x", "y"],
        Rotation::Hours(12),
        local(2026, 3, 28, 20, 0),
    )]);
    assert_eq!(who(&s, &[], "2026-03-29T06:59:59Z").as_deref(), Some("x"));
    assert_eq!(who(&s, &[], "2026-03-29T07:00:00Z").as_deref(), Some("y"));
    assert_eq!(who(&s, &[], "2026-03-29T19:00:00Z").as_deref(), Some("x"));
}

#[test]
fn a_restricted_layer_covers_the_base_layer_only_inside_its_windows() {
    let base = layer(&["night"], Rotation::Weeks(1), local(2026, 1, 5, 0, 0));
    let mut office = layer(&["day"], Rotation::Weeks(1), local(2026, 1, 5, 0, 0));
    office.restrictions = vec![Restriction {
        days: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        start: hours(9),
        end: hours(17),
    }];
    let s = schedule(vec![base, office]);
    let cases = [
        ("2026-03-02T07:59:59Z", "night"), // Monday 08:59:59 CET
        ("2026-03-02T08:00:00Z", "day"),   // Monday 09:00
        ("2026-03-02T15:59:59Z", "day"),   // Monday 16:59:59
        ("2026-03-02T16:00:00Z", "night"), // Monday 17:00: the window's end is exclusive
        ("2026-03-07T10:00:00Z", "night"), // Saturday
        ("2026-03-30T07:00:00Z", "day"),   // Monday 09:00 CEST, after the jump
        ("2026-03-30T06:59:59Z", "night"),
    ];
    for (t, want) in cases {
        assert_eq!(who(&s, &[], t).as_deref(), Some(want), "at {t}");
    }
}

#[test]
fn a_window_across_midnight_belongs_to_the_day_it_opens() {
    let mut weekend_nights = layer(&["owl"], Rotation::Weeks(1), local(2026, 1, 5, 0, 0));
    weekend_nights.restrictions = vec![Restriction {
        days: vec![Weekday::Fri],
        start: hours(22),
        end: hours(6),
    }];
    let s = schedule(vec![weekend_nights]);
    let cases = [
        ("2026-03-06T20:59:59Z", None),        // Friday 21:59:59 CET
        ("2026-03-06T21:00:00Z", Some("owl")), // Friday 22:00
        ("2026-03-07T04:59:59Z", Some("owl")), // Saturday 05:59:59
        ("2026-03-07T05:00:00Z", None),        // Saturday 06:00
        ("2026-03-07T21:00:00Z", None),        // Saturday 22:00: not a listed day
    ];
    for (t, want) in cases {
        assert_eq!(who(&s, &[], t).as_deref(), want, "at {t}");
    }
}

#[test]
fn overrides_win_and_the_newest_of_overlapping_overrides_wins() {
    let s = schedule(vec![layer(
        &["alice", "bob"],
        Rotation::Weeks(1),
        local(2026, 3, 2, 9, 0),
    )]);
    let o = [
        Override {
            user: UserId::new("carol"),
            start: at("2026-03-03T10:00:00Z"),
            end: at("2026-03-03T12:00:00Z"),
        },
        Override {
            user: UserId::new("dave"),
            start: at("2026-03-03T11:00:00Z"),
            end: at("2026-03-03T11:30:00Z"),
        },
    ];
    let cases = [
        ("2026-03-03T09:59:59Z", "alice"),
        ("2026-03-03T10:00:00Z", "carol"),
        ("2026-03-03T11:00:00Z", "dave"),
        ("2026-03-03T11:30:00Z", "carol"),
        ("2026-03-03T12:00:00Z", "alice"), // the end is exclusive
    ];
    for (t, want) in cases {
        assert_eq!(who(&s, &o, t).as_deref(), Some(want), "at {t}");
    }
    // An override also covers a time no layer does.
    let before_start = [Override {
        user: UserId::new("erin"),
        start: at("2026-03-01T00:00:00Z"),
        end: at("2026-03-01T01:00:00Z"),
    }];
    assert_eq!(
        who(&s, &before_start, "2026-03-01T00:30:00Z").as_deref(),
        Some("erin")
    );
}

#[test]
fn shifts_render_the_merged_timeline_with_exact_boundaries() {
    let base = layer(
        &["alice", "bob"],
        Rotation::Weeks(1),
        local(2026, 3, 2, 9, 0),
    );
    let s = schedule(vec![base]);
    let o = [Override {
        user: UserId::new("carol"),
        start: at("2026-03-10T12:00:00Z"),
        end: at("2026-03-10T14:00:00Z"),
    }];
    let got: Vec<(String, Option<String>)> = shifts(
        &s,
        &o,
        at("2026-03-02T00:00:00Z"),
        at("2026-03-17T00:00:00Z"),
    )
    .into_iter()
    .map(|sh| {
        (
            sh.start.to_rfc3339(),
            sh.user.map(|u| u.as_str().to_owned()),
        )
    })
    .collect();
    let want = [
        ("2026-03-02T00:00:00+00:00", None),
        ("2026-03-02T08:00:00+00:00", Some("alice")),
        ("2026-03-09T08:00:00+00:00", Some("bob")),
        ("2026-03-10T12:00:00+00:00", Some("carol")),
        ("2026-03-10T14:00:00+00:00", Some("bob")),
        ("2026-03-16T08:00:00+00:00", Some("alice")),
    ];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(t, u)| (t.to_string(), u.map(str::to_owned)))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn shifts_are_contiguous_and_cover_the_window_with_restrictions_and_dst() {
    let base = layer(
        &["a", "b", "c"],
        Rotation::Days(1),
        local(2026, 3, 20, 2, 30),
    );
    let mut office = layer(&["d"], Rotation::Weeks(1), local(2026, 3, 2, 0, 0));
    office.restrictions = vec![Restriction {
        days: vec![Weekday::Mon, Weekday::Fri],
        start: hours(9),
        end: hours(17),
    }];
    let s = schedule(vec![base, office]);
    let (from, to) = (at("2026-03-25T00:00:00Z"), at("2026-04-05T00:00:00Z"));
    let all = shifts(&s, &[], from, to);
    assert_eq!(all.first().map(|x| x.start), Some(from));
    assert_eq!(all.last().map(|x| x.end), Some(to));
    for pair in all.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "contiguous");
        assert_ne!(
            pair[0].user, pair[1].user,
            "adjacent equal stretches are merged"
        );
    }
    // Every stretch agrees with on_call_at at its start and just before its end.
    for sh in &all {
        assert_eq!(on_call_at(&s, &[], sh.start), sh.user);
        assert_eq!(on_call_at(&s, &[], sh.end - Duration::seconds(1)), sh.user);
    }
}
