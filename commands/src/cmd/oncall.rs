//! `!oncall [schedule|service]`: who has the pager now, since and until when, and who is next.

use firebell_engine::config::Target;
use firebell_engine::oncall::OnCallNow;
use firebell_engine::{Actor, Config, Engine, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::people::person;
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::when;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "oncall",
    aliases: &["who"],
    usage: "!oncall [schedule|service]",
    summary: "Show who is on call now, until when, and who is next.",
    details: "With no name it shows every schedule. A service shows the schedules its escalation \
              policy pages, and the people its first level pages directly. Times are in your \
              time zone (`timezone` under your `[users.<id>]` entry), else UTC.",
    examples: &[
        ("!oncall", "every schedule"),
        ("!oncall primary", "just the `primary` schedule"),
        ("!oncall web", "whoever gets paged for the `web` service"),
    ],
    parse: |args, thread| OnCall::parse_args(args, thread).map(Command::OnCall),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCall {
    /// A schedule or a service; `None` for every schedule.
    pub name: Option<String>,
}

impl OnCall {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<OnCall, ParseError> {
        let name = args.next_word().map(str::to_owned);
        if let Some(extra) = args.peek() {
            return Err(ParseError::new(
                format!("name one schedule or service at a time (got `{extra}` too)"),
                SPEC.usage,
            ));
        }
        Ok(OnCall { name })
    }

    pub(crate) async fn execute(self, engine: &Engine, actor: &Actor) -> Reply {
        let config = engine.config();
        let name = self.name.as_deref();
        let now_on = match engine.on_call(name).await {
            Ok(list) => list,
            Err(e) => return Reply::from_engine(&e),
        };
        let view = View {
            config,
            viewer: config.user(&actor.name),
            now: engine.clock().now(),
        };
        let direct = name
            .filter(|n| !config.schedules.contains_key(*n))
            .map(|n| direct_targets(config, n))
            .unwrap_or_default();
        if now_on.is_empty() && direct.is_empty() {
            return Reply::info(match name {
                None => Doc::from(
                    "No schedules are configured — add one under `[schedules.NAME]` in \
                     firebell.toml.",
                ),
                Some(n) => Doc::new().text("Service ").bold(n).text(
                    " pages no schedule and no one directly: it has no escalation policy with \
                     targets.",
                ),
            });
        }
        let mut doc = match name {
            Some(n) if !config.schedules.contains_key(n) => {
                Doc::new().bold(format!("On call for service {n}"))
            }
            _ => Doc::new().bold("On call now"),
        };
        for o in &now_on {
            doc = doc.item().append(view.line(o));
        }
        if !direct.is_empty() {
            let people: Vec<String> = direct.iter().map(|u| person(config, u)).collect();
            doc = doc.line().text(format!(
                "Also paged directly at level 1: {}",
                people.join(", ")
            ));
        }
        Reply::info(doc)
    }
}

/// What the reply needs to word times for the person asking.
struct View<'a> {
    config: &'a Config,
    viewer: Option<&'a firebell_engine::config::User>,
    now: chrono::DateTime<chrono::Utc>,
}

impl View<'_> {
    /// `*primary*: *Bob Brown* (bob) since Mon 02 Mar 09:00 CET, until Mon 09 Mar 09:00 CET (in
    /// 6d 23h) · next: Alice Adams (alice)`
    fn line(&self, o: &OnCallNow) -> Doc {
        let doc = Doc::new().bold(o.schedule.to_string()).text(": ");
        let doc = match &o.user {
            Some(u) => match self.config.user(u.as_str()) {
                Some(user) => doc.bold(user.name.clone()).text(format!(" ({})", user.id)),
                None => doc.bold(u.to_string()),
            },
            None => doc.text("nobody is on call"),
        };
        let mut line = String::new();
        if let Some(id) = o.override_id {
            line.push_str(&format!(" (override #{id})"));
        }
        if let (Some(since), Some(_)) = (o.since, &o.user) {
            line.push_str(&format!(" since {}", when::local(since, self.viewer)));
        }
        match o.until {
            Some(until) => line.push_str(&format!(
                ", until {}",
                when::local_and_relative(until, self.now, self.viewer)
            )),
            None => line.push_str(", no handoff in sight"),
        }
        if o.until.is_some() {
            let next = match &o.next {
                Some(u) => person(self.config, u.as_str()),
                None => "nobody".to_owned(),
            };
            line.push_str(&format!(" · next: {next}"));
        }
        doc.text(line)
    }
}

