//! `!help [command]`: the command list, or one command's usage, details and examples — all
//! rendered from the command table.

use std::fmt::Write;

use firebell_engine::IncidentNumber;

use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::{self, COMMANDS, CommandSpec};

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "help",
    aliases: &["commands"],
    usage: "!help [command]",
    summary: "List the commands, or explain one.",
    details: "Works for everyone, even before your chat account is linked to a firebell user.",
    examples: &[
        ("!help", "list the commands"),
        ("!help resolve", "explain `!resolve`"),
    ],
    parse: |args, thread| Help::parse_args(args, thread).map(Command::Help),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    /// The command asked about, lowercase and without `!`; `None` for the list.
    pub topic: Option<String>,
}

impl Help {
    /// Only the first word counts, so `!help ack 42` still explains `!ack`.
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<Help, ParseError> {
        let topic = args
            .next_word()
            .map(|w| w.trim_start_matches('!').to_lowercase())
            .filter(|w| !w.is_empty());
        Ok(Help { topic })
    }

    pub(crate) fn execute(self, ctx: &Context) -> Reply {
        let Some(topic) = self.topic else {
            return Reply::info(Doc::markup(&list(ctx)));
        };
        match spec::lookup(&topic) {
            Some(spec) => Reply::info(Doc::markup(&explain(spec))),
            None => {
                let guess = spec::suggest(&topic)
                    .map(|s| format!(" Did you mean `!{}`?", s.name))
                    .unwrap_or_default();
                Reply::info(Doc::markup(&format!(
                    "There is no `!{topic}` command.{guess}\n\n{}",
                    list(ctx)
                )))
            }
        }
    }
}

/// Every command with its usage and summary.
fn list(ctx: &Context) -> String {
    let mut text = String::from("*firebell commands*\n");
    for c in COMMANDS {
        let _ = writeln!(text, "`{}` — {}", c.usage, c.summary);
    }
    text.push_str("`N` is an incident number, like `42` or `#42`. In an incident's thread you can leave it out.\n");
    text.push_str(
        "`all` covers the incidents posted in the room you type it in (in a storm summary's \
         thread, that storm's); numbers work anywhere. In a direct message, name the incidents.\n",
    );
    if ctx.bang_optional {
        text.push_str("Here the `!` is optional: `ack 42` works too.\n");
    }
    text.push_str("`!help <command>` explains one command, with examples.");
    text
}

/// One command in full.
fn explain(c: &CommandSpec) -> String {
    let mut text = format!("*!{}* — {}\nUsage: `{}`", c.name, c.summary, c.usage);
    if !c.aliases.is_empty() {
        let aliases: Vec<String> = c.aliases.iter().map(|a| format!("`!{a}`")).collect();
        let _ = write!(text, "\nAlso: {}", aliases.join(", "));
    }
    if !c.details.is_empty() {
        let _ = write!(text, "\n{}", c.details);
    }
    if !c.examples.is_empty() {
        text.push_str("\nExamples:");
        for (example, what) in c.examples {
            let _ = write!(text, "\n• `{example}` — {what}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Tone;
    use crate::test_support::{TestEngine, parse};
    use firebell_engine::ChatPlatform;

    #[test]
    fn help_takes_an_optional_topic_with_or_without_bang() {
        assert_eq!(parse("!help"), Ok(Command::Help(Help { topic: None })));
        assert_eq!(
            parse("!help ACK"),
            Ok(Command::Help(Help {
                topic: Some("ack".into())
            }))
        );
        assert_eq!(
            parse("!help !ack 42"),
            Ok(Command::Help(Help {
                topic: Some("ack".into())
            }))
        );
    }

    #[test]
    fn the_list_shows_every_command_from_the_table() {
        let text = list(&Context::chat(ChatPlatform::Slack, "U1"));
        for c in COMMANDS {
            assert!(
                text.contains(&format!("`{}` — {}", c.usage, c.summary)),
                "{} missing:\n{text}",
                c.name
            );
        }
        assert!(
            !text.contains("`!` is optional"),
            "the `!` is required in channels"
        );
        assert!(list(&Context::console(None)).contains("Here the `!` is optional"));
    }

    #[test]
    fn the_list_says_what_all_covers_and_what_works_in_a_direct_message() {
        let text = list(&Context::chat(ChatPlatform::Slack, "U1"));
        assert!(
            text.contains(
                "`all` covers the incidents posted in the room you type it in (in a storm \
                 summary's thread, that storm's); numbers work anywhere. In a direct message, \
                 name the incidents."
            ),
            "{text}"
        );
    }

    #[test]
    fn explaining_a_command_shows_usage_aliases_details_and_examples() {
        let reply = Help {
            topic: Some("acknowledge".into()),
        }
        .execute(&Context::chat(ChatPlatform::Slack, "U1"));
        assert_eq!(reply.tone, Tone::Info);
        assert_eq!(
            reply.text(),
            "*!ack* — Acknowledge incidents: you are on it, so paging stops. `all` covers only \
             this room's triggered incidents (in a storm summary's thread, that storm's).\n\
             Usage: `!ack [N…|all]`\n\
             Also: `!acknowledge`\n\
             With no number it acknowledges the incident whose thread you are in, or else the only \
             triggered incident posted in this room. `all` acknowledges every triggered incident \
             of the services posted in this room: in a storm summary's thread, the storm's \
             incidents; on the console, which shows every room, every service's. Numbers work \
             from anywhere, and an incident of another room is named by its service and room. \
             In a direct message there is no room, so name the incidents: `!ack 42 43`.\n\
             Examples:\n\
             • `!ack 42` — acknowledge #42\n\
             • `!ack 3 4` — acknowledge #3 and #4\n\
             • `!ack all` — acknowledge every triggered incident posted in this room"
        );
    }

    #[test]
    fn help_on_an_unknown_topic_suggests_and_lists() {
        let reply = Help {
            topic: Some("resolv".into()),
        }
        .execute(&Context::chat(ChatPlatform::Slack, "U1"));
        assert!(
            reply.text().starts_with(
                "There is no `!resolv` command. Did you mean `!resolve`?\n\n*firebell commands*"
            ),
            "{}",
            reply.text()
        );
    }

    #[tokio::test]
    async fn help_answers_people_who_are_not_linked_yet() {
        let t = TestEngine::start().await;
        let reply = t
            .say_as(Context::chat(ChatPlatform::Slack, "U404"), "!help")
            .await;
        assert!(
            reply.text().starts_with("*firebell commands*"),
            "{}",
            reply.text()
        );
    }
}
