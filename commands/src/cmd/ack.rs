//! `!ack [N…|all]`: someone is on it, so paging stops.

use firebell_engine::{Actor, Engine, IncidentNumber, IncidentStatus};

use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::targets::{self, Action, Targets};

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "ack",
    aliases: &["acknowledge"],
    usage: "!ack [N…|all]",
    summary: "Acknowledge incidents: you are on it, so paging stops. `all` covers only this room's \
              triggered incidents (in a storm summary's thread, that storm's).",
    details: "With no number it acknowledges the incident whose thread you are in, or else the only \
              triggered incident posted in this room. `all` acknowledges every triggered incident \
              of the services posted in this room: in a storm summary's thread, the storm's \
              incidents; on the console, which shows every room, every service's. Numbers work \
              from anywhere, and an incident of another room is named by its service and room. \
              In a direct message there is no room, so name the incidents: `!ack 42 43`.",
    examples: &[
        ("!ack 42", "acknowledge #42"),
        ("!ack 3 4", "acknowledge #3 and #4"),
        (
            "!ack all",
            "acknowledge every triggered incident posted in this room",
        ),
    ],
    parse: |args, thread| Ack::parse_args(args, thread).map(Command::Ack),
};

const ACK: Action = Action {
    command: "ack",
    verb: "acknowledge",
    done: "acknowledged",
    statuses: &[IncidentStatus::Triggered],
    state: "triggered",
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub targets: Targets,
}

impl Ack {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Ack, ParseError> {
        let targets = targets::parse_leading(args, thread, SPEC.usage)?;
        match args.peek() {
            Some(word) => Err(targets::stray_word(word, &targets, SPEC.usage)),
            None => Ok(Ack { targets }),
        }
    }

    pub(crate) async fn execute(self, engine: &Engine, ctx: &Context, actor: &Actor) -> Reply {
        match targets::choose(engine, ctx, self.targets, &ACK).await {
            Ok(numbers) => {
                targets::act_on_each(engine, ctx, &numbers, &ACK, |n| {
                    engine.acknowledge(n, actor)
                })
                .await
            }
            Err(reply) => reply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Tone;
    use crate::test_support::{TestEngine, n, parse};

    #[test]
    fn ack_parses_numbers_all_and_nothing() {
        assert_eq!(
            parse("!ack 42"),
            Ok(Command::Ack(Ack {
                targets: Targets::Numbers(vec![n(42)])
            }))
        );
        assert_eq!(
            parse("!ack #3 4"),
            Ok(Command::Ack(Ack {
                targets: Targets::Numbers(vec![n(3), n(4)])
            }))
        );
        assert_eq!(
            parse("!ack all"),
            Ok(Command::Ack(Ack {
                targets: Targets::All
            }))
        );
        assert_eq!(
            parse("!ack"),
            Ok(Command::Ack(Ack {
                targets: Targets::Unspecified
            }))
        );
    }

    #[test]
    fn ack_points_at_the_word_it_cannot_read() {
        let e = parse("!ack 3 abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`abc` is not an incident number — try `42` or `#42`. Usage: `!ack [N…|all]`"
        );
        let e = parse("!ack 3 all").unwrap_err();
        assert!(
            e.message().contains("`all` already means every incident"),
            "{e}"
        );
        let e = parse("!ack all please").unwrap_err();
        assert!(e.message().contains("got `please`"), "{e}");
    }

    #[tokio::test]
    async fn ack_by_number_acknowledges_the_incident() {
        let t = TestEngine::start().await;
        let n1 = t.open("web", "Disk full on db-01").await;

        let reply = t.say("!ack 1").await;

        assert_eq!(
            reply,
            Reply::success("Acknowledged *#1* — Disk full on db-01 (web)")
        );
        let incident = t.engine.incident(n1).await.unwrap();
        assert_eq!(incident.status, IncidentStatus::Acknowledged);
        assert_eq!(incident.acknowledged_by.as_deref(), Some("alice"));
        assert_eq!(
            incident.acknowledged_via,
            Some(firebell_engine::Channel::Slack)
        );
    }

    #[tokio::test]
    async fn acking_an_acknowledged_incident_says_who_already_did() {
        let t = TestEngine::start().await;
        t.open("web", "Disk full").await;
        t.say("!ack 1").await;

        let reply = t.say("!ack #1").await;

        assert_eq!(reply.tone, Tone::Error);
        assert_eq!(
            reply.text(),
            "incident #1 is already acknowledged (by alice, 0 s ago)"
        );
    }

    #[tokio::test]
    async fn acking_a_missing_incident_says_so() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!ack 9").await,
            Reply::error("there is no incident #9")
        );
    }

    #[tokio::test]
    async fn bare_ack_takes_the_only_triggered_incident() {
        let t = TestEngine::start().await;
        t.open("web", "Acked earlier").await;
        t.say("!ack 1").await;
        t.open("db", "Replication lag").await;

        let reply = t.say("!ack").await;

        assert_eq!(
            reply,
            Reply::success("Acknowledged *#2* — Replication lag (db)")
        );
    }

    #[tokio::test]
    async fn bare_ack_with_several_triggered_asks_which() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;
        t.open("db", "Replication lag").await;

        let reply = t.say("!ack").await;

        assert_eq!(reply.tone, Tone::Info);
        assert_eq!(
            reply.text(),
            "2 incidents are triggered:\n• *#1* web — Checkout 500s\n• *#2* db — Replication lag\n\
             Say which: `!ack 1 2` or `!ack all`."
        );
        assert_eq!(
            t.engine.incident(n(1)).await.unwrap().status,
            IncidentStatus::Triggered
        );
    }

    #[tokio::test]
    async fn bare_ack_with_nothing_triggered_says_so() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!ack").await,
            Reply::info(
                "Nothing to acknowledge: no incident of this room's services (db, web) is triggered."
            )
        );
    }

    #[tokio::test]
    async fn ack_all_acknowledges_every_triggered_incident() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.open("db", "Two").await;

        let reply = t.say("!ack all").await;

        assert_eq!(
            reply,
            Reply::success("*#1* acknowledged — One\n*#2* acknowledged — Two")
        );
    }

    #[tokio::test]
    async fn several_numbers_are_reported_one_by_one() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.open("db", "Two").await;
        t.say("!resolve 2").await;

        let reply = t.say("!ack 1 2 7").await;

        assert_eq!(reply.tone, Tone::Info, "some worked, some did not");
        assert_eq!(
            reply.text(),
            "*#1* acknowledged — One\n\
             incident #2 is already resolved (by alice, 0 s ago) — nothing to acknowledge\n\
             there is no incident #7"
        );
    }

    #[tokio::test]
    async fn in_a_thread_bare_ack_acts_on_the_threads_incident() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.open("db", "Two").await;

        let reply = t.say_in_thread("!ack", 1).await;

        assert_eq!(reply, Reply::success("Acknowledged *#1* — One (web)"));
        assert_eq!(
            t.engine.incident(n(2)).await.unwrap().status,
            IncidentStatus::Triggered
        );
    }
}

#[cfg(test)]
#[path = "ack_scope_tests.rs"]
mod scope_tests;
