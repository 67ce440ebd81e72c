//! `[schedules.NAME]`: a valid schedule becomes a working calculator; each mistake names its line.

use super::*;
use crate::domain::schedule::{Rotation, on_call_at};

const SCHEDULE: &str = r#"
[schedules.primary]
timezone = "Europe/Berlin"

[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-03-02T09:00"

[[schedules.primary.layers]]
users = ["carol"]
rotation = "1d"
start = "2026-03-02T00:00"
restrictions = [{ days = ["sat", "sun"], start = "10:00", end = "18:00" }]
"#;

fn with_schedule(s: &str) -> String {
    format!("{VALID}\n{s}")
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("rfc3339")
        .to_utc()
}

#[test]
fn a_valid_schedule_becomes_a_working_calculator() {
    let config = parse(&with_schedule(SCHEDULE)).expect("valid");
    let s = &config.schedules["primary"];
    assert_eq!(s.time_zone, chrono_tz::Europe::Berlin);
    assert_eq!(s.layers.len(), 2);
    assert_eq!(s.layers[0].rotation, Rotation::Weeks(1));
    let who = |t: &str| on_call_at(s, &[], at(t)).map(|u| u.as_str().to_owned());
    assert_eq!(
        who("2026-03-03T12:00:00Z").as_deref(),
        Some("alice"),
        "a Tuesday in week one"
    );
    assert_eq!(
        who("2026-03-07T12:00:00Z").as_deref(),
        Some("carol"),
        "Saturday 13:00: the weekend layer"
    );
    assert_eq!(
        who("2026-03-07T18:00:00Z").as_deref(),
        Some("alice"),
        "Saturday 19:00: back to the base layer"
    );
}

#[test]
fn each_schedule_mistake_is_reported_at_its_line_with_what_would_be_valid() {
    let cases = [
        (
            "timezone = \"Europe/Berlin\"",
            "timezone = \"Mars/Base\"",
            "schedules.primary.timezone",
            "unknown time zone `Mars/Base`",
        ),
        (
            "users = [\"alice\", \"bob\"]",
            "users = [\"alice\", \"zed\"]",
            "schedules.primary.layers[0].users",
            "unknown user `zed` — defined users: alice, bob, carol",
        ),
        (
            "rotation = \"1w\"",
            "rotation = \"1 week\"",
            "schedules.primary.layers[0].rotation",
            "`1 week` is not a rotation length",
        ),
        (
            "start = \"2026-03-02T09:00\"",
            "start = \"next monday\"",
            "schedules.primary.layers[0].start",
            "like `2026-03-02T09:00`",
        ),
        (
            "days = [\"sat\", \"sun\"]",
            "days = [\"sat\", \"sunday-ish\"]",
            "schedules.primary.layers[1].restrictions[0].days",
            "`sunday-ish` is not a weekday",
        ),
        (
            "start = \"10:00\"",
            "start = \"10am\"",
            "schedules.primary.layers[1].restrictions[0].start",
            "`10am` is not a time of day",
        ),
    ];
    for (from, to, key, message) in cases {
        let text = with_schedule(&SCHEDULE.replacen(from, to, 1));
        let err = only_error(&text);
        assert_eq!(err.key, key, "{to}");
        assert!(err.message.contains(message), "{to}: {}", err.message);
        assert_eq!(
            err.line,
            line_of(&text, to.split(" = ").nth(1).unwrap_or(to)),
            "{to}: reported at the value's line"
        );
    }
}

#[test]
fn a_schedule_without_layers_is_an_error() {
    let text = with_schedule("[schedules.empty]\ntimezone = \"UTC\"\nlayers = []\n");
    let err = only_error(&text);
    assert_eq!(err.key, "schedules.empty.layers");
    assert_eq!(err.message, "a schedule needs at least one layer");
}
