//! Discord's text-only messages: the shared wording of thread entries, pages and room notices
//! ([`crate::chat::text`], the same as on Slack) rendered as Discord Markdown ([`doc`]), and
//! command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Person, Reply, Tone};
use firebell_engine::notify::Notification;
use firebell_engine::{ContactMethod, Incident};

use super::doc::{self, message};
use crate::chat::text;
use crate::discord::escape::{self, CONTENT};

/// [`text::thread_entry`] in Discord Markdown.
pub fn thread_entry(
    n: &Notification,
    incident: &Incident,
    now: DateTime<Utc>,
    person: &dyn Fn(&str) -> Person,
) -> Option<String> {
    text::thread_entry(n, Some(incident), now, person).map(|d| message(&d))
}

/// [`text::page_sent`] in Discord Markdown.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> String {
    message(&text::page_sent(name, method, level, failed))
}

/// [`text::room_notice`] in Discord Markdown.
pub fn room_notice(
    n: &Notification,
    person: &dyn Fn(&str) -> Person,
    names: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::room_notice(n, person, names).map(|d| message(&d))
}

/// [`text::storm_page`] in Discord Markdown.
pub fn storm_page(who: Person) -> String {
    message(&text::storm_page(who))
}

/// A command's reply as Discord Markdown: a mark for its tone, then the document
/// ([`doc::render`]).
pub fn reply(r: &Reply) -> String {
    let mark = match r.tone {
        Tone::Success => "✅",
        Tone::Info => "ℹ️",
        Tone::Error => "⚠️",
    };
    escape::truncate(&format!("{mark} {}", doc::render(&r.doc)), CONTENT)
}
