//! Slack's text-only messages: the shared wording of thread entries, pages and room notices
//! ([`crate::chat::text`]) in Slack's mrkdwn, and command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Reply, Tone};
use firebell_engine::notify::Notification;
use firebell_engine::{ContactMethod, Incident};

use super::{NAME_CHARS, date_token, doc};
use crate::chat::text::{self, Dialect};
use crate::slack::escape::{self, SECTION_TEXT};

pub use crate::chat::text::storm_page;

/// Slack's mrkdwn: text escaped by [`escape`], `_italics_`, `<!date^…>` tokens, and a line
/// that fits one section block.
pub struct Mrkdwn;

impl Dialect for Mrkdwn {
    const NAME_CHARS: usize = NAME_CHARS;
    // In characters; a section holds 3000.
    const NOTE_CHARS: usize = 2500;
    const PEOPLE_CHARS: usize = 1500;

    fn line(text: &str, max: usize) -> String {
        escape::mrkdwn_line(text, max)
    }

    fn within(text: &str, max: usize) -> String {
        escape::mrkdwn_within(text, max)
    }

    /// Slack shows a code span's content as mrkdwn text, so it is escaped like any other.
    fn config_name(name: &str) -> String {
        escape::mrkdwn_line(name, NAME_CHARS)
    }

    fn italic(escaped: &str) -> String {
        format!("_{escaped}_")
    }

    fn when(t: DateTime<Utc>) -> String {
        date_token(t, true)
    }

    /// Slack's limits count characters.
    fn len(text: &str) -> usize {
        text.chars().count()
    }

    fn fit(text: &str) -> String {
        escape::truncate(text, SECTION_TEXT)
    }
}

/// [`text::thread_entry`] in mrkdwn. `incident` is `None` where the thread's incident is not at
/// hand; the entry then leaves out what only it could say (how long it was open).
pub fn thread_entry(
    n: &Notification,
    incident: Option<&Incident>,
    now: DateTime<Utc>,
    mention: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::thread_entry::<Mrkdwn>(n, incident, now, mention)
}

/// [`text::page_sent`] in mrkdwn.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> String {
    text::page_sent::<Mrkdwn>(name, method, level, failed)
}

/// [`text::room_notice`] in mrkdwn.
pub fn room_notice(
    n: &Notification,
    mention: &dyn Fn(&str) -> String,
    names: &dyn Fn(&str) -> String,
) -> Option<String> {
    text::room_notice::<Mrkdwn>(n, mention, names)
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
