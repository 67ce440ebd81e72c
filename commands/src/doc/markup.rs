//! firebell's light Markdown: `*bold*` and `` `code` `` on lines, `• ` items. The form a test or
//! a log reads a document in, and the one place it is parsed back: for our own literal wording
//! and for text that reached us as a string (a report digest from the outbox). Adapters never
//! parse it; they render a [`Doc`].

use super::{Block, Doc, Span, When};

impl Doc {
    /// Reads light Markdown: code spans first (nothing inside one is formatting), then `*bold*`
    /// in the rest; an unmatched marker is text, shown as typed.
    pub fn markup(text: &str) -> Doc {
        let mut doc = Doc { blocks: Vec::new() };
        for line in text.split('\n') {
            let (block, rest) = match line.strip_prefix("• ") {
                Some(rest) => (Block::Item(Vec::new()), rest),
                None => (Block::Line(Vec::new()), line),
            };
            doc.blocks.push(block);
            for (marked, segment) in split_marked(rest, '`') {
                match marked {
                    Marked::Inside => doc.push(Span::Code(segment.to_owned())),
                    Marked::Unclosed => {
                        doc.push(Span::Text("`".to_owned()));
                        doc.push_bold(segment);
                    }
                    Marked::Outside => doc.push_bold(segment),
                }
            }
        }
        doc
    }

    fn push_bold(&mut self, text: &str) {
        for (marked, part) in split_marked(text, '*') {
            match marked {
                Marked::Inside => self.push(Span::Bold(part.to_owned())),
                Marked::Unclosed => self.push(Span::Text(format!("*{part}"))),
                Marked::Outside => self.push(Span::Text(part.to_owned())),
            }
        }
    }

    /// The document in light Markdown: what [`Doc::markup`] reads back, and what a plain
    /// terminal shows.
    /// People by name, times in UTC, links as `text (url)`, nothing cut.
    pub fn to_markup(&self) -> String {
        self.render(Span::to_markup, |text, _| text.to_owned())
    }
}

impl Span {
    /// The span in light Markdown: people by name, a time in UTC, a link as `text (url)`,
    /// nothing cut.
    pub fn to_markup(&self) -> String {
        match self {
            Span::Text(t) => t.clone(),
            Span::Bold(t) => format!("*{t}*"),
            Span::Code(t) => format!("`{t}`"),
            Span::Italic(t) => format!("_{t}_"),
            Span::Mention(p) => p.name.clone(),
            Span::People(people) => {
                let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
                names.join(", ")
            }
            Span::Time(t, When::Near(now)) if t.date_naive() == now.date_naive() => {
                t.format("%H:%M UTC").to_string()
            }
            Span::Time(t, _) => t.format("%a %d %b %H:%M UTC").to_string(),
            Span::Link { href, text } => format!("{text} ({href})"),
            Span::Within(_, inner) => inner.to_markup(),
        }
    }
}

/// Where a piece of text stands relative to a pair of markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marked {
    /// Outside any pair.
    Outside,
    /// Between a pair (`*this*`).
    Inside,
    /// After a last marker that has no partner: shown as typed, marker included.
    Unclosed,
}

/// `text` split at `marker`, each piece with where it stands.
fn split_marked(text: &str, marker: char) -> impl Iterator<Item = (Marked, &str)> {
    let parts: Vec<&str> = text.split(marker).collect();
    let (count, closed) = (parts.len(), parts.len() % 2 == 1);
    parts.into_iter().enumerate().map(move |(k, part)| {
        let marked = if k % 2 == 0 {
            Marked::Outside
        } else if !closed && k == count - 1 {
            Marked::Unclosed
        } else {
            Marked::Inside
        };
        (marked, part)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_inside_and_a_lone_marker_leaves_the_rest_unclosed() {
        let pieces: Vec<_> = split_marked("a *b* c *d", '*').collect();
        assert_eq!(
            pieces,
            vec![
                (Marked::Outside, "a "),
                (Marked::Inside, "b"),
                (Marked::Outside, " c "),
                (Marked::Unclosed, "d"),
            ]
        );
        assert_eq!(
            split_marked("plain", '`').collect::<Vec<_>>(),
            vec![(Marked::Outside, "plain")]
        );
    }

    #[test]
    fn light_markdown_reads_as_the_document_a_builder_makes() {
        assert_eq!(
            Doc::markup("*2 open*\n• *#2* web — `!ack 2`"),
            Doc::new()
                .bold("2 open")
                .item()
                .bold("#2")
                .text(" web — ")
                .code("!ack 2")
        );
        assert_eq!(
            Doc::markup("a `*b*` c"),
            Doc::new().text("a ").code("*b*").text(" c"),
            "no bold inside code"
        );
        assert_eq!(
            Doc::markup("x ** y"),
            Doc::new().text("x ").bold("").text(" y")
        );
        assert_eq!(
            Doc::markup("CPU * 2 and `half"),
            Doc::new().text("CPU * 2 and `half"),
            "unmatched markers are text"
        );
    }

    #[test]
    fn light_markdown_round_trips() {
        for text in [
            "Acknowledged *#3* — try `!ack 4`",
            "*2 open incidents*\n• *#2* one\n\n• *#1* two",
            "a * b and `unclosed",
            "x ** y ``",
            "",
        ] {
            assert_eq!(Doc::markup(text).to_markup(), text);
        }
    }

    #[test]
    fn built_text_is_never_read_as_markup() {
        let d = Doc::new().text("*not bold* `nor code`");
        assert_eq!(
            d.blocks()[0].spans(),
            &[Span::Text("*not bold* `nor code`".into())]
        );
    }
}
