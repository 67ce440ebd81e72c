//! A message as a platform-neutral document: lines (a plain line or a `• ` list item) of spans
//! (text, bold, code). Commands build one; each chat surface only renders it, with its own
//! escaping, so what is text stays text: an alert title can never become bold, a code span or a
//! ping, whatever characters it holds.
//!
//! Building one is as short as writing the string was:
//! `Doc::new().text("Acknowledged ").bold(format!("#{n}")).text(" — ").text(title)`.
//!
//! # Layout
//! - here: [`Doc`], [`Block`], [`Span`] and the builder.
//! - `markup`: firebell's light Markdown (`*bold*`, `` `code` ``), the form tests and logs read a
//!   document in ([`Doc::to_markup`]), and the one parser back ([`Doc::markup`]) for our own
//!   literal wording and for text that crossed a string boundary (a report digest).

mod markup;

/// One run of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Shown as typed on every platform: never formatting, never a mention. Holds no line break
    /// (the builder starts a new line instead).
    Text(String),
    /// Emphasis (a number, a name, a heading).
    Bold(String),
    /// A command, a config key, something to type.
    Code(String),
}

/// One line of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A line of its own.
    Line(Vec<Span>),
    /// A `• ` list item.
    Item(Vec<Span>),
}

impl Block {
    pub fn spans(&self) -> &[Span] {
        match self {
            Block::Line(spans) | Block::Item(spans) => spans,
        }
    }

    fn spans_mut(&mut self) -> &mut Vec<Span> {
        match self {
            Block::Line(spans) | Block::Item(spans) => spans,
        }
    }

    /// What a list item starts with, on every platform.
    pub fn bullet(&self) -> &'static str {
        match self {
            Block::Line(_) => "",
            Block::Item(_) => "• ",
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
        if let Some(first) = blocks.next() {
            if let Block::Item(_) = first {
                self.blocks.push(Block::Item(Vec::new()));
            }
            for span in first.spans().iter().cloned() {
                self.push(span);
            }
        }
        self.blocks.extend(blocks);
        self
    }

    /// The document line by line, an item's bullet first and each span as `span` writes it,
    /// lines joined with line breaks: the walk the surfaces share; the escaping is theirs.
    pub fn render(&self, mut span: impl FnMut(&Span) -> String) -> String {
        let lines: Vec<String> = self
            .blocks
            .iter()
            .map(|block| {
                let spans = block.spans().iter().map(&mut span);
                std::iter::once(block.bullet().to_owned())
                    .chain(spans)
                    .collect()
            })
            .collect();
        lines.join("\n")
    }

    fn push(&mut self, span: Span) {
        let spans = self
            .blocks
            .last_mut()
            .expect("a document has a line")
            .spans_mut();
        match (spans.last_mut(), span) {
            (_, Span::Text(t)) if t.is_empty() => {}
            (Some(Span::Text(last)), Span::Text(t)) => last.push_str(&t),
            (_, span) => spans.push(span),
        }
    }
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
