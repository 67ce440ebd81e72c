//! Discord's text-only messages: the shared wording of thread entries, pages and room notices
//! ([`crate::chat::text`], the same as on Slack) in Discord Markdown, and command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Reply, Tone};
use firebell_engine::notify::Notification;
use firebell_engine::{ContactMethod, Incident};

use super::NAME_CHARS;
use crate::chat::text::{self, Dialect};
use crate::discord::escape::{self, CONTENT};
use crate::markup::{Marked, split_marked};

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

/// A command's reply as Discord Markdown: a mark for its tone, then the text. The text is our
/// own light Markdown, which is kept (`*bold*` becomes Discord's `**bold**`, `` `code` `` stays),
/// but replies echo what people typed and incident titles, so everything else is escaped
/// (outside code) or defused (inside).
pub fn reply(r: &Reply) -> String {
    let mark = match r.tone {
        Tone::Success => "✅",
        Tone::Info => "ℹ️",
        Tone::Error => "⚠️",
    };
    let lines: Vec<String> = r.text.lines().map(light_markdown).collect();
    escape::truncate(&format!("{mark} {}", lines.join("\n")), CONTENT)
}

/// One line of light Markdown: code spans first (nothing inside them is formatting), then
/// `*bold*` in the rest. An unmatched marker shows as typed.
fn light_markdown(line: &str) -> String {
    split_marked(line, '`')
        .map(|(marked, segment)| match marked {
            Marked::Inside => format!("`{}`", escape::code(segment, usize::MAX)),
            Marked::Unclosed => format!("\\`{}", bold(segment)),
            Marked::Outside => bold(segment),
        })
        .collect()
}

/// `**bold**`; an empty pair (`**`) and an unmatched `*` show as typed.
fn bold(text: &str) -> String {
    split_marked(text, '*')
        .map(|(marked, part)| match marked {
            Marked::Inside if !part.is_empty() => format!("**{}**", escape::markdown(part)),
            Marked::Inside => format!("\\*{}\\*", escape::markdown(part)),
            Marked::Unclosed => format!("\\*{}", escape::markdown(part)),
            Marked::Outside => escape::markdown(part),
        })
        .collect()
}
