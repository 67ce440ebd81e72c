//! Durations people type: `30m`, `1h`, `2h30m`, `1d`, in chat (`!maintenance web-01 2h`,
//! `!override primary 1h`) and in the config file (`ack_timeout = "30m"`). Parsing is humantime's;
//! this type adds the bounds each use needs and errors that say what would be right.

use std::fmt;

use crate::domain::error::UserError;

/// A positive duration within the bounds of the place it was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(chrono::Duration);

const EXAMPLES: &str = "try 30m, 1h, 2h30m or 1d";

impl HumanDuration {
    /// Parses `text`; refuses zero, anything under a minute, and anything over `max`.
    pub fn parse(text: &str, max: chrono::Duration) -> Result<Self, UserError> {
        let text = text.trim();
        let std = humantime::parse_duration(text)
            .map_err(|_| UserError::new(format!("unknown duration `{text}` — {EXAMPLES}")))?;
        let d = chrono::Duration::from_std(std)
            .map_err(|_| UserError::new(format!("duration `{text}` is too long")))?;
        if d < chrono::Duration::minutes(1) {
            return Err(UserError::new(format!(
                "duration `{text}` is shorter than a minute — {EXAMPLES}"
            )));
        }
        if d > max {
            return Err(UserError::new(format!(
                "duration `{text}` is longer than the maximum of {}",
                Self(max)
            )));
        }
        Ok(Self(d))
    }

    pub fn from_minutes(m: i64) -> Self {
        Self(chrono::Duration::minutes(m))
    }

    pub fn get(self) -> chrono::Duration {
        self.0
    }
}

/// Compact form, largest units first: `1d`, `2h30m`, `45m`.
impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut mins = self.0.num_minutes();
        let days = mins / 1440;
        mins %= 1440;
        let (hours, mins) = (mins / 60, mins % 60);
        let mut out = String::new();
        if days > 0 {
            out.push_str(&format!("{days}d"));
        }
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if mins > 0 || out.is_empty() {
            out.push_str(&format!("{mins}m"));
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week() -> chrono::Duration {
        chrono::Duration::days(7)
    }

    #[test]
    fn accepts_the_forms_people_type() {
        for (text, minutes) in [
            ("30m", 30),
            ("1h", 60),
            ("2h30m", 150),
            ("2h 30m", 150),
            ("1d", 1440),
            ("90min", 90),
        ] {
            let d = HumanDuration::parse(text, week()).unwrap();
            assert_eq!(d.get().num_minutes(), minutes, "{text}");
        }
    }

    #[test]
    fn rejects_unknown_units_zero_and_too_long_with_a_hint() {
        let e = HumanDuration::parse("1x", week()).unwrap_err();
        assert_eq!(
            e.message(),
            "unknown duration `1x` — try 30m, 1h, 2h30m or 1d"
        );
        assert!(
            HumanDuration::parse("0m", week())
                .unwrap_err()
                .message()
                .contains("shorter than a minute")
        );
        assert!(HumanDuration::parse("", week()).is_err());
        let e = HumanDuration::parse("8d", week()).unwrap_err();
        assert_eq!(
            e.message(),
            "duration `8d` is longer than the maximum of 7d"
        );
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(HumanDuration::from_minutes(150).to_string(), "2h30m");
        assert_eq!(HumanDuration::from_minutes(1440 + 60).to_string(), "1d1h");
        assert_eq!(HumanDuration::from_minutes(5).to_string(), "5m");
    }
}
