//! Predicates over a mail's parts — `contains`, `exactly`, `regex`, `not` — and conditions that
//! combine them (all of, any of). Used by a service's email filter and by each parsing rule.
//!
//! Matching is case-sensitive, as monitors write the same words the same way every time; a
//! regex can opt out with `(?i)`. `exactly` compares against the part with surrounding
//! whitespace trimmed.

use regex::Regex;

use super::mail::{Mail, Part};

/// How a part's text is tested.
#[derive(Debug, Clone)]
pub enum Matcher {
    Contains(String),
    Exactly(String),
    Regex(Regex),
    Not(Box<Matcher>),
}

impl Matcher {
    pub fn matches(&self, text: &str) -> bool {
        match self {
            Matcher::Contains(needle) => text.contains(needle.as_str()),
            Matcher::Exactly(value) => text.trim() == value,
            Matcher::Regex(re) => re.is_match(text),
            Matcher::Not(inner) => !inner.matches(text),
        }
    }
}

/// One test on one part: `{ part = "subject", contains = "PROBLEM" }`.
#[derive(Debug, Clone)]
pub struct Predicate {
    pub part: Part,
    pub matcher: Matcher,
}

impl Predicate {
    pub fn holds(&self, mail: &Mail) -> bool {
        self.matcher.matches(mail.part(self.part))
    }
}

/// Predicates combined: every one must hold (`match = [...]`) or at least one
/// (`match_any = [...]`). Never empty: the config refuses a condition without predicates.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
}

impl Condition {
    pub fn holds(&self, mail: &Mail) -> bool {
        match self {
            Condition::All(ps) => ps.iter().all(|p| p.holds(mail)),
            Condition::Any(ps) => ps.iter().any(|p| p.holds(mail)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            subject: "PROBLEM: disk full on db-01".to_owned(),
            body: "Host: db-01\nFree: 0%\n".to_owned(),
            from: "nagios@mon.example.com".to_owned(),
            ..Mail::default()
        }
    }

    fn p(part: Part, matcher: Matcher) -> Predicate {
        Predicate { part, matcher }
    }

    #[test]
    fn each_matcher_tests_the_text_it_names() {
        let cases: Vec<(Matcher, &str, bool)> = vec![
            (Matcher::Contains("disk".into()), "PROBLEM: disk full", true),
            (
                Matcher::Contains("Disk".into()),
                "PROBLEM: disk full",
                false,
            ),
            (Matcher::Exactly("db-01".into()), "  db-01\n", true),
            (Matcher::Exactly("db-01".into()), "db-012", false),
            (
                Matcher::Regex(Regex::new(r"^PROBLEM\b").unwrap()),
                "PROBLEM: x",
                true,
            ),
            (
                Matcher::Regex(Regex::new(r"(?i)^problem").unwrap()),
                "Problem: x",
                true,
            ),
            (
                Matcher::Regex(Regex::new(r"^RECOVERY").unwrap()),
                "PROBLEM: x",
                false,
            ),
            (
                Matcher::Not(Box::new(Matcher::Contains("test".into()))),
                "a test mail",
                false,
            ),
            (
                Matcher::Not(Box::new(Matcher::Contains("test".into()))),
                "real outage",
                true,
            ),
        ];
        for (m, text, want) in cases {
            assert_eq!(m.matches(text), want, "{m:?} on {text:?}");
        }
    }

    #[test]
    fn a_predicate_looks_only_at_its_part() {
        let m = mail();
        assert!(p(Part::Body, Matcher::Contains("Host: db-01".into())).holds(&m));
        assert!(!p(Part::Subject, Matcher::Contains("Host: db-01".into())).holds(&m));
        assert!(
            p(
                Part::From,
                Matcher::Exactly("nagios@mon.example.com".into())
            )
            .holds(&m)
        );
    }

    #[test]
    fn all_needs_every_predicate_and_any_needs_one() {
        let m = mail();
        let yes = || p(Part::Subject, Matcher::Contains("PROBLEM".into()));
        let no = || p(Part::From, Matcher::Contains("zabbix".into()));
        assert!(Condition::All(vec![yes(), yes()]).holds(&m));
        assert!(!Condition::All(vec![yes(), no()]).holds(&m));
        assert!(Condition::Any(vec![no(), yes()]).holds(&m));
        assert!(!Condition::Any(vec![no(), no()]).holds(&m));
    }
}
