//! `!escalate [N]`: page the next level now instead of waiting for its timer.

use firebell_engine::config::Target;
use firebell_engine::{Actor, Config, Engine, Incident, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::people::person;
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::targets::one_incident;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "escalate",
    aliases: &[],
    usage: "!escalate [N]",
    summary: "Page the next escalation level now instead of waiting for its timer.",
    details: "In an incident's thread you can leave out the number. An acknowledged incident goes \
              back to triggered, so the next level is paged until someone acknowledges.",
    examples: &[("!escalate 42", "page #42's next level now")],
    parse: |args, thread| Escalate::parse_args(args, thread).map(Command::Escalate),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalate {
    pub incident: IncidentNumber,
}

impl Escalate {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Escalate, ParseError> {
        let incident = one_incident(args, thread, SPEC.usage, |extra| {
            format!("escalate one incident at a time (got `{extra}` too)")
        })?;
        Ok(Escalate { incident })
    }

    pub(crate) async fn execute(self, engine: &Engine, actor: &Actor) -> Reply {
        let (incident, level) = match engine.escalate(self.incident, actor).await {
            Ok(e) => (e.incident, e.level as usize),
            Err(e) => return Reply::from_engine(&e),
        };
        let whom = targets(engine.config(), &incident, level)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        Reply::success(Doc::new().bold(incident.number.to_string()).text(format!(
            " escalated — level {level} is being paged{whom} · {}",
            incident.title
        )))
    }
}

/// Who `level` pages, as configured: `schedule primary, Carol Chen (carol)`.
fn targets(config: &Config, incident: &Incident, level: usize) -> Option<String> {
    let policy = config
        .services
        .get(&incident.service)?
        .escalation_policy
        .as_ref()
        .and_then(|p| config.escalation_policies.get(p))?;
    let names: Vec<String> = policy
        .levels
        .get(level - 1)?
        .targets
        .iter()
        .map(|t| match t {
            Target::User(u) => person(config, u.as_str()),
            Target::Schedule(s) => format!("schedule {s}"),
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Tone;
    use crate::test_support::{TestEngine, n, parse, parse_in_thread};

    #[test]
    fn escalate_takes_a_number_or_the_thread() {
        assert_eq!(
            parse("!escalate #42"),
            Ok(Command::Escalate(Escalate { incident: n(42) }))
        );
        assert_eq!(
            parse_in_thread("!escalate", 7),
            Ok(Command::Escalate(Escalate { incident: n(7) }))
        );
        assert_eq!(
            parse_in_thread("!escalate 8", 7),
            Ok(Command::Escalate(Escalate { incident: n(8) }))
        );
    }

    #[test]
    fn escalate_refuses_what_it_cannot_read() {
        let msg = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            msg("!escalate"),
            "Which incident? Outside its thread, give the number. Usage: `!escalate [N]`"
        );
        assert_eq!(
            msg("!escalate abc"),
            "`abc` is not an incident number — try `42` or `#42`. Usage: `!escalate [N]`"
        );
        assert_eq!(
            msg("!escalate 3 4"),
            "escalate one incident at a time (got `4` too). Usage: `!escalate [N]`"
        );
    }

    #[tokio::test]
    async fn escalate_pages_the_next_level_and_says_which() {
        let t = TestEngine::start().await;
        t.open("db", "Replication lag").await;
        t.engine.tick().await.unwrap();

        let reply = t.say("!escalate 1").await;

        assert_eq!(
            reply,
            Reply::success(
                "*#1* escalated — level 2 is being paged (schedule secondary) · Replication lag"
            )
        );
    }

    #[tokio::test]
    async fn an_acknowledged_incident_goes_back_to_triggered() {
        let t = TestEngine::start().await;
        t.open("db", "Replication lag").await;
        t.engine.tick().await.unwrap();
        t.say("!ack 1").await;

        let reply = t.say_in_thread("!escalate", 1).await;

        assert_eq!(reply.tone, Tone::Success, "{}", reply.text());
        let i = t.engine.incident(n(1)).await.unwrap();
        assert_eq!(i.status, firebell_engine::IncidentStatus::Triggered);
    }

    #[tokio::test]
    async fn escalating_without_a_policy_or_a_missing_incident_says_why() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;
        assert_eq!(
            t.say("!escalate 1").await,
            Reply::error(
                "service `web` has no escalation policy, so there is no level to escalate to"
            )
        );
        assert_eq!(
            t.say("!escalate 9").await,
            Reply::error("there is no incident #9")
        );
    }
}
