//! `!note N text`: add to an incident's timeline (what was tried, what was seen).

use firebell_engine::{Actor, Engine, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "note",
    aliases: &["comment"],
    usage: "!note N text",
    summary: "Add a note to an incident's timeline.",
    details: "In an incident's thread you can leave out the number. Notes feed the postmortem, so \
              write down what you tried and what you saw.",
    examples: &[(
        "!note 42 restarted the api pods, errors stopped",
        "add that note to #42",
    )],
    parse: |args, thread| Note::parse_args(args, thread).map(Command::Note),
};

/// Longer than this is a paste of a log, which belongs in a link, not a chat note.
pub(crate) const MAX_NOTE_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub incident: IncidentNumber,
    pub text: String,
}

impl Note {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Note, ParseError> {
        let incident = match (args.peek().map(IncidentNumber::parse), thread) {
            (Some(Ok(n)), _) => {
                args.next_word();
                n
            }
            (_, Some(n)) => n,
            (Some(Err(e)), None) => return Err(ParseError::new(e.message(), SPEC.usage)),
            (None, None) => {
                return Err(ParseError::new(
                    "Which incident, and what should the note say?",
                    SPEC.usage,
                ));
            }
        };
        let text = args.rest();
        if text.is_empty() {
            return Err(ParseError::new(
                format!("What should the note on {incident} say?"),
                SPEC.usage,
            ));
        }
        check_length(text, SPEC.usage)?;
        Ok(Note {
            incident,
            text: text.to_owned(),
        })
    }

    pub(crate) async fn execute(self, engine: &Engine, actor: &Actor) -> Reply {
        match engine.add_note(self.incident, actor, &self.text).await {
            Ok(i) => Reply::success(
                Doc::new()
                    .text("Noted on ")
                    .bold(i.number.to_string())
                    .text(format!(" — {}", i.title)),
            ),
            Err(e) => Reply::from_engine(&e),
        }
    }
}

/// Notes (here and on `!resolve`) longer than [`MAX_NOTE_CHARS`] are refused with their length.
pub(crate) fn check_length(text: &str, usage: &'static str) -> Result<(), ParseError> {
    let len = text.chars().count();
    if len > MAX_NOTE_CHARS {
        return Err(ParseError::new(
            format!(
                "that note is {len} characters; keep it under {MAX_NOTE_CHARS} and link to long logs"
            ),
            usage,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use firebell_engine::TimelineKind;

    use crate::test_support::{TestEngine, n, parse, parse_in_thread};

    #[test]
    fn note_takes_a_number_then_free_text() {
        let want = Ok(Command::Note(Note {
            incident: n(42),
            text: "restarted\n  the pods".into(),
        }));
        assert_eq!(parse("!note 42 restarted\n  the pods"), want);
        assert_eq!(parse("!note #42 restarted\n  the pods"), want);
    }

    #[test]
    fn note_needs_a_number_outside_a_thread() {
        let e = parse("!note restarted the pods").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`restarted` is not an incident number — try `42` or `#42`. Usage: `!note N text`"
        );
        let e = parse("!note").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Which incident, and what should the note say? Usage: `!note N text`"
        );
    }

    #[test]
    fn note_needs_text() {
        let e = parse("!note 42").unwrap_err();
        assert_eq!(
            e.to_string(),
            "What should the note on #42 say? Usage: `!note N text`"
        );
        let e = parse_in_thread("!note", 7).unwrap_err();
        assert_eq!(e.message(), "What should the note on #7 say?");
    }

    #[test]
    fn in_a_thread_the_number_is_optional() {
        assert_eq!(
            parse_in_thread("!note looks like DNS", 7),
            Ok(Command::Note(Note {
                incident: n(7),
                text: "looks like DNS".into()
            }))
        );
        assert_eq!(
            parse_in_thread("!note 8 looks like DNS", 7),
            Ok(Command::Note(Note {
                incident: n(8),
                text: "looks like DNS".into()
            }))
        );
    }

    #[test]
    fn overlong_notes_are_refused_with_their_length() {
        let e = parse(&format!("!note 1 {}", "x".repeat(MAX_NOTE_CHARS + 1))).unwrap_err();
        assert!(
            e.message().starts_with("that note is 4001 characters"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn note_adds_to_the_timeline() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;

        let reply = t.say("!note 1 rolled back deploy 812").await;

        assert_eq!(reply, Reply::success("Noted on *#1* — Checkout 500s"));
        let last = t.engine.timeline(n(1)).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.kind, last.message.as_str(), last.actor.as_str()),
            (TimelineKind::Note, "rolled back deploy 812", "alice")
        );
    }

    #[tokio::test]
    async fn note_on_a_missing_incident_says_so() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!note 5 hello").await,
            Reply::error("there is no incident #5")
        );
    }
}
