//! What a page or status notice email says: a subject that sorts and filters well
//! (`[firebell] #42 CRITICAL web: disk full`) and a plain-text body with the incident's facts and
//! how to act on it from chat. Pure functions over the incident, so tested without SMTP. The
//! subjects are built from the same documents as a text's ([`crate::plain`]); the bodies are
//! worded for a mail client (facts in columns, commands to copy) and stay strings.

use std::collections::HashMap;

use firebell_engine::Incident;
use firebell_engine::kinds::{Actor, IncidentStatus, Urgency};

use firebell_commands::{Budget, Doc, Span};

use crate::plain::{self, page_head, status_notice, status_words};
use crate::telephony::text::{clean, display_name, truncate};

/// Subjects longer than this are folded or cut by mail clients anyway.
const SUBJECT_TITLE_MAX_CHARS: usize = 150;
/// Custom details beyond this are for the web UI, not an email.
const DETAILS_MAX_CHARS: usize = 4000;

/// `[firebell] #42 CRITICAL web: disk full`.
pub fn page_subject(i: &Incident) -> String {
    let doc = Doc::new()
        .text("[firebell] ")
        .append(page_head(i.number, i.severity, i.service.as_str()))
        .span(title(i));
    plain::render(&doc)
}

/// `[firebell] #42 acknowledged by Bob Brown (web: disk full)`.
pub fn notice_subject(
    i: &Incident,
    status: IncidentStatus,
    actor: &Actor,
    names: &HashMap<String, String>,
) -> String {
    let doc = Doc::new()
        .text("[firebell] ")
        .append(status_notice(i.number, status, &display_name(actor, names)))
        .text(format!(" ({}: ", i.service))
        .span(title(i))
        .text(")");
    plain::render(&doc)
}

/// The title in a subject: one line, cut to what a mail client shows.
fn title(i: &Incident) -> Span {
    Span::Within(
        Budget::Chars(SUBJECT_TITLE_MAX_CHARS),
        Box::new(Span::Text(i.title.clone())),
    )
}

/// The body of a page.
pub fn page_body(i: &Incident, person: &str, level: u32, urgency: Urgency) -> String {
    let n = i.number.get();
    let mut out = format!(
        "{person}, you are paged for incident {} (level {level}, {urgency} urgency).\n\n",
        i.number
    );
    out.push_str(&facts(i));
    out.push_str(&format!(
        "\nTo acknowledge, reply in chat: !ack {n}\n\
         To resolve:                    !resolve {n}\n\
         To escalate:                   !escalate {n}\n\
         \n\
         Replying to this email does nothing.\n"
    ));
    out
}

/// The body of a status notice.
pub fn notice_body(
    i: &Incident,
    status: IncidentStatus,
    actor: &Actor,
    names: &HashMap<String, String>,
) -> String {
    let mut out = format!(
        "Incident {} was {} by {} (via {}).\n\n",
        i.number,
        status_words(status),
        clean(&display_name(actor, names)),
        actor.channel
    );
    out.push_str(&facts(i));
    if i.is_open() {
        out.push_str(&format!(
            "\nTo resolve, reply in chat: !resolve {}\n",
            i.number.get()
        ));
    }
    out
}

/// The incident's facts, one per line.
fn facts(i: &Incident) -> String {
    let mut lines = vec![
        ("Service", i.service.to_string()),
        ("Title", clean(&i.title)),
        ("Severity", i.severity.to_string()),
        ("Status", i.status.to_string()),
        (
            "Opened",
            i.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        ("Alerts", i.alert_count.to_string()),
    ];
    if let Some(source) = &i.source {
        lines.push(("Source", clean(source)));
    }
    if let Some(by) = &i.acknowledged_by {
        lines.push(("Acked by", clean(by)));
    }
    if let Some(by) = &i.resolved_by {
        lines.push(("Resolved by", clean(by)));
    }
    let mut out = String::new();
    for (k, v) in lines {
        out.push_str(&format!("{:<12} {v}\n", format!("{k}:")));
    }
    if let Some(details) = details(&i.details) {
        out.push_str("\nDetails:\n");
        out.push_str(&details);
        out.push('\n');
    }
    out
}

/// The custom details, pretty-printed and capped; `None` when there are none.
fn details(v: &serde_json::Value) -> Option<String> {
    let d = v.get("custom_details").unwrap_or(v);
    let empty = d.is_null() || d.as_object().is_some_and(|o| o.is_empty());
    if empty {
        return None;
    }
    let text = serde_json::to_string_pretty(d).ok()?;
    let safe: String = text
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    Some(truncate(&safe, DETAILS_MAX_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_are_pretty_printed_and_empty_ones_skipped() {
        assert_eq!(details(&json!({})), None);
        assert_eq!(details(&json!(null)), None);
        assert_eq!(details(&json!({"custom_details": {}})), None);
        assert_eq!(
            details(&json!({"custom_details": {"free": "3%"}})).unwrap(),
            "{\n  \"free\": \"3%\"\n}"
        );
        let huge = json!({"custom_details": {"log": "x".repeat(10_000)}});
        assert!(details(&huge).unwrap().chars().count() <= DETAILS_MAX_CHARS);
    }
}
