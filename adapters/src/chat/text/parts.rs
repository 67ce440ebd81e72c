//! The pieces every chat line and card is built from: the severity's mark, the status, the
//! title, how long, via what, who, and how many more. Shared by the platforms' cards and storm
//! summaries too, so a duration or a list of people reads the same in a thread entry and on the
//! card above it.

use chrono::{DateTime, Utc};
use firebell_commands::{Budget, Doc, Span};
use firebell_engine::{Channel, Incident, IncidentStatus, Severity};

pub use firebell_engine::wording::duration;

use crate::chat::view::CardView;

/// 🔴 🟠 🟡 🔵, the severity at a glance.
pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::Error => "🟠",
        Severity::Warning => "🟡",
        Severity::Info => "🔵",
    }
}

/// 🚨 ✅ 🟢: an incident's status at a glance, in a storm summary's rows.
pub fn status_mark(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Triggered => "🚨",
        IncidentStatus::Acknowledged => "✅",
        IncidentStatus::Resolved => "🟢",
    }
}

/// The severity's mark while open; 🟢 once resolved, so a channel of old cards reads calm.
pub fn incident_icon(i: &Incident) -> &'static str {
    match i.status {
        IncidentStatus::Resolved => "🟢",
        _ => severity_icon(i.severity),
    }
}

/// `Critical`, `Error`, `Warning`, `Info`: the severity spelled out on a card.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Info",
    }
}

/// `🔴 Critical`: the severity field of a card.
pub fn severity_label(s: Severity) -> String {
    format!("{} {}", severity_icon(s), severity_name(s))
}

/// The status field of a card: `Triggered` / `Acknowledged by Alice Adams <when> (via Slack)` /
/// `Resolved by Bob after 1h 12m (via SMS)`. `acked_at` says when it was acknowledged the
/// platform's way (` at 03:05`, ` 5 minutes ago`).
pub fn status_line(view: &CardView, acked_at: impl Fn(DateTime<Utc>) -> Doc) -> Doc {
    let i = view.incident;
    let by = |doc: Doc, id: &Option<String>| match id.as_deref() {
        Some(id) => doc
            .text(" by ")
            .within(Budget::Name, Span::Text((view.names)(id))),
        None => doc,
    };
    match i.status {
        IncidentStatus::Triggered => Doc::new().text("Triggered"),
        IncidentStatus::Acknowledged => {
            let doc = by(Doc::new().text("Acknowledged"), &i.acknowledged_by);
            let doc = match i.acknowledged_at {
                Some(t) => doc.append(acked_at(t)),
                None => doc,
            };
            doc.text(i.acknowledged_via.map(via).unwrap_or_default())
        }
        IncidentStatus::Resolved => by(Doc::new().text("Resolved"), &i.resolved_by)
            .text(after(i, view.now))
            .text(i.resolved_via.map(via).unwrap_or_default()),
    }
}

/// The title on one line, or a placeholder when the alert had none.
pub fn title_line(title: &str) -> String {
    let line: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match line.trim() {
        "" => "(no title)".to_owned(),
        t => t.to_owned(),
    }
}

/// ` after 1h 12m`: how long the incident was open (until now if it has no resolve time).
pub fn after(i: &Incident, now: DateTime<Utc>) -> String {
    let end = i.resolved_at.unwrap_or(now);
    format!(" after {}", duration(end - i.created_at))
}

/// ` (via Slack)`; nothing for firebell's own actions.
pub fn via(c: Channel) -> String {
    let how = match c {
        Channel::Events => "events API",
        Channel::Api => "API",
        Channel::Console => "console",
        Channel::Slack => "Slack",
        Channel::Discord => "Discord",
        Channel::Sms => "SMS",
        Channel::Voice => "voice call",
        Channel::Email => "email",
        Channel::System => return String::new(),
    };
    format!(" (via {how})")
}

/// ` and 7 more` when `total` items were cut to `shown`.
pub fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" and {} more", total - shown)
    } else {
        String::new()
    }
}

/// `a, b, c and 4 more`, at most `max` long as `len` counts (the platform's way). Items are
/// already escaped.
pub fn join_capped(
    items: impl ExactSizeIterator<Item = String>,
    max: usize,
    len: fn(&str) -> usize,
) -> String {
    let total = items.len();
    let mut out = String::new();
    let mut used = 0;
    for (k, item) in items.enumerate() {
        let sep = if k == 0 { "" } else { ", " };
        let n = len(&item) + sep.len();
        // Room for " and 9999 more" if this is not the last one.
        if used + n + if k + 1 < total { 16 } else { 0 } > max {
            out.push_str(&format!(" and {} more", total - k));
            return out;
        }
        out.push_str(sep);
        out.push_str(&item);
        used += n;
    }
    out
}
