//! Slack's text-only messages: the shared wording of thread entries, pages and room notices
//! ([`crate::chat::text`]) rendered as Slack's mrkdwn ([`doc`]), and command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Person, Reply, Tone};
use firebell_engine::notify::Notification;
use firebell_engine::{ContactMethod, Incident};

use super::doc::{self, line};
use crate::chat::text;
use crate::slack::escape;

/// [`text::thread_entry`] in mrkdwn. `incident` is `None` where the thread's incident is not at
/// hand; the entry then leaves out what only it could say (how long it was open).
pub fn thread_entry(
    n: &Notification,
    incident: Option<&Incident>,
    now: DateTime<Utc>,
    person: &dyn Fn(&str) -> Person,
) -> Option<String> {
    text::thread_entry(n, incident, now, person).map(|d| line(&d))
}

/// [`text::page_sent`] in mrkdwn.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> String {
    line(&text::page_sent(name, method, level, failed))
}

/// [`text::room_notice`] in mrkdwn.
pub fn room_notice(
    n: &Notification,
    person: &dyn Fn(&str) -> Person,
    names: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::room_notice(n, person, names).map(|d| line(&d))
}

/// [`text::storm_page`] in mrkdwn.
pub fn storm_page(who: Person) -> String {
    line(&text::storm_page(who))
}

/// A command's reply as mrkdwn: a mark for its tone, then the document ([`doc::render`]).
pub fn reply(r: &Reply) -> String {
    let mark = match r.tone {
        Tone::Success => "✅",
        Tone::Info => "ℹ️",
        Tone::Error => "⚠️",
    };
    let text = format!("{mark} {}", doc::render(&r.doc));
    escape::truncate(&text, escape::MESSAGE_TEXT)
}
