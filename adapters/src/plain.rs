//! A [`Doc`] as plain text, for what has no markup at all: an SMS and an email's subject and
//! body. And the lines those channels word alike, built once as documents: what a page is about
//! (`#42 CRITICAL web: `) and a status notice (`#42 acknowledged by Bob Brown`).
//!
//! Plain text cannot format or mention anything, so nothing is escaped; what is dropped is what
//! could make it read differently from what it is (control and bidi characters). A span with a
//! [`Budget`] is untrusted: also folded onto one line and cut (`Chars`); a name or a note is
//! never cut here, the message's own limit is (160 characters for an SMS).

use firebell_commands::{Budget, Doc, Person, Span, When};
use firebell_engine::IncidentNumber;
use firebell_engine::kinds::{IncidentStatus, Severity};

use crate::telephony::text::{clean, is_hidden, truncate};

/// The document as plain text, lines joined with line breaks; times in UTC, people by name,
/// links as `text (url)`.
pub fn render(doc: &Doc) -> String {
    doc.render(span, |text, budget| within(budget, text))
}

fn span(span: &Span) -> String {
    match span {
        Span::Text(t) | Span::Bold(t) | Span::Code(t) | Span::Italic(t) => visible(t),
        Span::Mention(p) => clean(&p.name),
        Span::People(people) => {
            let names: Vec<String> = people.iter().map(|p: &Person| clean(&p.name)).collect();
            names.join(", ")
        }
        Span::Time(t, When::Near(now)) if t.date_naive() == now.date_naive() => {
            t.format("%H:%M UTC").to_string()
        }
        Span::Time(t, _) => t.format("%a %d %b %H:%M UTC").to_string(),
        Span::Link { href, text } => format!("{} ({})", clean(text), clean(href)),
        Span::Within(budget, inner) => match inner.as_ref() {
            Span::Text(t) | Span::Bold(t) | Span::Code(t) | Span::Italic(t) => within(*budget, t),
            other => self::span(other),
        },
    }
}

/// Untrusted text on one line, cut to `budget` when it counts characters.
fn within(budget: Budget, text: &str) -> String {
    match budget {
        Budget::Chars(n) => truncate(&clean(text), n),
        Budget::Name | Budget::Note => clean(text),
    }
}

/// Our own text with control and bidi characters dropped (line breaks are the document's).
fn visible(text: &str) -> String {
    text.chars().filter(|&c| !is_hidden(c)).collect()
}

/// `acknowledged`, `resolved`, `triggered again`: a status as a notice says it.
pub fn status_words(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Acknowledged => "acknowledged",
        IncidentStatus::Resolved => "resolved",
        IncidentStatus::Triggered => "triggered again",
    }
}

/// `#42 acknowledged by Bob Brown`: a status notice, by text and in an email's subject.
pub fn status_notice(n: IncidentNumber, status: IncidentStatus, by: &str) -> Doc {
    Doc::new()
        .text(format!("{n} {} by ", status_words(status)))
        .within(Budget::Name, Span::Text(by.to_owned()))
}

/// `#42 CRITICAL web: `: what a page is about, before its title (cut to what the channel has
/// room for).
pub fn page_head(n: IncidentNumber, severity: Severity, service: &str) -> Doc {
    Doc::new()
        .text(format!("{n} {} ", severity.as_str().to_uppercase()))
        .within(Budget::Name, Span::Text(service.to_owned()))
        .text(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_what_misreads_and_cuts_only_what_has_a_budget() {
        let d = Doc::new()
            .text("firebell ")
            .bold("#4\u{202e}2")
            .text(" ")
            .within(Budget::Chars(6), Span::Text("disk\n full now".into()))
            .text(" by ")
            .mention(Person {
                chat_id: Some("U1".into()),
                name: " Bob\x1b[2J ".into(),
            });
        assert_eq!(render(&d), "firebell #42 disk… by Bob[2J");
    }

    #[test]
    fn a_status_notice_and_a_page_head_read_the_same_everywhere() {
        let n = IncidentNumber::parse("42").expect("a number");
        let notice = status_notice(n, IncidentStatus::Resolved, "Bob\u{202e} Brown");
        assert_eq!(render(&notice), "#42 resolved by Bob Brown");
        let head = page_head(n, Severity::Critical, "db 01");
        assert_eq!(render(&head), "#42 CRITICAL db 01: ");
    }
}
