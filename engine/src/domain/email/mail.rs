//! A received mail as the rules see it: already decoded (MIME, transfer encodings, charsets,
//! RFC 2047 encoded words) by the adapter that received it, so rules match what a person reads.

use chrono::{DateTime, Utc};

/// The part of a mail a predicate or extractor looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    Body,
    /// The sender's address, lowercased.
    From,
}

impl Part {
    /// The names written in the config, for "use one of" messages.
    pub const NAMES: &'static [&'static str] = &["subject", "body", "from"];

    pub fn parse(s: &str) -> Option<Part> {
        match s {
            "subject" => Some(Part::Subject),
            "body" => Some(Part::Body),
            "from" => Some(Part::From),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Body => "body",
            Part::From => "from",
        }
    }
}

/// One mail, decoded. Bounded by the adapter (the body is at most [`Mail::BODY_MAX_CHARS`]), so
/// rules never run over an unbounded text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mail {
    /// Decoded, runs of whitespace folded to one space; empty when the mail has none.
    pub subject: String,
    /// Plain text; an HTML-only mail is rendered to text first.
    pub body: String,
    /// The address in `From:` (else the envelope sender), lowercased; empty when there is none.
    pub from: String,
    /// The display name in `From:` (`Cron Daemon`), when given.
    pub from_name: Option<String>,
    pub message_id: Option<String>,
    /// The `Date:` header, when it parses.
    pub date: Option<DateTime<Utc>>,
}

impl Mail {
    /// The longest body rules look at; the rest of a huge text body is not matched against.
    pub const BODY_MAX_CHARS: usize = 256 * 1024;

    pub fn part(&self, part: Part) -> &str {
        match part {
            Part::Subject => &self.subject,
            Part::Body => &self.body,
            Part::From => &self.from,
        }
    }
}

/// `s` cut to at most `max` characters (never inside a character).
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_parse_from_their_config_names_only() {
        for name in Part::NAMES {
            assert_eq!(Part::parse(name).map(Part::as_str), Some(*name));
        }
        assert_eq!(Part::parse("Subject"), None);
        assert_eq!(Part::parse("to"), None);
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
        assert_eq!(truncate_chars("", 0), "");
    }
}
