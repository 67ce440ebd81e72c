//! The body of `POST /v2/alerts`, checked field by field: every problem is reported at once,
//! keyed by its field, with what would be right.
//!
//! `message` becomes the incident's title, `alias` its dedup key, `priority` its severity (P1
//! critical, P2 error, P3 warning — Opsgenie's default —, P4 and P5 info) and `source` its
//! source; `description`, `tags`, `details`, `entity` and the fields firebell does not route by
//! (`responders`, `visibleTo`, `actions`, `note`, `user`) are kept in the incident's details.

use firebell_engine::{AlertKind, DedupKey, Severity, TriggerPayload};
use serde_json::{Map, Value};

use super::super::events_v2::SUMMARY_MAX;

/// Opsgenie's own limits where they are looser than nothing.
const DESCRIPTION_MAX: usize = 15_000;
const ENTITY_MAX: usize = 512;
const TAG_MAX: usize = 50;
const TAGS_MAX: usize = 20;
const DETAILS_MAX: usize = 8_000;

/// Kept as given in the incident's details.
const KEPT: &[&str] = &["responders", "visibleTo", "actions", "note", "user"];

/// A trigger for the alert, or every problem found, by field.
pub(super) fn parse(raw: &Map<String, Value>) -> Result<AlertKind, Map<String, Value>> {
    let mut errors = Map::new();
    let message = text(raw, "message", SUMMARY_MAX, &mut errors);
    if message.is_none() && !errors.contains_key("message") {
        errors.insert(
            "message".into(),
            "is required: the alert's one-line text, e.g. \"Disk full on db-01\"".into(),
        );
    }
    let alias =
        text(raw, "alias", DedupKey::MAX_LEN, &mut errors).and_then(|a| DedupKey::parse(a).ok());
    let source = text(raw, "source", SUMMARY_MAX, &mut errors);
    let description = text(raw, "description", DESCRIPTION_MAX, &mut errors);
    let entity = text(raw, "entity", ENTITY_MAX, &mut errors);
    let severity = priority(raw, &mut errors);
    let tags = tags(raw, &mut errors);
    let fields = details(raw, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut kept = Map::new();
    let mut keep = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            kept.insert(k.to_owned(), v);
        }
    };
    keep("description", description.map(Value::String));
    keep("entity", entity.map(Value::String));
    keep("tags", tags);
    keep("details", fields);
    keep("priority", raw.get("priority").cloned());
    for k in KEPT {
        keep(k, raw.get(*k).cloned());
    }
    Ok(AlertKind::Trigger {
        dedup_key: alias,
        payload: TriggerPayload {
            summary: message.unwrap_or_default(),
            source,
            severity,
            timestamp: None,
            details: Value::Object(kept),
        },
    })
}

/// An optional string field, trimmed; empty counts as absent.
fn text(
    raw: &Map<String, Value>,
    key: &str,
    max: usize,
    errors: &mut Map<String, Value>,
) -> Option<String> {
    match raw.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.trim().chars().count() > max => {
            errors.insert(
                key.into(),
                format!(
                    "is {} characters long; the limit is {max}",
                    s.trim().chars().count()
                )
                .into(),
            );
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.insert(key.into(), "must be a string".into());
            None
        }
    }
}

fn priority(raw: &Map<String, Value>, errors: &mut Map<String, Value>) -> Severity {
    match raw.get("priority") {
        None | Some(Value::Null) => Severity::Warning,
        Some(Value::String(p)) => match p.as_str() {
            "P1" => Severity::Critical,
            "P2" => Severity::Error,
            "P3" | "" => Severity::Warning,
            "P4" | "P5" => Severity::Info,
            other => {
                errors.insert(
                    "priority".into(),
                    format!(
                        "`{}` is not a priority: use P1, P2, P3, P4 or P5",
                        super::reply::shown(other)
                    )
                    .into(),
                );
                Severity::Warning
            }
        },
        Some(_) => {
            errors.insert(
                "priority".into(),
                "must be a string: P1, P2, P3, P4 or P5".into(),
            );
            Severity::Warning
        }
    }
}

/// `tags`: at most 20 strings of at most 50 characters.
fn tags(raw: &Map<String, Value>, errors: &mut Map<String, Value>) -> Option<Value> {
    let v = raw.get("tags").filter(|v| !v.is_null())?;
    let ok = v.as_array().is_some_and(|a| {
        a.len() <= TAGS_MAX
            && a.iter()
                .all(|t| t.as_str().is_some_and(|s| s.chars().count() <= TAG_MAX))
    });
    if ok {
        Some(v.clone())
    } else {
        errors.insert(
            "tags".into(),
            format!("must be an array of at most {TAGS_MAX} strings of at most {TAG_MAX} characters, e.g. [\"disk\", \"db\"]").into(),
        );
        None
    }
}

/// `details`: an object of string values, at most 8,000 characters in all.
fn details(raw: &Map<String, Value>, errors: &mut Map<String, Value>) -> Option<Value> {
    let v = raw.get("details").filter(|v| !v.is_null())?;
    let ok = v.as_object().is_some_and(|m| {
        m.values().all(Value::is_string)
            && m.iter()
                .map(|(k, v)| k.chars().count() + v.as_str().map_or(0, |s| s.chars().count()))
                .sum::<usize>()
                <= DETAILS_MAX
    });
    if ok {
        Some(v.clone())
    } else {
        errors.insert(
            "details".into(),
            format!("must be an object of string values, at most {DETAILS_MAX} characters in all, e.g. {{\"disk\": \"/var\"}}").into(),
        );
        None
    }
}
