//! What every Discord message is made of: colours and marks, names and lists of people, times
//! and durations.

use chrono::{DateTime, Utc};
use firebell_engine::{Channel, Incident, Severity};

use super::NAME_CHARS;
use crate::discord::escape;

/// ` after 1h 12m`: how long the incident was open (until now if it has no resolve time).
pub(super) fn after(i: &Incident, now: DateTime<Utc>) -> String {
    let end = i.resolved_at.unwrap_or(now);
    format!(" after {}", duration(end - i.created_at))
}

/// Someone is on it (neither alarm nor done); and done.
pub(super) const ACKNOWLEDGED_COLOR: u32 = 0x8b5cf6;
pub(super) const RESOLVED_COLOR: u32 = 0x16a34a;

pub(super) fn severity_color(s: Severity) -> u32 {
    match s {
        Severity::Critical => 0xd92d20,
        Severity::Error => 0xf97316,
        Severity::Warning => 0xeab308,
        Severity::Info => 0x3b82f6,
    }
}

pub(super) fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::Error => "🟠",
        Severity::Warning => "🟡",
        Severity::Info => "🔵",
    }
}

/// The title on one line, or a placeholder when the alert had none.
pub(super) fn title_line(title: &str) -> String {
    let line: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match line.trim() {
        "" => "(no title)".to_owned(),
        t => t.to_owned(),
    }
}

/// A user's escaped display name.
pub(super) fn name(names: &dyn Fn(&str) -> String, id: &str) -> String {
    escape::markdown_line(&names(id), NAME_CHARS)
}

/// `a, b, c and 4 more`, at most `max` long. Items are already escaped Markdown.
pub(super) fn join_capped(items: impl ExactSizeIterator<Item = String>, max: usize) -> String {
    let total = items.len();
    let mut out = String::new();
    let mut used = 0;
    for (k, item) in items.enumerate() {
        let sep = if k == 0 { "" } else { ", " };
        let n = escape::len(&item) + sep.len();
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

/// `<t:…:R>`: "2 hours ago", in every reader's own terms.
pub(super) fn relative(t: DateTime<Utc>) -> String {
    format!("<t:{}:R>", t.timestamp())
}

/// `<t:…:t>` (a time of day) when `t` is today in UTC, else `<t:…:f>` (date and time); each
/// reader sees their own zone.
pub(super) fn discord_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let style = if t.date_naive() == now.date_naive() {
        't'
    } else {
        'f'
    };
    format!("<t:{}:{style}>", t.timestamp())
}

/// `45s`, `12m`, `1h 12m`, `2d 3h`: how long, to the unit that matters.
pub(super) fn duration(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, mins) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{mins}m"),
        3600..=86_399 if mins == 0 => format!("{hours}h"),
        3600..=86_399 => format!("{hours}h {mins}m"),
        _ if hours == 0 => format!("{days}d"),
        _ => format!("{days}d {hours}h"),
    }
}

/// ` (via Discord)`; nothing for firebell's own actions.
pub(super) fn via(c: Channel) -> String {
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
