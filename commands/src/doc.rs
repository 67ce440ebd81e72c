//! A message as a platform-neutral document: lines (a plain line, a `• ` list item, or someone's
//! words quoted) of spans (text, bold, code, italic, a person, a time, a link). Commands build
//! one for a reply, the chat adapters one for a thread entry or a room notice; each surface only
//! renders it, with its own escaping, so what is text stays text: an alert title can never
//! become bold, a code span or a ping, whatever characters it holds.
//!
//! Building one is as short as writing the string was:
//! `Doc::new().text("Acknowledged ").bold(format!("#{n}")).text(" — ").text(title)`.
//!
//! # Layout
//! - here: [`Doc`], [`Block`] and the builder.
//! - `span`: [`Span`], and what a span may name that a platform renders its own way: a
//!   [`Person`] (a mention), a [`Budget`] (how long untrusted text may run there).
//! - `markup`: firebell's light Markdown (`*bold*`, `` `code` ``), the form tests and logs read a
//!   document in ([`Doc::to_markup`]), and the one parser back ([`Doc::markup`]) for our own
//!   literal wording and for text that crossed a string boundary (a report digest).

mod markup;
mod span;

pub use span::{Budget, Person, Span, When};

/// One line of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A line of its own.
    Line(Vec<Span>),
    /// A `• ` list item.
    Item(Vec<Span>),
    /// Someone's lines, quoted (`> ` before each): untrusted text, line breaks kept, cut with
    /// `…` as a whole to what the platform allows for `budget`.
    Quote { text: String, budget: Budget },
}

impl Block {
    /// The line's spans; none for a quote, which holds text of its own.
    pub fn spans(&self) -> &[Span] {
        match self {
            Block::Line(spans) | Block::Item(spans) => spans,
            Block::Quote { .. } => &[],
        }
    }

    fn spans_mut(&mut self) -> Option<&mut Vec<Span>> {
        match self {
            Block::Line(spans) | Block::Item(spans) => Some(spans),
            Block::Quote { .. } => None,
        }
    }

    /// What a list item starts with, on every platform.
    pub fn bullet(&self) -> &'static str {
        match self {
            Block::Line(_) => "",
            Block::Item(_) => "• ",
            Block::Quote { .. } => "> ",
        }
    }
}

/// A message: at least one line. Adjacent text spans are kept merged, so two documents that say
/// the same thing compare equal however they were built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    blocks: Vec<Block>,
}

impl Default for Doc {
    fn default() -> Self {
        Self::new()
    }
}

impl Doc {
    /// One empty line, to add spans to.
    pub fn new() -> Self {
        Self {
            blocks: vec![Block::Line(Vec::new())],
        }
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Text shown as typed. A line break in it starts a new line.
    pub fn text(mut self, text: impl AsRef<str>) -> Self {
        for (k, piece) in text.as_ref().split('\n').enumerate() {
            if k > 0 {
                self = self.line();
            }
            self.push(Span::Text(piece.to_owned()));
        }
        self
    }

    pub fn bold(mut self, text: impl Into<String>) -> Self {
        self.push(Span::Bold(text.into()));
        self
    }

    pub fn code(mut self, text: impl Into<String>) -> Self {
        self.push(Span::Code(text.into()));
        self
    }

    /// Any span, as built elsewhere.
    pub fn span(mut self, span: Span) -> Self {
        self.push(span);
        self
    }

    /// Someone's words in italics, on one line.
    pub fn italic(mut self, text: impl Into<String>) -> Self {
        self.push(Span::Italic(text.into()));
        self
    }

    /// A person: a mention where the platform links them, their name otherwise.
    pub fn mention(mut self, person: Person) -> Self {
        self.push(Span::Mention(person));
        self
    }

    /// `a, b and 3 more`, within the platform's budget for a list of people.
    pub fn people(mut self, people: Vec<Person>) -> Self {
        self.push(Span::People(people));
        self
    }

    /// A date and time each reader sees in their own zone where the platform can.
    pub fn time(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.push(Span::Time(at, When::DateTime));
        self
    }

    /// `text` linking to `href` (the text alone unless `href` is an http(s) URL).
    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.push(Span::Link {
            href: href.into(),
            text: text.into(),
        });
        self
    }

