//! A decision about a mail → the event the engine ingests: the summary is the subject, the
//! source the `host` field a rule extracted (so `!maintenance db-01` covers mailed alerts too)
//! or else the sender, and the details carry the extracted fields as `custom_details` (where
//! maintenance label matchers and email pages look) plus the mail itself, bounded.

use serde_json::{Map, Value, json};

use super::mail::{Mail, truncate_chars};
use super::rules::{DecidedBy, Decision};
use crate::domain::alert::{AlertKind, NewAlert, TriggerPayload};
use crate::domain::ids::{DedupKey, ServiceName};
use crate::domain::kinds::{Actor, Channel};

/// Longest summary, as the Events API allows.
pub const SUMMARY_MAX_CHARS: usize = 1024;
/// How much of the body an incident keeps (the whole mail is not stored).
pub const BODY_EXCERPT_CHARS: usize = 4096;
/// Longest extracted field value kept.
pub const FIELD_MAX_CHARS: usize = 1024;

/// The event for `decision`, or `None` for a discard.
pub(crate) fn alert(service: &ServiceName, mail: &Mail, decision: &Decision) -> Option<NewAlert> {
    let actor = Actor::new(
        if mail.from.is_empty() {
            "email"
        } else {
            mail.from.as_str()
        },
        Channel::Email,
    );
    let (kind, by) = match decision {
        Decision::Discard(_) => return None,
        Decision::Resolve { key, by } => (
            AlertKind::Resolve {
                dedup_key: dedup_key(key),
            },
            *by,
        ),
        Decision::Trigger {
            key,
            severity,
            fields,
            by,
        } => {
            let fields: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Value::String(truncate_chars(v, FIELD_MAX_CHARS).to_owned()),
                    )
                })
                .collect();
            let source = fields
                .get("host")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| (!mail.from.is_empty()).then(|| mail.from.clone()));
            let payload = TriggerPayload {
                summary: summary(mail),
                source,
                severity: *severity,
                timestamp: mail.date,
                details: json!({
                    "custom_details": fields,
                    "email": email_details(mail),
                }),
            };
            (
                AlertKind::Trigger {
                    dedup_key: Some(dedup_key(key)),
                    payload,
                },
                *by,
            )
        }
    };
    Some(NewAlert {
        service: service.clone(),
        kind,
        actor,
        raw: json!({
            "from": mail.from,
            "subject": mail.subject,
            "message_id": mail.message_id,
            "decided_by": decided_by(by),
        }),
    })
}

/// The subject, or a stand-in that says where the mail came from.
pub fn summary(mail: &Mail) -> String {
    let subject = mail.subject.trim();
    if subject.is_empty() {
        match mail.from.as_str() {
            "" => "(no subject)".to_owned(),
            from => format!("(no subject) from {from}"),
        }
    } else {
        truncate_chars(subject, SUMMARY_MAX_CHARS).to_owned()
    }
}

/// How the decision was reached, in the words of the mail log.
pub fn decided_by(by: DecidedBy) -> String {
    match by {
        DecidedBy::Rule(n) => format!("rule {n}"),
        DecidedBy::Default => "default".to_owned(),
        DecidedBy::Fallback => "fallback".to_owned(),
    }
}

fn email_details(mail: &Mail) -> Value {
    let body = mail.body.trim();
    let excerpt = truncate_chars(body, BODY_EXCERPT_CHARS);
    json!({
        "from": mail.from,
        "from_name": mail.from_name,
        "subject": mail.subject,
        "message_id": mail.message_id,
        "body": excerpt,
        "body_truncated": excerpt.len() < body.len(),
    })
}

/// Keys come from [`super::subject::default_key`] or an extractor, both non-empty and cut to the
/// limit; the fallback only guards that invariant.
fn dedup_key(key: &str) -> DedupKey {
    DedupKey::parse(key).unwrap_or_else(|_| DedupKey::generate())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::kinds::Severity;

    fn mail() -> Mail {
        Mail {
            subject: "PROBLEM: disk full".to_owned(),
            body: format!("Host: db-01\n{}", "x".repeat(10_000)),
            from: "nagios@mon.example.com".to_owned(),
            from_name: Some("Nagios".to_owned()),
            message_id: Some("<1@mon>".to_owned()),
            date: None,
        }
    }

    fn trigger(fields: &[(&str, &str)]) -> Decision {
        Decision::Trigger {
            key: "disk full".to_owned(),
            severity: Severity::Warning,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            by: DecidedBy::Rule(2),
        }
    }

    #[test]
    fn a_trigger_carries_the_subject_fields_and_a_bounded_body() {
        let service = ServiceName::new("db");
        let a = alert(&service, &mail(), &trigger(&[("free", "0%")])).expect("an event");
        assert_eq!(
            a.actor,
            Actor::new("nagios@mon.example.com", Channel::Email)
        );
        assert_eq!(a.raw["decided_by"], "rule 2");
        let AlertKind::Trigger { dedup_key, payload } = a.kind else {
            panic!("not a trigger")
        };
        assert_eq!(dedup_key.unwrap().as_str(), "disk full");
        assert_eq!(payload.summary, "PROBLEM: disk full");
        assert_eq!(payload.severity, Severity::Warning);
        assert_eq!(payload.source.as_deref(), Some("nagios@mon.example.com"));
        assert_eq!(payload.details["custom_details"]["free"], "0%");
        let body = payload.details["email"]["body"].as_str().unwrap();
        assert_eq!(body.chars().count(), BODY_EXCERPT_CHARS);
        assert_eq!(payload.details["email"]["body_truncated"], true);
        assert_eq!(payload.details["email"]["from_name"], "Nagios");
    }

    #[test]
    fn an_extracted_host_becomes_the_source() {
        let a = alert(
            &ServiceName::new("db"),
            &mail(),
            &trigger(&[("host", "db-01")]),
        )
        .unwrap();
        let AlertKind::Trigger { payload, .. } = a.kind else {
            panic!("not a trigger")
        };
        assert_eq!(payload.source.as_deref(), Some("db-01"));
    }

    #[test]
    fn a_resolve_names_the_key_and_a_discard_is_no_event() {
        let service = ServiceName::new("db");
        let r = Decision::Resolve {
            key: "disk full".to_owned(),
            by: DecidedBy::Default,
        };
        let a = alert(&service, &mail(), &r).unwrap();
        assert!(
            matches!(a.kind, AlertKind::Resolve { ref dedup_key } if dedup_key.as_str() == "disk full")
        );
        let d = Decision::Discard(super::super::rules::Discard::Filter);
        assert!(alert(&service, &mail(), &d).is_none());
    }

    #[test]
    fn a_mail_without_subject_says_who_sent_it() {
        let mut m = mail();
        m.subject = String::new();
        assert_eq!(summary(&m), "(no subject) from nagios@mon.example.com");
        m.from = String::new();
        assert_eq!(summary(&m), "(no subject)");
    }
}
