//! Incident cards, updates and command replies as terminal text. Pure functions of their inputs;
//! every alert-supplied string goes through [`sanitize`](super::sanitize) here.

use firebell_commands::{Reply, Tone};
use firebell_engine::notify::{Notification, Outgoing};
use firebell_engine::{Incident, IncidentStatus, Severity};

use super::doc;
use super::output::{BOLD, BOLD_RED, CYAN, DIM, GREEN, RED, Style, YELLOW};
use super::render_oncall::{self as oncall, who};
use super::sanitize::{multi_line, one_line};
use crate::chat::view::Window;

/// Continuation lines of a card or update line up under its text.
const INDENT: &str = "   ";

/// Dedup keys are often 32-character hashes; a prefix is enough to tell two apart.
const KEY_CHARS: usize = 8;

/// One outbox notification as it should appear. `show_room` adds the room's name, for
/// installations where incidents go to more than one room.
pub(crate) fn notification(msg: &Outgoing, style: Style, show_room: bool) -> String {
    let room = if show_room {
        format!(" · room {}", one_line(&msg.room.name))
    } else {
        String::new()
    };
    if let Some(text) = oncall_line(msg, style) {
        return text + &room;
    }
    let Some(i) = &msg.incident else {
        return update_without_incident(&msg.notification) + &room;
    };
    match &msg.notification {
        Notification::IncidentOpened => card(i, style, &room),
        // The terminal cannot edit a card already printed; the next update shows the count.
        Notification::AlertsAdded => String::new(),
        Notification::Acknowledged { actor } => update(
            style,
            "✅",
            i,
            &format!("acknowledged by {}", who(actor)),
            &room,
            None,
        ),
        Notification::Resolved { actor, note } => update(
            style,
            "🟢",
            i,
            &format!("resolved by {}", who(actor)),
            &room,
            note.as_deref(),
        ),
        Notification::Note { actor, text } => update(
            style,
            "📝",
            i,
            &format!("note by {}", who(actor)),
            &room,
            Some(text),
        ),
        // Rendered by `oncall_line` above.
        Notification::Paged { .. }
        | Notification::Escalated { .. }
        | Notification::PolicyExhausted { .. }
        | Notification::PageSent { .. }
        | Notification::Retriggered { .. }
        | Notification::StatusNotice { .. }
        | Notification::Handoff { .. }
        | Notification::Maintenance { .. }
        | Notification::Digest { .. }
        | Notification::Webhook { .. } => String::new(),
    }
}

/// Paging, escalation, hand-off and maintenance lines ([`render_oncall`](super::render_oncall)),
/// with or without the incident; `None` for the incident-card kinds.
fn oncall_line(msg: &Outgoing, style: Style) -> Option<String> {
    let i = msg.incident.as_ref();
    let to = msg.recipient.as_ref();
    Some(match &msg.notification {
        Notification::IncidentOpened
        | Notification::AlertsAdded
        | Notification::Acknowledged { .. }
        | Notification::Resolved { .. }
        | Notification::Note { .. }
        | Notification::Webhook { .. } => return None,
        Notification::Paged {
            user,
            level,
            urgency,
            failover_from,
            ..
        } => oncall::paged(
            i,
            to,
            user,
            *level,
            *urgency,
            failover_from.as_deref(),
            style,
        ),
        Notification::Escalated {
            actor,
            level,
            users,
        } => oncall::escalated(i, actor.as_ref(), *level, users, style),
        Notification::PolicyExhausted { policy } => oncall::policy_exhausted(i, policy, style),
        Notification::PageSent {
            user,
            method,
            level,
            failed,
        } => oncall::page_sent(i, user, *method, *level, failed.as_deref(), style),
        Notification::Retriggered { reason } => oncall::retriggered(i, reason, style),
        Notification::StatusNotice { status, actor } => {
            oncall::status_notice(i, to, *status, actor, style)
        }
        Notification::Handoff {
            schedule,
            from,
            to,
            open_incidents,
        } => oncall::handoff(schedule, from.as_deref(), to.as_deref(), open_incidents),
        Notification::Digest { report, text, .. } => {
            format!("📊 Report `{}`\n{}", one_line(report), multi_line(text))
        }
        Notification::Maintenance { .. } => oncall::maintenance(&Window::of(&msg.notification)?),
    })
}

/// ```text
/// 🔥 #3  CRITICAL  web · triggered
///    Disk full on db-01
///    source db-01 · 1 alert · key 9f2c…
///    → !ack 3   !resolve 3   !note 3 <text>
/// ```
fn card(i: &Incident, style: Style, room: &str) -> String {
    let n = i.number.get();
    let mut text = format!(
        "🔥 {}  {}  {} · {}{room}\n",
        style.paint(&i.number.to_string(), BOLD),
        severity(i.severity, style),
        one_line(i.service.as_str()),
        status(i.status, style),
    );
    text.push_str(&format!(
        "{INDENT}{}\n",
        style.paint(&one_line(&i.title), BOLD)
    ));
    let mut facts = Vec::new();
    if let Some(source) = &i.source {
        facts.push(format!("source {}", one_line(source)));
    }
    facts.push(match i.alert_count {
        1 => "1 alert".to_owned(),
        k => format!("{k} alerts"),
    });
    facts.push(format!("key {}", short_key(i.dedup_key.as_str())));
    text.push_str(&format!("{INDENT}{}", style.paint(&facts.join(" · "), DIM)));
    let hints = match i.status {
        IncidentStatus::Triggered => format!("→ !ack {n}   !resolve {n}   !note {n} <text>"),
        IncidentStatus::Acknowledged => format!("→ !resolve {n}   !note {n} <text>"),
        IncidentStatus::Resolved => String::new(),
    };
    if !hints.is_empty() {
        text.push_str(&format!("\n{INDENT}{}", style.paint(&hints, CYAN)));
    }
    text
}

