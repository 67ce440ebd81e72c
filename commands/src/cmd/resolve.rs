//! `!resolve [N…|all] [note]`: the problem is gone; the words after the numbers say what fixed it.

use firebell_engine::{Actor, Engine, IncidentNumber, IncidentStatus};

use crate::cmd::note::check_length;
use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::targets::{self, Action, Targets};

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "resolve",
    aliases: &["res"],
    usage: "!resolve [N…|all] [note]",
    summary: "Resolve incidents, optionally with a note on what fixed them. `all` covers only this \
              room's open incidents (in a storm summary's thread, that storm's).",
    details: "Words after the numbers become a note on the timeline. With no number it resolves the \
              incident whose thread you are in, or else the only open incident posted in this \
              room. `all` resolves every open incident of the services posted in this room: in a \
              storm summary's thread, the storm's incidents; on the console, which shows every \
              room, every service's. Numbers work from anywhere, and an incident of another room \
              is named by its service and room. In a direct message there is no room, so name the \
              incidents: `!resolve 42 43`.",
    examples: &[
        (
            "!resolve 42 disk cleaned up",
            "resolve #42 with the note \"disk cleaned up\"",
        ),
        ("!resolve 3 4", "resolve #3 and #4"),
        (
            "!resolve all",
            "resolve every open incident posted in this room",
        ),
    ],
    parse: |args, thread| Resolve::parse_args(args, thread).map(Command::Resolve),
};

const RESOLVE: Action = Action {
    command: "resolve",
    verb: "resolve",
    done: "resolved",
    statuses: &[IncidentStatus::Triggered, IncidentStatus::Acknowledged],
    state: "open",
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub targets: Targets,
    pub note: Option<String>,
}

impl Resolve {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Resolve, ParseError> {
        let targets = targets::parse_leading(args, thread, SPEC.usage)?;
        let note = Some(args.rest())
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if let Some(note) = &note {
            check_length(note, SPEC.usage)?;
        }
        Ok(Resolve { targets, note })
    }

    pub(crate) async fn execute(self, engine: &Engine, ctx: &Context, actor: &Actor) -> Reply {
        let note = self.note.as_deref();
        match targets::choose(engine, ctx, self.targets, &RESOLVE).await {
            Ok(numbers) => {
                targets::act_on_each(engine, ctx, &numbers, &RESOLVE, |n| {
                    engine.resolve(n, actor, note)
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
    use firebell_engine::TimelineKind;

    use crate::test_support::{TestEngine, n, parse};

    fn resolve(targets: Targets, note: Option<&str>) -> Result<Command, ParseError> {
        Ok(Command::Resolve(Resolve {
            targets,
            note: note.map(str::to_owned),
        }))
    }

    #[test]
    fn resolve_splits_numbers_from_the_note() {
        assert_eq!(
            parse("!resolve 42 disk cleaned up"),
            resolve(Targets::Numbers(vec![n(42)]), Some("disk cleaned up"))
        );
        assert_eq!(
            parse("!resolve #3 4"),
            resolve(Targets::Numbers(vec![n(3), n(4)]), None)
        );
        assert_eq!(
            parse("!resolve all rolled back"),
            resolve(Targets::All, Some("rolled back"))
        );
        assert_eq!(parse("!resolve"), resolve(Targets::Unspecified, None));
        assert_eq!(
            parse("!resolve 3 all good now"),
            resolve(Targets::Numbers(vec![n(3)]), Some("all good now"))
        );
    }

    #[test]
    fn resolve_rejects_a_mangled_first_number() {
        let e = parse("!resolve #4x fixed").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`#4x` is not an incident number — try `42` or `#42`. Usage: `!resolve [N…|all] [note]`"
        );
    }

    #[tokio::test]
    async fn resolve_with_a_note_puts_the_note_on_the_timeline() {
        let t = TestEngine::start().await;
        t.open("web", "Disk full on db-01").await;

        let reply = t.say("!resolve 1 disk cleaned up").await;

        assert_eq!(
            reply,
            Reply::success("Resolved *#1* — Disk full on db-01 (web)")
        );
        let timeline = t.engine.timeline(n(1)).await.unwrap();
        let last = timeline.last().unwrap();
        assert_eq!(last.kind, TimelineKind::Resolved);
        assert_eq!(last.message, "Resolved: disk cleaned up");
        assert_eq!(last.actor, "alice");
    }

    #[tokio::test]
    async fn resolve_in_a_thread_takes_the_words_as_the_note() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.open("db", "Two").await;

        let reply = t.say_in_thread("!resolve fixed it", 2).await;

        assert_eq!(reply, Reply::success("Resolved *#2* — Two (db)"));
        assert_eq!(
            t.engine
                .timeline(n(2))
                .await
                .unwrap()
                .last()
                .unwrap()
                .message,
            "Resolved: fixed it"
        );
        assert_eq!(
            t.engine.incident(n(1)).await.unwrap().status,
            IncidentStatus::Triggered
        );
    }

    #[tokio::test]
    async fn bare_resolve_counts_acknowledged_incidents_as_open() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.say("!ack 1").await;

        let reply = t.say("!resolve").await;

        assert_eq!(reply, Reply::success("Resolved *#1* — One (web)"));
    }

    #[tokio::test]
    async fn resolving_twice_explains_it_is_already_resolved() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        t.say("!resolve 1").await;

        let reply = t.say("!resolve 1").await;

        assert_eq!(
            reply,
            Reply::error(
                "incident #1 is already resolved (by alice, 0 s ago) — nothing to resolve"
            )
        );
    }

    #[tokio::test]
    async fn resolve_all_in_a_room_resolves_only_that_rooms_open_incidents() {
        let config = firebell_engine::Config::parse(crate::test_support::TWO_ROOMS, "t", &|_| None);
        let t = TestEngine::start_with(config.unwrap()).await;
        t.open("web", "One").await;
        t.open("db", "Two").await;
        let data =
            crate::Context::chat(firebell_engine::ChatPlatform::Slack, "U0ALICE").in_room("data");
        t.say_as(data.clone(), "!ack 2").await;

        let reply = t.say_as(data, "!resolve all failed over").await;

        assert_eq!(reply, Reply::success("Resolved *#2* — Two (db)"));
        assert_eq!(
            t.engine.incident(n(1)).await.unwrap().status,
            IncidentStatus::Triggered
        );
    }

    #[tokio::test]
    async fn resolve_all_in_a_direct_message_is_refused_with_what_to_type() {
        let t = TestEngine::start().await;
        t.open("web", "One").await;
        let dm =
            crate::Context::chat(firebell_engine::ChatPlatform::Slack, "U0ALICE").direct_message();

        let reply = t.say_as(dm, "!resolve all").await;

        assert_eq!(
            reply,
            Reply::error(
                "In a direct message there is no room, so `!resolve all` covers no incidents; \
                 name the incidents instead: `!resolve 42 43` (`!incidents` lists the open ones), \
                 or type `!resolve all` in the room they were posted in."
            )
        );
        assert_eq!(
            t.engine.incident(n(1)).await.unwrap().status,
            IncidentStatus::Triggered
        );
    }
}
