//! A [`Doc`] in Slack's mrkdwn: bold as `*…*`, code as `` `…` ``, italics as `_…_`, items after
//! `• `, quotes after `> `, people as `<@U…>` mentions (or their escaped names), times as
//! `<!date^…>` tokens each reader sees in their own zone, links as `<url|text>`. Text, bold and
//! italic words are escaped in full ([`escape::mrkdwn`]: `&`, `<`, `>` as entities, broadcasts
//! defused, markers at word boundaries as lookalikes), so nothing in them can ping, link or
//! format, as on Discord; a code span's words keep their markers (they are something to type)
//! and only lose what could ping or link ([`escape::entities`]). A span with a [`Budget`] (a
//! name, a note, a reason someone typed) is escaped in full and cut to Slack's number for it.

use firebell_commands::{Budget, Doc, Span, When};

use super::{NAME_CHARS, SlackMention, date_token, slack_time};
use crate::chat::text::join_capped;
use crate::slack::escape;

/// A note, in characters; a section holds 3000.
const NOTE_CHARS: usize = 2500;
/// A list of people in a line.
const PEOPLE_CHARS: usize = 1500;

/// The document as mrkdwn, lines joined with line breaks; any length (the caller fits it).
pub fn render(doc: &Doc) -> String {
    doc.render(span, |text, budget| {
        escape::mrkdwn_within(text, chars(budget))
    })
}

/// The document as one line or notice: [`render`] cut to what a section holds.
pub fn line(doc: &Doc) -> String {
    escape::truncate(&render(doc), escape::SECTION_TEXT)
}

fn span(span: &Span) -> String {
    match span {
        Span::Text(t) => escape::mrkdwn(t),
        Span::Bold(t) => format!("*{}*", escape::mrkdwn(t)),
        Span::Code(t) => format!("`{}`", escape::entities(t)),
        Span::Italic(t) => format!("_{}_", escape::mrkdwn_line(t, usize::MAX)),
        Span::Mention(p) => p.mention(),
        Span::People(people) => join_capped(
            people.iter().map(SlackMention::mention),
            PEOPLE_CHARS,
            |t| t.chars().count(),
        ),
        Span::Time(t, When::DateTime) => date_token(*t, true),
        Span::Time(t, When::Near(now)) => slack_time(*t, *now),
        Span::Time(t, When::Ago) => ago_token(*t),
        Span::Link { href, text } => {
            escape::link(href, Some(text)).unwrap_or_else(|| escape::mrkdwn_line(text, usize::MAX))
        }
        Span::Within(budget, inner) => within(chars(*budget), inner),
    }
}

/// A span cut to `max` characters, its words escaped in full: Slack shows a code span's
/// content as mrkdwn text too, so it is escaped like any other.
fn within(max: usize, inner: &Span) -> String {
    match inner {
        Span::Text(t) => escape::mrkdwn_line(t, max),
        Span::Bold(t) => format!("*{}*", escape::mrkdwn_line(t, max)),
        Span::Code(t) => format!("`{}`", escape::mrkdwn_line(t, max)),
        Span::Italic(t) => format!("_{}_", escape::mrkdwn_line(t, max)),
        other => span(other),
    }
}

/// `<!date^…^{ago}|…>`: how long ago, in words; the fallback is the date and time in UTC.
fn ago_token(t: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "<!date^{}^{{ago}}|{}>",
        t.timestamp(),
        t.format("%a %d %b %H:%M UTC")
    )
}

/// Slack's number for a budget, in characters.
fn chars(budget: Budget) -> usize {
    budget.limit(NAME_CHARS, NOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_mrkdwn_and_items_keep_their_bullet() {
        let d = Doc::new()
            .bold("2 open")
            .item()
            .bold("#2")
            .text(" web — ")
            .code("!ack 2");
        assert_eq!(render(&d), "*2 open*\n• *#2* web — `!ack 2`");
    }

    #[test]
    fn text_and_bold_cannot_format_as_on_discord() {
        let d = Doc::new()
            .text("Acknowledged ")
            .bold("#3")
            .text(" — *urgent* _now_ `rm`\n> quoted")
            .bold("a*b* c")
            .code("service=web-*");
        assert_eq!(
            render(&d),
            "Acknowledged *#3* — ∗urgent∗ ˍnowˍ ˋrmˋ\n\u{ad}&gt; quoted*a*b∗ c*`service=web-*`"
        );
    }

    #[test]
    fn hostile_text_cannot_ping_or_link() {
        let d = Doc::new()
            .text("<!channel> @here <@U1> <http://evil|click> & ")
            .bold("@everyone")
            .code("<!here>");
        assert_eq!(
            render(&d),
            "&lt;!channel&gt; @\u{2060}here &lt;@U1&gt; &lt;http://evil|click&gt; &amp; \
             *@\u{2060}everyone*`&lt;!here&gt;`"
        );
    }
}
