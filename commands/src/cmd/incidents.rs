//! `!incidents`: what is open right now, newest first.

use chrono::{DateTime, Utc};
use firebell_engine::engine::human_ago;
use firebell_engine::{Engine, Incident, IncidentFilter, IncidentNumber, IncidentStatus};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::Reply;
use crate::spec::CommandSpec;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "incidents",
    aliases: &["inc", "list"],
    usage: "!incidents",
    summary: "List open incidents, newest first.",
    details: "Shows number, severity, status, service, title, age and alert count of every \
              triggered or acknowledged incident.",
    examples: &[("!incidents", "what is open right now")],
    parse: |args, thread| Incidents::parse_args(args, thread).map(Command::Incidents),
};

/// A chat message is not a report: past this many, point elsewhere.
const SHOWN: usize = 25;
/// Titles are cut here so one verbose alert does not push the others off the screen.
const TITLE_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incidents;

impl Incidents {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<Incidents, ParseError> {
        match args.peek() {
            Some(word) => Err(ParseError::new(
                format!(
                    "`!incidents` takes nothing after it, but got `{word}`; it lists every open incident"
                ),
                SPEC.usage,
            )),
            None => Ok(Incidents),
        }
    }

    pub(crate) async fn execute(self, engine: &Engine) -> Reply {
        let filter = IncidentFilter {
            statuses: vec![IncidentStatus::Triggered, IncidentStatus::Acknowledged],
            limit: Some(SHOWN as i64 + 1),
            ..Default::default()
        };
        match engine.incidents(&filter).await {
            Ok(open) => Reply::info(render(&open, engine.clock().now())),
            Err(e) => Reply::from_engine(&e),
        }
    }
}

/// The list as chat text; `open` comes newest first, at most `SHOWN + 1` of them.
fn render(open: &[Incident], now: DateTime<Utc>) -> Doc {
    if open.is_empty() {
        return Doc::from("No open incidents — all quiet.");
    }
    let mut doc = match open.len() {
        1 => Doc::new().bold("1 open incident"),
        k if k > SHOWN => Doc::new()
            .bold(format!("More than {SHOWN} open incidents"))
            .text(format!(" (newest {SHOWN} shown)")),
        k => Doc::new()
            .bold(format!("{k} open incidents"))
            .text(", newest first"),
    };
    for i in open.iter().take(SHOWN) {
        doc = doc.line().append(line(i, now));
    }
    doc
}

/// `*#5* CRITICAL · triggered · web · Disk full · 3 min ago · 2 alerts`
fn line(i: &Incident, now: DateTime<Utc>) -> Doc {
    let status = match (&i.status, &i.acknowledged_by) {
        (IncidentStatus::Acknowledged, Some(by)) => format!("acknowledged by {by}"),
        (status, _) => status.to_string(),
    };
    let age = human_ago(now - i.created_at);
    let alerts = match i.alert_count {
        1 => "1 alert".to_owned(),
        k => format!("{k} alerts"),
    };
    Doc::new().bold(i.number.to_string()).text(format!(
        " {} · {status} · {} · {} · {} · {alerts}",
        i.severity.as_str().to_uppercase(),
        i.service,
        shorten(&i.title),
        age.trim_start_matches(", "),
    ))
}

fn shorten(title: &str) -> String {
    match title.char_indices().nth(TITLE_CHARS) {
        Some((cut, _)) => format!("{}…", &title[..cut]),
        None => title.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Span;
    use crate::test_support::{TestEngine, parse};

    #[test]
    fn incidents_takes_no_arguments() {
        assert_eq!(parse("!incidents"), Ok(Command::Incidents(Incidents)));
        let e = parse("!incidents web").unwrap_err();
        assert!(e.message().contains("got `web`"), "{e}");
    }

    #[test]
    fn long_titles_are_cut_on_a_character_boundary() {
        let title = "é".repeat(100);
        let short = shorten(&title);
        assert_eq!(short.chars().count(), TITLE_CHARS + 1);
        assert!(short.ends_with('…'));
        assert_eq!(shorten("short"), "short");
    }

    #[tokio::test]
    async fn incidents_lists_open_ones_newest_first_with_their_facts() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;
        t.clock.advance(chrono::Duration::minutes(5));
        t.open("db", "Replication lag").await;
        t.open("web", "Gone already").await;
        t.say("!resolve 3").await;
        t.say("!ack 1").await;
        t.clock.advance(chrono::Duration::minutes(3));

        let reply = t.say("!incidents").await;

        assert_eq!(
            reply,
            Reply::info(
                "*2 open incidents*, newest first\n\
                 *#2* ERROR · triggered · db · Replication lag · 3 min ago · 1 alert\n\
                 *#1* ERROR · acknowledged by alice · web · Checkout 500s · 8 min ago · 1 alert"
            )
        );
    }

    #[tokio::test]
    async fn an_alert_title_is_text_in_every_reply_never_markup() {
        let t = TestEngine::start().await;
        let hostile = "*bold* `code` <!channel> @everyone";
        t.open("web", hostile).await;
        let listed = t.say("!incidents").await;
        let acked = t.say("!ack 1").await;

        for reply in [listed, acked] {
            let spans = reply.doc.blocks().last().expect("a line").spans();
            let texts: Vec<&Span> = spans
                .iter()
                .filter(|s| matches!(s, Span::Text(t) if t.contains(hostile)))
                .collect();
            assert_eq!(texts.len(), 1, "{spans:?}");
            assert!(
                spans.iter().all(|s| !matches!(s, Span::Code(_))),
                "{spans:?}"
            );
        }
    }

    #[tokio::test]
    async fn incidents_says_when_all_is_quiet() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!incidents").await,
            Reply::info("No open incidents — all quiet.")
        );
    }

    #[tokio::test]
    async fn incidents_needs_a_linked_user() {
        let t = TestEngine::start().await;
        let reply = t
            .say_as(
                crate::Context::chat(firebell_engine::ChatPlatform::Slack, "U404"),
                "!incidents",
            )
            .await;
        assert!(
            reply
                .text()
                .starts_with("You're not linked to a firebell user yet."),
            "{}",
            reply.text()
        );
    }
}