    /// `span` (text, bold, code or italic) on one line, cut to what the platform allows for
    /// `budget`: a name, a note, a reason someone typed.
    pub fn within(mut self, budget: Budget, span: Span) -> Self {
        self.push(Span::Within(budget, Box::new(span)));
        self
    }

    /// Someone's lines quoted, each after `> `, cut as a whole to `budget`; what follows
    /// starts a new line.
    pub fn quote(mut self, text: impl Into<String>, budget: Budget) -> Self {
        self.blocks.push(Block::Quote {
            text: text.into(),
            budget,
        });
        self
    }

    /// Starts a new line.
    pub fn line(mut self) -> Self {
        self.blocks.push(Block::Line(Vec::new()));
        self
    }

    /// Starts a new `• ` list item.
    pub fn item(mut self) -> Self {
        self.blocks.push(Block::Item(Vec::new()));
        self
    }

    /// `other`'s lines after this one's last, its first line continuing the last.
    pub fn append(mut self, other: Doc) -> Self {
        let mut blocks = other.blocks.into_iter();
        match blocks.next() {
            Some(quote @ Block::Quote { .. }) => self.blocks.push(quote),
            Some(first) => {
                if let Block::Item(_) = first {
                    self.blocks.push(Block::Item(Vec::new()));
                }
                for span in first.spans().iter().cloned() {
                    self.push(span);
                }
            }
            None => {}
        }
        self.blocks.extend(blocks);
        self
    }

    /// The document line by line, an item's bullet first and each span as `span` writes it, a
    /// quote's text as `quoted` writes it (escaped and cut, line breaks kept) with `> ` before
    /// each of its lines, lines joined with line breaks: the walk the surfaces share; the
    /// escaping is theirs.
    pub fn render(
        &self,
        mut span: impl FnMut(&Span) -> String,
        mut quoted: impl FnMut(&str, Budget) -> String,
    ) -> String {
        let lines: Vec<String> = self
            .blocks
            .iter()
            .map(|block| match block {
                Block::Quote { text, budget } => quote_lines(&quoted(text, *budget)),
                _ => {
                    let spans = block.spans().iter().map(&mut span);
                    std::iter::once(block.bullet().to_owned())
                        .chain(spans)
                        .collect()
                }
            })
            .collect();
        lines.join("\n")
    }

    fn push(&mut self, span: Span) {
        if matches!(self.blocks.last(), None | Some(Block::Quote { .. })) {
            self.blocks.push(Block::Line(Vec::new()));
        }
        let spans = self
            .blocks
            .last_mut()
            .and_then(Block::spans_mut)
            .expect("the last block is a line");
        match (spans.last_mut(), span) {
            (_, Span::Text(t)) if t.is_empty() => {}
            (Some(Span::Text(last)), Span::Text(t)) => last.push_str(&t),
            (_, span) => spans.push(span),
        }
    }
}

/// Each line of an escaped quote after `> `.
pub fn quote_lines(escaped: &str) -> String {
    let lines: Vec<String> = escaped.lines().map(|l| format!("> {l}")).collect();
    lines.join("\n")
}

/// Our own literal wording, in light Markdown: a `&'static str` cannot carry alert text, so its
/// markers are ours to read.
impl From<&'static str> for Doc {
    fn from(text: &'static str) -> Self {
        Doc::markup(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_spans_merge_and_line_breaks_start_lines() {
        let d = Doc::new()
            .text("a")
            .text("")
            .text("b\nc")
            .bold("d")
            .item()
            .code("e");
        assert_eq!(
            d.blocks(),
            &[
                Block::Line(vec![Span::Text("ab".into())]),
                Block::Line(vec![Span::Text("c".into()), Span::Bold("d".into())]),
                Block::Item(vec![Span::Code("e".into())]),
            ]
        );
    }

    #[test]
    fn appending_continues_the_last_line() {
        let d = Doc::new()
            .bold("2 open")
            .append(Doc::new().text(" x").line().text("y"));
        assert_eq!(d, Doc::new().bold("2 open").text(" x").line().text("y"));
        let items = Doc::new().text("h").append(Doc::new().item().text("a"));
        assert_eq!(items, Doc::new().text("h").item().text("a"));
    }

    #[test]
    fn hostile_text_stays_one_text_span() {
        let d = Doc::new().text("*bold* `code` <!channel> @everyone");
        assert_eq!(
            d.blocks()[0].spans(),
            &[Span::Text("*bold* `code` <!channel> @everyone".into())]
        );
    }
}
