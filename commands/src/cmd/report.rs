//! `!report [week|last-week|month|<N>d] [service|team]`: the manager summary in chat — incidents,
//! alerts, MTTA/MTTR, escalations, notifications, interruptions, against the period before.
//! Periods are read in the asker's time zone (`last-week` is their Monday to Monday).

use firebell_engine::reports::{Period, SummaryQuery};
use firebell_engine::{Actor, Engine};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "report",
    aliases: &["summary"],
    usage: "!report [week|last-week|month|<N>d] [service|team]",
    summary: "Summarise incidents, response times and interruptions for a period.",
    details: "`week` (default) is the last 7 days, `last-week` the previous Monday to Monday in \
              your time zone, `month` the last 30 days, `14d` any number of days. Name a service \
              or a team (escalation policy) to narrow it. Each figure is shown against the \
              period before. The chart and CSV are at `GET /api/v1/reports/summary`.",
    examples: &[
        ("!report", "the last 7 days"),
        ("!report last-week web", "last week, service web only"),
        (
            "!report 30d default",
            "30 days for the team on the `default` policy",
        ),
    ],
    parse: |args, _thread| Report::parse_args(args).map(Command::Report),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `week`, `last-week`, `month` or `<N>d`.
    pub period: String,
    /// A service or team name, checked against the config when run.
    pub scope: Option<String>,
}

fn is_period(word: &str) -> bool {
    matches!(word, "week" | "last-week" | "month")
        || word
            .strip_suffix('d')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Report {
    pub(crate) fn parse_args(args: &mut Args<'_>) -> Result<Report, ParseError> {
        let mut period = None;
        let mut scope = None;
        while let Some(word) = args.next_word() {
            let lower = word.to_ascii_lowercase();
            if period.is_none() && is_period(&lower) {
                period = Some(lower);
            } else if scope.is_none() {
                scope = Some(word.to_owned());
            } else {
                return Err(ParseError::new(
                    format!("one period and one service or team at most (got `{word}` too)"),
                    SPEC.usage,
                ));
            }
        }
        Ok(Report {
            period: period.unwrap_or_else(|| "week".to_owned()),
            scope,
        })
    }

    pub(crate) async fn execute(self, engine: &Engine, actor: &Actor) -> Reply {
        let config = engine.config();
        let tz = config
            .user(&actor.name)
            .map_or(chrono_tz::Tz::UTC, |u| u.timezone);
        let period = match Period::parse(&self.period, engine.clock().now(), tz) {
            Ok(p) => p,
            Err(e) => {
                return Reply::error(Doc::markup(&format!(
                    "{}. Usage: `{}`",
                    e.message(),
                    SPEC.usage
                )));
            }
        };
        let (mut service, mut team) = (None, None);
        if let Some(scope) = &self.scope {
            if let Some(s) = config.service(scope) {
                service = Some(s.name.clone());
            } else if config.escalation_policies.contains_key(scope.as_str()) {
                team = Some(scope.clone());
            } else {
                let teams: Vec<&str> = config
                    .escalation_policies
                    .keys()
                    .map(String::as_str)
                    .collect();
                return Reply::error(Doc::markup(&format!(
                    "`{scope}` is neither a service nor a team. Services: {}; teams: {}.",
                    config.service_names().join(", "),
                    teams.join(", ")
                )));
            }
        }
        match engine
            .report(&SummaryQuery {
                period,
                service,
                team,
            })
            .await
        {
            Ok(report) => Reply::info(Doc::markup(&report.to_chat())),
            Err(e) => Reply::from_engine(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Report, ParseError> {
        Report::parse_args(&mut Args::new(text))
    }

    #[test]
    fn the_period_defaults_to_a_week_and_either_order_reads() {
        assert_eq!(
            parse("").unwrap(),
            Report {
                period: "week".into(),
                scope: None
            }
        );
        assert_eq!(
            parse("last-week web").unwrap(),
            Report {
                period: "last-week".into(),
                scope: Some("web".into())
            }
        );
        assert_eq!(
            parse("web 14D").unwrap(),
            Report {
                period: "14d".into(),
                scope: Some("web".into())
            }
        );
    }

    #[test]
    fn too_many_words_get_the_usage() {
        let e = parse("week web db").unwrap_err();
        assert!(e.to_string().contains("Usage: `!report"), "{e}");
    }
}
