//! A [`Doc`] in Discord Markdown: bold as `**…**`, code as `` `…` ``, italics as `*…*`, items
//! after `• `, quotes after `> `, people as `<@id>` mentions (or their escaped names), times as
//! `<t:…:f>` tokens each reader sees in their own zone, links masked (`[text](url)`). Text is
//! escaped ([`escape::markdown`]: every marker backslashed, `<` and `@everyone` / `@here`
//! defused) and code defused ([`escape::code`]), so no span can format, mention or link; a span
//! with a [`Budget`] (a name, a note, a reason someone typed) is also kept to one line and cut
//! to Discord's number for it.

use firebell_commands::{Block, Budget, Doc, Span, When, doc::quote_lines};

use super::parts::{discord_time, relative};
use super::{NAME_CHARS, mention};
use crate::chat::text::join_capped;
use crate::discord::escape;

/// A note; a line stays one message (2000).
const NOTE_CHARS: usize = 1200;
/// A list of people in a line.
const PEOPLE_CHARS: usize = 500;

/// The document as Discord Markdown, lines joined with line breaks; any length (the caller fits
/// it).
pub fn render(doc: &Doc) -> String {
    let lines: Vec<String> = doc.blocks().iter().map(line).collect();
    lines.join("\n")
}

/// The document as one line or notice: [`render`] cut to what a message's `content` holds.
pub fn message(doc: &Doc) -> String {
    escape::truncate(&render(doc), escape::CONTENT)
}

/// One line. An item's bullet is read with the text after it, so what starts the line for the
/// escaper is what starts it on screen.
fn line(block: &Block) -> String {
    if let Block::Quote { text, budget } = block {
        return quote_lines(&escape::markdown_within(text, units(*budget)));
    }
    let mut out = String::new();
    let mut bullet = block.bullet();
    for span in block.spans() {
        match span {
            Span::Text(t) => out.push_str(&escape::markdown(&format!("{bullet}{t}"))),
            other => {
                out.push_str(bullet);
                out.push_str(&styled(other));
            }
        }
        bullet = "";
    }
    out.push_str(bullet);
    out
}

fn styled(span: &Span) -> String {
    match span {
        Span::Text(t) => escape::markdown(t),
        // An empty pair is no bold on Discord: shown as typed.
        Span::Bold(t) if t.is_empty() => "\\*\\*".to_owned(),
        Span::Bold(t) => format!("**{}**", escape::markdown(t)),
        Span::Code(t) => format!("`{}`", escape::code(t, usize::MAX)),
        Span::Italic(t) => format!("*{}*", escape::markdown_line(t, usize::MAX)),
        Span::Mention(p) => mention(p),
        Span::People(people) => join_capped(people.iter().map(mention), PEOPLE_CHARS, escape::len),
        Span::Time(t, When::DateTime) => format!("<t:{}:f>", t.timestamp()),
        Span::Time(t, When::Near(now)) => discord_time(*t, *now),
        Span::Time(t, When::Ago) => relative(*t),
        Span::Link { href, text } => escape::link(href, Some(text))
            .unwrap_or_else(|| escape::markdown_line(text, usize::MAX)),
        Span::Within(budget, inner) => within(units(*budget), inner),
    }
}

/// A span on one line, cut to `max` ([`escape::len`]).
fn within(max: usize, inner: &Span) -> String {
    match inner {
        Span::Text(t) => escape::markdown_line(t, max),
        Span::Bold(t) => format!("**{}**", escape::markdown_line(t, max)),
        // Discord shows a code span's content as is (a backslash escape would show), so it is
        // only defused.
        Span::Code(t) => format!("`{}`", escape::code(t, max)),
        Span::Italic(t) => format!("*{}*", escape::markdown_line(t, max)),
        other => styled(other),
    }
}

/// Discord's number for a budget, in UTF-16 units.
fn units(budget: Budget) -> usize {
    budget.limit(NAME_CHARS, NOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_discord_markdown_and_items_keep_their_bullet() {
        let d = Doc::new()
            .bold("2 open")
            .item()
            .bold("#2")
            .text(" web_01 — ")
            .code("!ack 2");
        assert_eq!(render(&d), "**2 open**\n• **\\#2** web\\_01 — `!ack 2`");
        assert_eq!(
            render(&Doc::from("• - x")),
            "• - x",
            "a bullet starts the line"
        );
    }

    #[test]
    fn hostile_text_cannot_format_mention_or_link() {
        let d = Doc::new()
            .text("*b* <@1> @everyone [x](https://e.example)")
            .bold("@here")
            .code("`<@&2>`");
        assert_eq!(
            render(&d),
            "\\*b\\* <\u{200b}@1> @\u{200b}everyone \\[x\\](https://e.example)\
             **@\u{200b}here**`ˋ<\u{200b}@&2>ˋ`"
        );
    }
}
