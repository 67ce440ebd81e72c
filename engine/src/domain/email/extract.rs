//! Pulling a value out of a mail: the incident key, or an extra field for the incident's details.
//!
//! - `{ part = "subject" }`: the whole part, trimmed.
//! - `{ part = "subject", regex = "Host: (\\S+)" }`: the first capture group, or the whole match
//!   when the regex has no group.
//! - `{ part = "subject", between = ["Host: ", " is"] }`: the text after the first `Host: ` up to
//!   the next ` is`; an empty end means "to the end of that line".
//!
//! A value is trimmed; an empty one counts as not found.

use regex::Regex;

use super::mail::{Mail, Part};

#[derive(Debug, Clone)]
pub enum How {
    Whole,
    Regex(Regex),
    Between { start: String, end: String },
}

#[derive(Debug, Clone)]
pub struct Extractor {
    pub part: Part,
    pub how: How,
}

impl Extractor {
    pub fn extract(&self, mail: &Mail) -> Option<String> {
        let text = mail.part(self.part);
        let found = match &self.how {
            How::Whole => Some(text),
            How::Regex(re) => re
                .captures(text)
                .and_then(|c| c.get(1).or_else(|| c.get(0)))
                .map(|m| m.as_str()),
            How::Between { start, end } => between(text, start, end),
        };
        found
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    if end.is_empty() {
        return Some(rest.lines().next().unwrap_or(""));
    }
    rest.find(end).map(|to| &rest[..to])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            subject: "** PROBLEM Service Alert: web-01/HTTP is CRITICAL **".to_owned(),
            body: "Host: web-01\nState: CRITICAL\nInfo: connection refused\n".to_owned(),
            from: "nagios@mon.example.com".to_owned(),
            ..Mail::default()
        }
    }

    fn x(part: Part, how: How) -> Option<String> {
        Extractor { part, how }.extract(&mail())
    }

    #[test]
    fn regex_takes_the_first_group_or_the_whole_match() {
        let group = Regex::new(r"Host: (\S+)").unwrap();
        assert_eq!(x(Part::Body, How::Regex(group)).as_deref(), Some("web-01"));
        let whole = Regex::new(r"web-\d+").unwrap();
        assert_eq!(x(Part::Body, How::Regex(whole)).as_deref(), Some("web-01"));
        let none = Regex::new(r"Disk: (\S+)").unwrap();
        assert_eq!(x(Part::Body, How::Regex(none)), None);
        let optional = Regex::new(r"State: (WARN)?").unwrap();
        assert_eq!(
            x(Part::Body, How::Regex(optional)).as_deref(),
            Some("State:"),
            "a group that did not take part falls back to the whole match"
        );
    }

    #[test]
    fn between_takes_the_text_between_two_markers() {
        let how = |s: &str, e: &str| How::Between {
            start: s.to_owned(),
            end: e.to_owned(),
        };
        assert_eq!(
            x(Part::Subject, how("Alert: ", " is ")).as_deref(),
            Some("web-01/HTTP")
        );
        assert_eq!(
            x(Part::Body, how("Info:", "")).as_deref(),
            Some("connection refused"),
            "an empty end runs to the end of the line"
        );
        assert_eq!(x(Part::Subject, how("Host: ", " is")), None);
        assert_eq!(x(Part::Subject, how("Alert: ", "never")), None);
    }

    #[test]
    fn whole_is_the_trimmed_part_and_empty_is_not_found() {
        assert_eq!(
            x(Part::From, How::Whole).as_deref(),
            Some("nagios@mon.example.com")
        );
        let empty = Mail::default();
        let e = Extractor {
            part: Part::Subject,
            how: How::Whole,
        };
        assert_eq!(e.extract(&empty), None);
    }
}
