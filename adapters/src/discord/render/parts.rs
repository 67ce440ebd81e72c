//! What every Discord message is made of: colours and times. Marks, titles, durations, names
//! and lists of people are shared with Slack, in [`crate::chat::text`].

use chrono::{DateTime, Utc};
use firebell_engine::Severity;

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