/// The people a service's first escalation level pages by name (not through a schedule).
fn direct_targets(config: &Config, service: &str) -> Vec<String> {
    let Some(policy) = config
        .service(service)
        .and_then(|s| s.escalation_policy.as_ref())
        .and_then(|p| config.escalation_policies.get(p))
    else {
        return Vec::new();
    };
    policy
        .levels
        .first()
        .into_iter()
        .flat_map(|l| &l.targets)
        .filter_map(|t| match t {
            Target::User(u) => Some(u.as_str().to_owned()),
            Target::Schedule(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Tone;
    use crate::test_support::{TestEngine, parse};

    #[test]
    fn oncall_takes_at_most_one_name() {
        assert_eq!(parse("!oncall"), Ok(Command::OnCall(OnCall { name: None })));
        assert_eq!(
            parse("!oncall primary"),
            Ok(Command::OnCall(OnCall {
                name: Some("primary".into())
            }))
        );
        let e = parse("!oncall primary secondary").unwrap_err();
        assert_eq!(
            e.to_string(),
            "name one schedule or service at a time (got `secondary` too). \
             Usage: `!oncall [schedule|service]`"
        );
    }

    #[tokio::test]
    async fn oncall_shows_every_schedule_in_the_askers_time_zone() {
        let t = TestEngine::start().await;

        let reply = t.say("!oncall").await;

        assert_eq!(
            reply,
            Reply::info(
                "*On call now*\n\
                 • *primary*: *Bob Brown* (bob) since Mon 02 Mar 09:00 CET, until Mon 09 Mar \
                 09:00 CET (in 6d 23h) · next: Alice Adams (alice)\n\
                 • *secondary*: nobody is on call, until Mon 02 Mar 19:00 CET (in 9h) · next: \
                 Carol Chen (carol)"
            )
        );
    }

    #[tokio::test]
    async fn oncall_for_a_service_adds_the_people_paged_directly() {
        let t = TestEngine::start().await;

        let reply = t.say("!oncall db").await;

        assert_eq!(reply.tone, Tone::Info);
        assert!(
            reply
                .text()
                .starts_with("*On call for service db*\n• *primary*: *Bob Brown*")
        );
        assert!(reply.text().contains("\n• *secondary*: nobody is on call"));
        assert!(
            reply
                .text()
                .ends_with("\nAlso paged directly at level 1: Carol Chen (carol)"),
            "{}",
            reply.text()
        );
    }

    #[tokio::test]
    async fn a_service_without_a_policy_says_nobody_is_paged() {
        let t = TestEngine::start().await;
        let reply = t.say("!oncall web").await;
        assert_eq!(reply.tone, Tone::Info);
        assert!(
            reply.text().starts_with("Service *web* pages no schedule"),
            "{}",
            reply.text()
        );
    }

    #[tokio::test]
    async fn an_override_is_marked_as_such() {
        let t = TestEngine::start().await;
        t.say("!override primary 2h").await;

        let reply = t.say("!oncall primary").await;

        assert!(
            reply.text().contains(
                "• *primary*: *Alice Adams* (alice) (override #1) since Mon 02 Mar 10:00 CET, \
                 until Mon 02 Mar 12:00 CET (in 2h) · next: Bob Brown (bob)"
            ),
            "{}",
            reply.text()
        );
    }

    #[tokio::test]
    async fn an_unknown_name_lists_schedules_and_services() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!oncall primry").await,
            Reply::error(
                "no schedule or service named `primry` — schedules: primary, secondary; \
                 services: db, web"
            )
        );
    }

    #[tokio::test]
    async fn bob_without_a_time_zone_sees_utc() {
        let t = TestEngine::start().await;
        let bob = crate::context::Context::chat(firebell_engine::ChatPlatform::Slack, "U0BOB");
        let reply = t.say_as(bob, "!oncall primary").await;
        assert!(
            reply
                .text()
                .contains("until Mon 09 Mar 08:00 UTC (in 6d 23h)"),
            "{}",
            reply.text()
        );
    }
}
