//! `!trigger <service> <summary>`: open an incident by hand, for a problem no monitor caught.

use firebell_engine::config::Service;
use firebell_engine::{
    Actor, AlertKind, Config, Engine, IncidentNumber, Ingested, NewAlert, Severity, TriggerPayload,
};
use serde_json::json;

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "trigger",
    aliases: &[],
    usage: "!trigger <service> <summary>",
    summary: "Open an incident on a service by hand.",
    details: "The severity is `error` unless the summary starts with `severity=critical` (or \
              `warning`, `info`). The incident pages like any other.",
    examples: &[
        (
            "!trigger web Checkout returns 500s",
            "open an incident on `web`",
        ),
        (
            "!trigger db severity=critical Primary is down",
            "open a critical one on `db`",
        ),
    ],
    parse: |args, thread| Trigger::parse_args(args, thread).map(Command::Trigger),
};

/// PagerDuty's limit on `payload.summary`, so a chat trigger fits wherever an API one does.
const MAX_SUMMARY_CHARS: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// As typed; resolved against the configuration when it runs.
    pub service: String,
    pub severity: Severity,
    /// One line: inner whitespace and line breaks collapse to single spaces.
    pub summary: String,
}

impl Trigger {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<Trigger, ParseError> {
        let Some(service) = args.next_word() else {
            return Err(ParseError::new(
                "Which service, and what is wrong?",
                SPEC.usage,
            ));
        };
        let mut severity = Severity::Error;
        if let Some(level) = args
            .peek()
            .and_then(|w| strip_prefix_ignore_case(w, "severity="))
        {
            severity = level
                .to_lowercase()
                .parse()
                .map_err(|e: firebell_engine::UserError| {
                    ParseError::new(e.message(), SPEC.usage)
                })?;
            args.next_word();
        }
        let summary = args.rest().split_whitespace().collect::<Vec<_>>().join(" ");
        if summary.is_empty() {
            return Err(ParseError::new(
                format!("What is wrong with `{service}`? Add a short summary"),
                SPEC.usage,
            ));
        }
        let len = summary.chars().count();
        if len > MAX_SUMMARY_CHARS {
            return Err(ParseError::new(
                format!("the summary is {len} characters; the limit is {MAX_SUMMARY_CHARS}"),
                SPEC.usage,
            ));
        }
        Ok(Trigger {
            service: service.to_owned(),
            severity,
            summary,
        })
    }

    pub(crate) async fn execute(self, engine: &Engine, actor: &Actor) -> Reply {
        let service = match find_service(engine.config(), &self.service) {
            Ok(s) => s,
            Err(reply) => return reply,
        };
        let alert = NewAlert {
            service: service.name.clone(),
            kind: AlertKind::Trigger {
                dedup_key: None,
                payload: TriggerPayload {
                    summary: self.summary.clone(),
                    source: Some(format!("{} via {}", actor.name, actor.channel)),
                    severity: self.severity,
                    timestamp: None,
                    details: json!({}),
                },
            },
            actor: actor.clone(),
            raw: json!({
                "command": "trigger",
                "service": service.name.as_str(),
                "severity": self.severity.as_str(),
                "summary": self.summary,
            }),
        };
        match engine.ingest(alert).await {
            Ok(Ingested::Created { number, .. }) => Reply::success(
                Doc::new()
                    .text("Opened ")
                    .bold(number.to_string())
                    .text(format!(" on {}: {}", service.name, self.summary)),
            ),
            Ok(Ingested::Deduplicated { number, status, .. }) => {
                Reply::info(Doc::markup(&format!(
                    "That is already open as *{number}* ({status}); added one more alert to it."
                )))
            }
            Ok(other) => Reply::info(Doc::markup(&format!(
                "Nothing was opened: {}.",
                other.outcome()
            ))),
            Err(e) => Reply::from_engine(&e),
        }
    }
}

