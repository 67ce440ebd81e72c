//! The built-in behaviour for mail without rules: one incident per distinct subject, and a
//! subject starting with `RESOLVED`, `OK` or `RECOVERY` resolves the incident its problem mail
//! opened.
//!
//! Pairing works by stripping the status word both mails lead with (`PROBLEM`, `ALERT`,
//! `FIRING` on one side; `RESOLVED`, `OK`, `RECOVERY` on the other), with an optional `:` or
//! `-` after it, optional brackets with an alert count (`[FIRING:2]`, Alertmanager's mail
//! template) and Zabbix's `Resolved in 5m 0s:`. What is left, whitespace folded and lowercased,
//! is the key.

use std::sync::LazyLock;

use regex::Regex;

use super::mail::truncate_chars;
use crate::domain::ids::DedupKey;

/// What the subject's leading status word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Problem,
    Recovery,
}

static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[\s*]*\[?\s*(resolved|recovery|recovered|ok|problem|alert|firing)\b(?:\s+in\s+[0-9][^:\]]*|:\d+)?\s*\]?\s*[:\-]?\s*",
    )
    .expect("a valid regex")
});

/// The subject's status word, and the subject without it.
pub fn split_status(subject: &str) -> (Option<Status>, &str) {
    let Some(c) = STATUS.captures(subject) else {
        return (None, subject);
    };
    let word = c.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
    let status = match word.as_str() {
        "resolved" | "recovery" | "recovered" | "ok" => Status::Recovery,
        _ => Status::Problem,
    };
    let rest = &subject[c.get(0).map_or(0, |m| m.end())..];
    (Some(status), rest)
}

/// Does the subject announce a recovery?
pub fn is_recovery(subject: &str) -> bool {
    split_status(subject).0 == Some(Status::Recovery)
}

/// The dedup key for a subject: status word stripped, whitespace folded, lowercased, at most
/// [`DedupKey::MAX_LEN`] characters; `(no subject)` when nothing is left.
pub fn default_key(subject: &str) -> String {
    let (_, rest) = split_status(subject);
    let folded = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = folded.to_lowercase();
    if key.is_empty() {
        return "(no subject)".to_owned();
    }
    truncate_chars(&key, DedupKey::MAX_LEN).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_and_recovery_subjects_share_a_key() {
        let pairs = [
            (
                "PROBLEM: disk full on db-01",
                "RESOLVED: disk full on db-01",
            ),
            (
                "Problem: Disk space is low on db-01",
                "Resolved: Disk space is low on db-01",
            ),
            (
                "Problem: Disk space is low on db-01",
                "Resolved in 1h 5m 0s: Disk space is low on db-01",
            ),
            ("ALERT - backup failed", "OK - backup failed"),
            ("FIRING backup failed", "Recovery: backup failed"),
            (
                "[FIRING:2] InstanceDown (web-01 node)",
                "[RESOLVED] InstanceDown (web-01 node)",
            ),
            ("disk full   on\tdb-01", "ok:Disk full on db-01"),
        ];
        for (problem, recovery) in pairs {
            assert!(!is_recovery(problem), "{problem}");
            assert!(is_recovery(recovery), "{recovery}");
            assert_eq!(
                default_key(problem),
                default_key(recovery),
                "{problem} / {recovery}"
            );
        }
        assert_eq!(
            default_key("PROBLEM: disk full on db-01"),
            "disk full on db-01"
        );
    }

    #[test]
    fn only_a_whole_leading_word_is_a_status() {
        for subject in [
            "OKAY to deploy",
            "Alerting rules changed",
            "Backup OK",
            "Resolver broken",
        ] {
            assert!(!is_recovery(subject), "{subject}");
            assert_eq!(split_status(subject).1, subject, "{subject}");
        }
        assert_eq!(split_status("ok"), (Some(Status::Recovery), ""));
    }

    #[test]
    fn an_empty_or_status_only_subject_gets_a_fixed_key() {
        assert_eq!(default_key(""), "(no subject)");
        assert_eq!(default_key("  RESOLVED: "), "(no subject)");
    }

    #[test]
    fn a_long_subject_is_cut_to_the_dedup_key_limit() {
        let key = default_key(&"é".repeat(400));
        assert_eq!(key.chars().count(), DedupKey::MAX_LEN);
        assert!(DedupKey::parse(key).is_ok());
    }
}
