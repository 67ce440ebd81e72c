use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::config::Config;

fn config(heartbeat: &str) -> Config {
    let toml = format!(
        r#"
[rooms.ops]
[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
[heartbeats.backup-nightly]
service = "db"
key = "backup-nightly-key-0123456789"
{heartbeat}
"#
    );
    Config::parse(&toml, "t.toml", &|_| None).expect("valid")
}

fn nightly() -> Heartbeat {
    config("interval = \"24h\"\ngrace = \"2h\"")
        .heartbeat("backup-nightly")
        .expect("configured")
        .clone()
}

fn t(h: i64) -> DateTime<Utc> {
    "2026-11-21T03:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("time")
        + Duration::hours(h)
}

fn watching_since(h: i64) -> Watch {
    Watch {
        first_seen: t(h),
        last_checkin: None,
        down_since: None,
        fired_at: None,
        incident_open: false,
    }
}

#[test]
fn a_heartbeat_that_never_checked_in_counts_from_when_firebell_started_watching() {
    let hb = nightly();
    let w = watching_since(0);
    assert_eq!(next_checkin_due(&hb, &w), t(24));
    assert_eq!(deadline(&hb, &w), t(26));
    assert_eq!(next_fire(&hb, &w), Some(t(26)));
}

#[test]
fn each_check_in_moves_the_deadline_to_interval_plus_grace_after_it() {
    let hb = nightly();
    let w = Watch {
        last_checkin: Some(t(10)),
        ..watching_since(0)
    };
    assert_eq!(next_checkin_due(&hb, &w), t(34));
    assert_eq!(next_fire(&hb, &w), Some(t(36)));
}

#[test]
fn up_then_late_within_grace_then_down_once_the_miss_fired() {
    let hb = nightly();
    let w = watching_since(0);
    let at = |h: i64, m: i64| t(h) + Duration::minutes(m);
    assert_eq!(health(&hb, &w, at(23, 59)), Health::Up);
    assert_eq!(health(&hb, &w, at(24, 0)), Health::Late);
    assert_eq!(health(&hb, &w, at(25, 59)), Health::Late);
    // Past the deadline but not fired yet: still late until the timer's tick.
    assert_eq!(health(&hb, &w, at(26, 0)), Health::Late);
    let down = Watch {
        down_since: Some(t(26)),
        fired_at: Some(t(26)),
        incident_open: true,
        ..w
    };
    assert_eq!(health(&hb, &down, at(26, 0)), Health::Down);
}

#[test]
fn a_down_heartbeat_with_its_incident_open_never_fires_again() {
    let hb = nightly();
    let down = Watch {
        down_since: Some(t(26)),
        fired_at: Some(t(26)),
        incident_open: true,
        ..watching_since(0)
    };
    assert_eq!(next_fire(&hb, &down), None);
}

#[test]
fn a_down_heartbeat_whose_incident_was_closed_fires_again_one_period_after_the_last_trigger() {
    let hb = nightly();
    // Resolved by a person (or held back by maintenance) while the job is still silent.
    let down = Watch {
        down_since: Some(t(26)),
        fired_at: Some(t(26)),
        incident_open: false,
        ..watching_since(0)
    };
    assert_eq!(next_fire(&hb, &down), Some(t(52)));
}

#[test]
fn a_zero_grace_fires_at_the_interval() {
    let hb = config("interval = \"1h\"\ngrace = \"0\"")
        .heartbeat("backup-nightly")
        .expect("configured")
        .clone();
    assert_eq!(deadline(&hb, &watching_since(0)), t(1));
}

#[test]
fn the_default_grace_is_a_tenth_of_the_interval() {
    let hb = config("interval = \"24h\"")
        .heartbeat("backup-nightly")
        .expect("configured")
        .clone();
    assert_eq!(hb.grace, Duration::minutes(144));
    assert_eq!(
        deadline(&hb, &watching_since(0)),
        t(26) + Duration::minutes(24)
    );
}

#[test]
fn summaries_say_how_long_it_has_been_silent_in_words() {
    let hb = nightly();
    let w = Watch {
        last_checkin: Some(t(0)),
        ..watching_since(0)
    };
    assert_eq!(
        missed_summary(&hb, &w, t(26) + Duration::minutes(30)),
        "backup-nightly has not checked in for 26 h"
    );
    assert_eq!(
        missed_summary(&hb, &watching_since(0), t(26)),
        "backup-nightly has never checked in (watched for 26 h, expected every 24 h)"
    );
    assert_eq!(
        recovered_message(&hb, &w, t(27)),
        "backup-nightly checked in again after 27 h"
    );
    let mut named = hb.clone();
    named.summary = Some("Nightly backup of db-01".to_owned());
    assert_eq!(
        missed_summary(&named, &w, t(30)),
        "Nightly backup of db-01 has not checked in for 30 h"
    );
}

#[test]
fn spans_read_as_people_say_them_and_never_overstate() {
    for (secs, text) in [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3_599, "59 min"),
        (3_600, "1 h"),
        (9_000, "2 h 30 min"),
        (36_000 + 1_800, "10 h"),
        (26 * 3_600 + 59 * 60, "26 h"),
        (71 * 3_600, "71 h"),
        (3 * 86_400, "3 d"),
        (4 * 86_400 + 6 * 3_600, "4 d 6 h"),
        (12 * 86_400 + 5 * 3_600, "12 d"),
        (-5, "0 s"),
    ] {
        assert_eq!(human_span(Duration::seconds(secs)), text, "{secs} s");
    }
}

#[test]
fn the_dedup_key_is_the_heartbeat_name_under_a_prefix() {
    assert_eq!(nightly().dedup_key().as_str(), "heartbeat:backup-nightly");
}
