//! How firebell names people and spans of time for a reader, one way each, so the same person or
//! the same hour reads alike in a chat card, a command reply, a timeline note and a postmortem.
//!
//! Formatters whose output differs on purpose (and is asserted by tests) stay where they are:
//! `HumanDuration`'s compact `2h30m` (what people type back), `heartbeats::human_span`'s
//! `2 h 30 min`, the incident list's `, 3 min ago`, and the reports' `4m 30s`.

use crate::config::{Config, User};

/// `Alice Adams (alice)`: a configured user's name with the id commands take.
pub fn user(u: &User) -> String {
    format!("{} ({})", u.name, u.id)
}

/// [`user`] for the user `id`, or the bare id for someone no longer in the config.
pub fn person(config: &Config, id: &str) -> String {
    config.user(id).map_or_else(|| id.to_owned(), user)
}

/// `45s`, `12m`, `1h`, `1h 12m`, `2d`, `2d 3h`: how long, to the two units that matter,
/// rounded down (a negative span reads as `0s`).
pub fn duration(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, mins) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{mins}m"),
        3600..=86_399 if mins == 0 => format!("{hours}h"),
        3600..=86_399 => format!("{hours}h {mins}m"),
        _ if hours == 0 => format!("{days}d"),
        _ => format!("{days}d {hours}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn durations_keep_the_two_largest_units_rounded_down() {
        let cases = [
            (Duration::seconds(-5), "0s"),
            (Duration::seconds(45), "45s"),
            (Duration::seconds(119), "1m"),
            (Duration::minutes(60), "1h"),
            (Duration::seconds(3 * 3600 + 30), "3h"),
            (Duration::minutes(72), "1h 12m"),
            (Duration::hours(48), "2d"),
            (Duration::hours(51) + Duration::minutes(59), "2d 3h"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d), want, "{d}");
        }
    }
}
