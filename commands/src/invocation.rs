//! Chat text → a command name and its arguments. Decides only whether the text is addressed to
//! firebell at all; what the arguments mean is each command's business.

use crate::command::ParseError;

/// A message addressed to firebell: `!ACK 3 4` → name `ack`, arguments `3 4`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation<'a> {
    /// Lowercased, without the `!`.
    pub name: String,
    /// Everything after the name, trimmed; inner spacing and line breaks kept (notes need them).
    pub args: &'a str,
}

impl<'a> Invocation<'a> {
    /// `None` when the text is not a command: no leading `!` where one is required, or a `!` not
    /// followed by a word that starts with a letter (`!!!`, `!1`), which is how people shout, not
    /// how they call a bot. With `bang_optional` (the console) every non-blank line is a command,
    /// so that a typo there still gets an answer.
    pub fn parse(text: &'a str, bang_optional: bool) -> Option<Self> {
        let text = text.trim();
        let (had_bang, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None if bang_optional => (false, text),
            None => return None,
        };
        let name = body
            .split_whitespace()
            .next()
            .filter(|_| !body.starts_with(char::is_whitespace))?;
        if had_bang && !bang_optional && !name.starts_with(|c: char| c.is_alphabetic()) {
            return None;
        }
        let args = body[name.len()..].trim();
        Some(Invocation {
            name: name.to_lowercase(),
            args,
        })
    }
}

/// A cursor over a command's arguments: take words one at a time, or the rest as free text.
#[derive(Debug, Clone)]
pub(crate) struct Args<'a> {
    /// Always starts at a word (or is empty).
    rest: &'a str,
}

impl<'a> Args<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { rest: text.trim() }
    }

    pub(crate) fn peek(&self) -> Option<&'a str> {
        self.rest.split_whitespace().next()
    }

    pub(crate) fn next_word(&mut self) -> Option<&'a str> {
        let word = self.peek()?;
        self.rest = self.rest[word.len()..].trim_start();
        Some(word)
    }

    /// The remaining text as typed (trimmed).
    pub(crate) fn rest(&self) -> &'a str {
        self.rest.trim_end()
    }

    /// Nothing may follow what was read: a leftover word is a mistake, pointed at.
    pub(crate) fn end(&self, usage: &'static str) -> Result<(), ParseError> {
        match self.peek() {
            Some(extra) => Err(ParseError::new(
                format!("unexpected `{extra}` at the end"),
                usage,
            )),
            None => Ok(()),
        }
    }
}

/// The id of something `!… list` shows (`4` or `#4`); `None` unless a positive number.
pub(crate) fn listed_id(word: &str) -> Option<i64> {
    word.strip_prefix('#')
        .unwrap_or(word)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(text: &str, bang_optional: bool) -> Option<(String, String)> {
        Invocation::parse(text, bang_optional).map(|i| (i.name, i.args.to_owned()))
    }

    #[test]
    fn a_bang_and_a_word_make_an_invocation_with_a_lowercase_name() {
        assert_eq!(
            inv("  !ACK  3 4 ", false),
            Some(("ack".into(), "3 4".into()))
        );
        assert_eq!(
            inv("!incidents", false),
            Some(("incidents".into(), String::new()))
        );
    }

    #[test]
    fn text_without_a_bang_is_not_a_command_in_a_channel() {
        assert_eq!(inv("ack 3", false), None);
        assert_eq!(inv("the build is red!", false), None);
        assert_eq!(inv("", false), None);
    }

    #[test]
    fn shouting_is_not_a_command() {
        for text in ["!", "!!!", "!1", "! ack", "!?"] {
            assert_eq!(inv(text, false), None, "{text:?}");
        }
    }

    #[test]
    fn on_the_console_the_bang_is_optional_and_any_word_is_answered() {
        assert_eq!(inv("ack 3", true), Some(("ack".into(), "3".into())));
        assert_eq!(inv("!ack 3", true), Some(("ack".into(), "3".into())));
        assert_eq!(inv("42", true), Some(("42".into(), String::new())));
        assert_eq!(inv("   ", true), None);
        assert_eq!(inv("!", true), None);
    }

    #[test]
    fn arguments_keep_their_inner_spacing_and_line_breaks() {
        let i = Invocation::parse("!note 4 first line\n  second  line", false).unwrap();
        assert_eq!(i.args, "4 first line\n  second  line");
    }

    #[test]
    fn the_cursor_hands_out_words_then_the_rest_verbatim() {
        let mut a = Args::new("  42   disk  cleaned\tup ");
        assert_eq!(a.peek(), Some("42"));
        assert_eq!(a.next_word(), Some("42"));
        assert_eq!(a.rest(), "disk  cleaned\tup");
        assert_eq!(a.next_word(), Some("disk"));
        assert_eq!(a.next_word(), Some("cleaned"));
        assert_eq!(a.next_word(), Some("up"));
        assert_eq!(a.next_word(), None);
        assert_eq!(a.rest(), "");
    }

    #[test]
    fn the_cursor_splits_on_unicode_spaces_without_panicking() {
        let mut a = Args::new("é\u{3000}ü\u{a0}x");
        assert_eq!(a.next_word(), Some("é"));
        assert_eq!(a.next_word(), Some("ü"));
        assert_eq!(a.rest(), "x");
    }
}
