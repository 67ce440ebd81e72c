//! Table tests for the pure escalation decisions.

use chrono::{NaiveTime, Weekday};

use super::*;
use crate::config::EscalationLevel;
use crate::domain::notification_rules::SupportHours;

fn user(s: &str) -> UserId {
    UserId::new(s)
}

fn policy(levels: &[&[&str]], repeat: u8) -> EscalationPolicy {
    EscalationPolicy {
        name: "ops".to_owned(),
        levels: levels
            .iter()
            .map(|targets| EscalationLevel {
                targets: targets
                    .iter()
                    .map(|t| match t.strip_prefix("schedule:") {
                        Some(s) => Target::Schedule(s.to_owned()),
                        None => Target::User(user(t)),
                    })
                    .collect(),
                delay_minutes: 15,
            })
            .collect(),
        repeat,
    }
}

/// `primary` has alice on call; `secondary` has nobody.
fn who(t: &Target) -> Option<UserId> {
    match t {
        Target::User(u) => Some(u.clone()),
        Target::Schedule(s) if s == "primary" => Some(user("alice")),
        Target::Schedule(_) => None,
    }
}

fn pos(level: usize, pass: u32) -> Position {
    Position { level, pass }
}

#[test]
fn levels_run_in_order_then_repeat_then_run_out() {
    let p = policy(&[&["schedule:primary"], &["bob"]], 1);
    let cases = [
        (pos(0, 0), Some((pos(0, 0), vec!["alice"], Some(pos(1, 0))))),
        (pos(1, 0), Some((pos(1, 0), vec!["bob"], Some(pos(0, 1))))),
        (pos(0, 1), Some((pos(0, 1), vec!["alice"], Some(pos(1, 1))))),
        (pos(1, 1), Some((pos(1, 1), vec!["bob"], None))),
        (pos(2, 1), None),
    ];
    for (from, want) in cases {
        let step = next_step(&p, from, who);
        let got = step.run.map(|r| {
            let users: Vec<String> = r.users.iter().map(|u| u.to_string()).collect();
            (r.at, users, r.next)
        });
        let want =
            want.map(|(at, users, next)| (at, users.iter().map(|u| u.to_string()).collect(), next));
        assert_eq!(got, want, "from {from:?}");
        assert!(step.skipped.is_empty());
    }
}

#[test]
fn a_level_with_nobody_on_call_is_skipped_and_says_why() {
    let p = policy(
        &[&["schedule:secondary"], &["bob", "bob", "schedule:primary"]],
        0,
    );
    let step = next_step(&p, Position::START, who);
    assert_eq!(
        step.skipped,
        vec![Skipped {
            at: pos(0, 0),
            reason: "nobody on call for schedule `secondary`".to_owned()
        }]
    );
    let run = step.run.unwrap();
    assert_eq!(run.at, pos(1, 0));
    assert_eq!(run.users, vec![user("bob"), user("alice")], "bob once");
    assert_eq!(run.next, None);
}

#[test]
fn a_policy_with_nobody_anywhere_runs_out_at_once() {
    let p = policy(&[&["schedule:secondary"]], 2);
    let step = next_step(&p, Position::START, who);
    assert_eq!(step.run, None);
    assert_eq!(step.skipped.len(), 3, "one per pass");
}

#[test]
fn low_urgency_phone_pages_wait_for_support_hours() {
    let office = SupportHours {
        time_zone: chrono_tz::UTC,
        days: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    };
    let saturday_night: DateTime<Utc> = "2026-11-21T03:00:00Z".parse().unwrap();
    let monday_nine: DateTime<Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
    let cases = [
        (
            ContactMethod::Sms,
            Urgency::Low,
            Some(&office),
            Some(monday_nine),
        ),
        (
            ContactMethod::Voice,
            Urgency::Low,
            Some(&office),
            Some(monday_nine),
        ),
        (ContactMethod::Chat, Urgency::Low, Some(&office), None),
        (ContactMethod::Email, Urgency::Low, Some(&office), None),
        (ContactMethod::Sms, Urgency::High, Some(&office), None),
        (ContactMethod::Sms, Urgency::Low, None, None),
    ];
    for (method, urgency, support, want) in cases {
        assert_eq!(
            phone_deferral(method, urgency, support, saturday_night),
            want,
            "{method} {urgency}"
        );
    }
    assert_eq!(
        phone_deferral(ContactMethod::Sms, Urgency::Low, Some(&office), monday_nine),
        None,
        "inside support hours"
    );
}

#[test]
fn a_ladder_standing_reads_back_as_stored_and_a_bad_row_is_an_error() {
    for s in [
        Standing::Next(Position::START),
        Standing::Next(Position { level: 3, pass: 2 }),
        Standing::Exhausted { pass: 1 },
    ] {
        let (level, pass) = s.columns();
        assert_eq!(Standing::from_columns(level, pass), Ok(s));
    }
    assert_eq!(Standing::Exhausted { pass: 2 }.columns(), (-1, 2));
    assert!(Standing::from_columns(-2, 0).is_err());
    assert!(Standing::from_columns(0, -1).is_err());
}
