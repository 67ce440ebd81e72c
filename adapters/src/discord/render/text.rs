//! Discord's text-only messages: the shared wording of thread entries, pages and room notices
//! ([`crate::chat::text`], the same as on Slack) in Discord Markdown, and command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Reply, Tone};
use firebell_engine::notify::Notification;
use firebell_engine::{ContactMethod, Incident};

use super::{NAME_CHARS, doc};
use crate::chat::text::{self, Dialect};
use crate::discord::escape::{self, CONTENT};

pub use crate::chat::text::storm_page;

/// Discord Markdown: text escaped by [`escape`], config names as code, `*italics*`, `<t:…:f>`
/// tokens, and a line that fits one message's `content`.
pub struct DiscordMarkdown;

impl Dialect for DiscordMarkdown {
    const NAME_CHARS: usize = NAME_CHARS;
    // A line stays one message (2000).
    const NOTE_CHARS: usize = 1200;
    const PEOPLE_CHARS: usize = 500;

    fn line(text: &str, max: usize) -> String {
        escape::markdown_line(text, max)
    }

    fn within(text: &str, max: usize) -> String {
        escape::markdown_within(text, max)
    }

    /// Discord shows a code span's content as is (a backslash escape would show), so a name
    /// between backticks is only defused.
    fn config_name(name: &str) -> String {
        escape::code(name, NAME_CHARS)
    }

    fn italic(escaped: &str) -> String {
        format!("*{escaped}*")
    }

    /// Date and time, in each reader's zone.
    fn when(t: DateTime<Utc>) -> String {
        format!("<t:{}:f>", t.timestamp())
    }

    /// Discord's limits count UTF-16 units ([`escape::len`]).
    fn len(text: &str) -> usize {
        escape::len(text)
    }

    fn fit(text: &str) -> String {
        escape::truncate(text, CONTENT)
    }
}

/// [`text::thread_entry`] in Discord Markdown.
pub fn thread_entry(
    n: &Notification,
    incident: &Incident,
    now: DateTime<Utc>,
    mention: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::thread_entry::<DiscordMarkdown>(n, Some(incident), now, mention)
}

/// [`text::page_sent`] in Discord Markdown.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> String {
    text::page_sent::<DiscordMarkdown>(name, method, level, failed)
}

/// [`text::room_notice`] in Discord Markdown.
pub fn room_notice(
    n: &Notification,
    mention: &dyn Fn(&str) -> String,
    names: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::room_notice::<DiscordMarkdown>(n, mention, names)
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
