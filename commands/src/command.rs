//! The closed set of commands, parsed from an [`Invocation`], and the one place that decides
//! which of them need an authorized user before they run.

use std::fmt;

use firebell_engine::{Engine, IncidentNumber};

use crate::authorize::authorize;
use crate::cmd::{
    ack::Ack, escalate::Escalate, help::Help, incidents::Incidents, maintenance::Maintenance,
    note::Note, oncall::OnCall, overrides::Override, postmortem::Postmortem, report::Report,
    resolve::Resolve, trigger::Trigger, unknown,
};
use crate::context::Context;
use crate::doc::Doc;
use crate::invocation::{Args, Invocation};
use crate::reply::Reply;
use crate::spec;

/// A chat command with its arguments parsed. Buttons and slash commands build these directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Ack(Ack),
    Resolve(Resolve),
    Incidents(Incidents),
    Note(Note),
    Escalate(Escalate),
    OnCall(OnCall),
    Override(Override),
    Maintenance(Maintenance),
    Trigger(Trigger),
    Postmortem(Postmortem),
    Report(Report),
    Help(Help),
    /// A name no command answers to: gets a suggestion and a pointer to `!help`, not an error.
    Unknown {
        name: String,
    },
}

/// Arguments that do not fit the command's grammar: what was wrong, pointing at the word, and
/// the usage line that would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    message: String,
    usage: &'static str,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, usage: &'static str) -> Self {
        Self {
            message: message.into(),
            usage,
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn usage(&self) -> &'static str {
        self.usage
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stop = if self.message.ends_with(['.', '?', '!']) {
            ""
        } else {
            "."
        };
        write!(f, "{}{stop} Usage: `{}`", self.message, self.usage)
    }
}

impl std::error::Error for ParseError {}

/// What a person sees of a parse error: the message (worded in light Markdown, as it is also an
/// error's `Display`), then the usage line as code.
impl From<&ParseError> for Reply {
    fn from(e: &ParseError) -> Self {
        let stop = if e.message.ends_with(['.', '?', '!']) {
            ""
        } else {
            "."
        };
        Reply::error(
            Doc::markup(&e.message)
                .text(format!("{stop} Usage: "))
                .code(e.usage),
        )
    }
}

impl Command {
    /// Names are looked up in the command table; `thread` is the incident to act on when the
    /// arguments name none.
    pub fn from_invocation(
        inv: &Invocation<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Command, ParseError> {
        match spec::lookup(&inv.name) {
            Some(spec) => (spec.parse)(&mut Args::new(inv.args), thread),
            None => Ok(Command::Unknown {
                name: inv.name.clone(),
            }),
        }
    }

    /// Help and unknown names answer anyone, so a newcomer can find their way before they are
    /// linked; everything that reads or changes incidents needs a configured user.
    pub(crate) async fn execute(self, engine: &Engine, ctx: &Context) -> Reply {
        let actor = || authorize(engine.config(), ctx);
        let run = async {
            Ok::<_, Reply>(match self {
                Command::Help(c) => c.execute(ctx),
                Command::Unknown { name } => unknown::execute(&name),
                Command::Ack(c) => c.execute(engine, ctx, &actor()?).await,
                Command::Resolve(c) => c.execute(engine, ctx, &actor()?).await,
                Command::Incidents(c) => {
                    actor()?;
                    c.execute(engine).await
                }
                Command::Note(c) => c.execute(engine, &actor()?).await,
                Command::Escalate(c) => c.execute(engine, &actor()?).await,
                Command::OnCall(c) => c.execute(engine, &actor()?).await,
                Command::Override(c) => c.execute(engine, ctx, &actor()?).await,
                Command::Maintenance(c) => c.execute(engine, ctx, &actor()?).await,
                Command::Trigger(c) => c.execute(engine, &actor()?).await,
                Command::Postmortem(c) => {
                    actor()?;
                    c.execute(engine).await
                }
                Command::Report(c) => c.execute(engine, &actor()?).await,
            })
        };
        run.await.unwrap_or_else(|refused| refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Targets;
    use crate::test_support::{n, parse, parse_in_thread};

    #[test]
    fn names_are_case_insensitive_and_aliases_parse_the_same() {
        let want = Ok(Command::Ack(Ack {
            targets: Targets::Numbers(vec![n(3)]),
        }));
        assert_eq!(parse("!ack 3"), want);
        assert_eq!(parse("!ACK #3"), want);
        assert_eq!(parse("!Acknowledge 3"), want);
        assert_eq!(parse("!inc"), Ok(Command::Incidents(Incidents)));
        assert_eq!(parse("!list"), Ok(Command::Incidents(Incidents)));
        assert_eq!(parse("!res 3"), parse("!resolve 3"));
        assert_eq!(parse("!comment 3 hi"), parse("!note 3 hi"));
        assert_eq!(parse("!commands"), parse("!help"));
    }

    #[test]
    fn unknown_names_become_unknown_commands_not_errors() {
        assert_eq!(
            parse("!deploy"),
            Ok(Command::Unknown {
                name: "deploy".into()
            })
        );
        assert_eq!(parse("!AKC 3"), Ok(Command::Unknown { name: "akc".into() }));
    }

    #[test]
    fn parse_errors_end_with_the_usage_line() {
        let e = parse("!ack abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`abc` is not an incident number — try `42` or `#42`. Usage: `!ack [N…|all]`"
        );
        let e = ParseError::new("Which incident?", "!note N text");
        assert_eq!(e.to_string(), "Which incident? Usage: `!note N text`");
    }

    #[test]
    fn a_thread_supplies_the_incident_when_none_is_named() {
        assert_eq!(
            parse_in_thread("!ack", 7),
            Ok(Command::Ack(Ack {
                targets: Targets::Numbers(vec![n(7)])
            }))
        );
        assert_eq!(
            parse_in_thread("!ack 8", 7),
            Ok(Command::Ack(Ack {
                targets: Targets::Numbers(vec![n(8)])
            }))
        );
        assert_eq!(
            parse_in_thread("!resolve fixed it", 7),
            Ok(Command::Resolve(Resolve {
                targets: Targets::Numbers(vec![n(7)]),
                note: Some("fixed it".into())
            }))
        );
        assert_eq!(
            parse_in_thread("!note looks like DNS", 7),
            Ok(Command::Note(Note {
                incident: n(7),
                text: "looks like DNS".into()
            }))
        );
    }
}