/// `✅ #3 acknowledged by alice (console) — Disk full on db-01`, with an indented note below.
fn update(
    style: Style,
    icon: &str,
    i: &Incident,
    what: &str,
    room: &str,
    note: Option<&str>,
) -> String {
    let mut text = format!(
        "{icon} {} {what} — {}{room}",
        style.paint(&i.number.to_string(), BOLD),
        one_line(&i.title)
    );
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        for line in multi_line(note).lines() {
            text.push_str(&format!("\n{INDENT}{line}"));
        }
    }
    text
}

/// The incident could not be loaded (it should always exist; say what is known rather than nothing).
fn update_without_incident(n: &Notification) -> String {
    match n {
        Notification::IncidentOpened => "🔥 a new incident was opened".to_owned(),
        Notification::Acknowledged { actor } => {
            format!("✅ an incident was acknowledged by {}", who(actor))
        }
        Notification::Resolved { actor, .. } => {
            format!("🟢 an incident was resolved by {}", who(actor))
        }
        Notification::Note { actor, text } => {
            format!("📝 note by {}: {}", who(actor), one_line(text))
        }
        // Rendered by `oncall_line`, which needs no incident.
        _ => String::new(),
    }
}

fn severity(s: Severity, style: Style) -> String {
    let sgr = match s {
        Severity::Critical => BOLD_RED,
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
    };
    style.paint(&s.as_str().to_uppercase(), sgr)
}

fn status(s: IncidentStatus, style: Style) -> String {
    let sgr = match s {
        IncidentStatus::Triggered => RED,
        IncidentStatus::Acknowledged => YELLOW,
        IncidentStatus::Resolved => GREEN,
    };
    style.paint(s.as_str(), sgr)
}

fn short_key(key: &str) -> String {
    let key = one_line(key);
    match key.char_indices().nth(KEY_CHARS) {
        Some((cut, _)) => format!("{}…", &key[..cut]),
        None => key,
    }
}

/// A command's reply: a mark for its tone, then the document ([`doc::render`]), continuation
/// lines indented.
pub(crate) fn reply(r: &Reply, style: Style) -> String {
    let (mark, sgr) = match r.tone {
        Tone::Success => ("✔", GREEN),
        Tone::Info => ("›", DIM),
        Tone::Error => ("✖", RED),
    };
    let text = doc::render(&r.doc, style);
    let mut out = style.paint(mark, sgr);
    for (k, line) in text.lines().enumerate() {
        out.push_str(if k == 0 { " " } else { "\n  " });
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLOR: Style = Style { color: true };

    /// A one-line reply's text on a terminal, without its tone mark.
    fn markdown(line: &'static str) -> String {
        let mark = format!("{} ", COLOR.paint("›", DIM));
        reply(&Reply::info(line), COLOR)[mark.len()..].to_owned()
    }

    #[test]
    fn plain_replies_get_a_tone_mark_and_indented_continuation_lines() {
        let r = Reply::info("*2 open incidents*\n*#2* one\n*#1* two");
        assert_eq!(
            reply(&r, Style::PLAIN),
            "› *2 open incidents*\n  *#2* one\n  *#1* two"
        );
        assert_eq!(
            reply(&Reply::success("Acknowledged *#3*"), Style::PLAIN),
            "✔ Acknowledged *#3*"
        );
        assert_eq!(reply(&Reply::error("no"), Style::PLAIN), "✖ no");
    }

    #[test]
    fn replies_are_sanitized_too() {
        let r = Reply::success("Acknowledged *#3* — \x1b[2Jwiped");
        assert_eq!(
            reply(&r, Style::PLAIN),
            "✔ Acknowledged *#3* — \\u{1b}[2Jwiped"
        );
        assert!(!reply(&r, COLOR).contains("\x1b[2J"));
    }

    #[test]
    fn terminal_replies_render_bold_and_code() {
        assert_eq!(
            markdown("Acknowledged *#3* — try `!ack 4`"),
            "Acknowledged \x1b[1m#3\x1b[0m — try \x1b[36m!ack 4\x1b[0m"
        );
    }

    #[test]
    fn unmatched_markdown_markers_are_printed_as_typed() {
        assert_eq!(markdown("CPU * 2 and `half"), "CPU * 2 and `half");
        assert_eq!(
            markdown("a `*b*` c"),
            "a \x1b[36m*b*\x1b[0m c",
            "no bold inside code"
        );
    }

    #[test]
    fn long_keys_are_shortened_on_a_character_boundary() {
        assert_eq!(short_key("9f2c81aa0b1e4c6f9d0e"), "9f2c81aa…");
        assert_eq!(short_key("disk-db01"), "disk-db0…");
        assert_eq!(short_key("short"), "short");
        assert_eq!(short_key("ééééééééé"), "éééééééé…");
    }
}
