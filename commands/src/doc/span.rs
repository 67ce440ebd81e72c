//! The runs a document's lines are made of, and what a span may name that each platform
//! renders its own way: a person (a mention there, or their name) and a time (in each reader's
//! zone where the platform can), and how long untrusted text may run ([`Budget`]: each platform
//! has its own numbers, counted its own way).

use chrono::{DateTime, Utc};

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
    /// Someone's words set apart (a one-line note).
    Italic(String),
    /// A person: a mention where they are linked on the platform, their name otherwise.
    Mention(Person),
    /// Several people, `a, b and 3 more`, within the platform's budget for a list of people.
    People(Vec<Person>),
    /// A time, shown in each reader's own zone where the platform can, as [`When`] says.
    Time(DateTime<Utc>, When),
    /// `text` linking to `href`; the text alone unless `href` is an http(s) URL.
    Link { href: String, text: String },
    /// A text, bold, code or italic span on one line (line breaks become spaces), cut with `…`
    /// to what the platform allows for `Budget`.
    Within(Budget, Box<Span>),
}

/// Someone a message names: their id on the platform it is rendered for when linked there (so
/// it can mention them), and their display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub chat_id: Option<String>,
    pub name: String,
}

/// How a time reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Date and time.
    DateTime,
    /// The time of day when it is the same day (UTC) as `now`, else date and time.
    Near(DateTime<Utc>),
    /// How long ago (`5 minutes ago`) where the platform can say it.
    Ago,
}

/// How long a piece of untrusted text may run. The platform sets the numbers (a Slack section
/// holds more than a Discord message) and counts them its own way (characters, UTF-16 units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// A person's or a config name.
    Name,
    /// A note or a resolve note.
    Note,
    /// This many, on every platform.
    Chars(usize),
}

impl Budget {
    /// The number, given the platform's own for names and notes.
    pub fn limit(self, name: usize, note: usize) -> usize {
        match self {
            Budget::Name => name,
            Budget::Note => note,
            Budget::Chars(n) => n,
        }
    }
}