/// The service by its exact name, else by a case-insensitive one; otherwise an error that lists
/// the services and suggests the nearest.
fn find_service<'c>(config: &'c Config, typed: &str) -> Result<&'c Service, Reply> {
    if let Some(s) = config.service(typed) {
        return Ok(s);
    }
    let names = config.service_names();
    if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(typed))
        && let Some(s) = config.service(name)
    {
        return Ok(s);
    }
    let nearest = names
        .iter()
        .map(|n| {
            (
                strsim::osa_distance(&typed.to_lowercase(), &n.to_lowercase()),
                n,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!(" Did you mean `{n}`?"))
        .unwrap_or_default();
    let known = if names.is_empty() {
        "none are configured yet".to_owned()
    } else {
        format!(
            "services: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(Reply::error(Doc::markup(&format!(
        "unknown service `{typed}` — {known}.{nearest}"
    ))))
}

fn strip_prefix_ignore_case<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let head = word.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &word[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use firebell_engine::IncidentStatus;

    use crate::test_support::{TestEngine, n, parse};

    fn trigger(service: &str, severity: Severity, summary: &str) -> Result<Command, ParseError> {
        Ok(Command::Trigger(Trigger {
            service: service.into(),
            severity,
            summary: summary.into(),
        }))
    }

    #[test]
    fn trigger_reads_service_optional_severity_and_summary() {
        assert_eq!(
            parse("!trigger web Checkout returns 500s"),
            trigger("web", Severity::Error, "Checkout returns 500s")
        );
        assert_eq!(
            parse("!trigger db Severity=CRITICAL Primary\n  down"),
            trigger("db", Severity::Critical, "Primary down")
        );
        assert_eq!(
            parse("!trigger db severity=info"),
            Err(ParseError::new(
                "What is wrong with `db`? Add a short summary",
                SPEC.usage
            ))
        );
    }

    #[test]
    fn trigger_explains_what_is_missing_or_wrong() {
        assert_eq!(
            parse("!trigger").unwrap_err().message(),
            "Which service, and what is wrong?"
        );
        assert_eq!(
            parse("!trigger web").unwrap_err().message(),
            "What is wrong with `web`? Add a short summary"
        );
        assert_eq!(
            parse("!trigger web severity=huge x").unwrap_err().message(),
            "unknown severity `huge` — expected one of: critical, error, warning, info"
        );
        let long = format!("!trigger web {}", "x".repeat(1025));
        assert_eq!(
            parse(&long).unwrap_err().message(),
            "the summary is 1025 characters; the limit is 1024"
        );
    }

    #[test]
    fn a_multibyte_word_never_panics_the_severity_check() {
        assert_eq!(
            parse("!trigger web séverité=x boom"),
            trigger("web", Severity::Error, "séverité=x boom")
        );
    }

    #[tokio::test]
    async fn trigger_opens_an_incident_that_names_who_opened_it() {
        let t = TestEngine::start().await;

        let reply = t
            .say("!trigger web severity=critical Checkout returns 500s")
            .await;

        assert_eq!(
            reply,
            Reply::success("Opened *#1* on web: Checkout returns 500s")
        );
        let i = t.engine.incident(n(1)).await.unwrap();
        assert_eq!(
            (i.status, i.severity),
            (IncidentStatus::Triggered, Severity::Critical)
        );
        assert_eq!(i.source.as_deref(), Some("alice via slack"));
    }

    #[tokio::test]
    async fn trigger_on_an_unknown_service_lists_the_real_ones() {
        let t = TestEngine::start().await;
        let reply = t.say("!trigger wbe it broke").await;
        assert_eq!(
            reply,
            Reply::error("unknown service `wbe` — services: `db`, `web`. Did you mean `web`?")
        );
        let reply = t.say("!trigger WEB it broke").await;
        assert_eq!(
            reply,
            Reply::success("Opened *#1* on web: it broke"),
            "case does not matter"
        );
    }
}
