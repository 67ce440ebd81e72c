//! `!postmortem [N]`: a blameless postmortem draft from the incident's timeline. The draft is
//! far too long for a chat line, so the reply gives the figures that matter, the action items
//! people noted and where the whole draft is — and carries it as a Markdown file for adapters
//! that can upload one.

use firebell_engine::postmortem::{Postmortem as Draft, elapsed};
use firebell_engine::{Config, Engine, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::{Attachment, Reply};
use crate::spec::CommandSpec;
use crate::targets::one_incident;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "postmortem",
    aliases: &["pm"],
    usage: "!postmortem [N]",
    summary: "Draft a blameless postmortem from the timeline.",
    details: "In an incident's thread you can leave out the number. The draft has the summary, \
              times to acknowledge and resolve, who was paged and how, escalations and the whole \
              timeline, then prompts for what only people know. Notes written \
              `!note N action: …` become its action items. On an open incident you get the \
              draft so far.",
    examples: &[
        ("!postmortem 42", "draft #42's postmortem"),
        (
            "!note 42 action: alert at 80% disk",
            "an action item for the draft",
        ),
    ],
    parse: |args, thread| Postmortem::parse_args(args, thread).map(Command::Postmortem),
};

/// The whole draft is in the attachment and behind the link; the reply lists this many.
const ITEMS_SHOWN: usize = 5;
/// Titles and action items are cut here, so the reply stays a few lines.
const TEXT_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmortem {
    pub incident: IncidentNumber,
}

impl Postmortem {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        thread: Option<IncidentNumber>,
    ) -> Result<Postmortem, ParseError> {
        let incident = one_incident(args, thread, SPEC.usage, |extra| {
            format!("one incident per postmortem (got `{extra}` too)")
        })?;
        Ok(Postmortem { incident })
    }

    pub(crate) async fn execute(self, engine: &Engine) -> Reply {
        match engine.postmortem(self.incident).await {
            Ok(pm) => {
                let doc = render(&pm, engine.config());
                let reply = if pm.resolved {
                    Reply::success(doc)
                } else {
                    Reply::info(doc)
                };
                reply.with_attachment(attachment(&pm))
            }
            Err(e) => Reply::from_engine(&e),
        }
    }
}

/// The draft as a file: `postmortem-42.md`.
fn attachment(pm: &Draft) -> Attachment {
    Attachment {
        filename: format!("postmortem-{}.md", pm.incident.number.get()),
        content_type: "text/markdown; charset=utf-8".to_owned(),
        bytes: pm.markdown.clone().into_bytes(),
        caption: Doc::new()
            .text("📝 Postmortem draft for ")
            .bold(pm.incident.number.to_string())
            .text(if pm.resolved {
                ""
            } else {
                " (so far: still open)"
            }),
        incident: Some(pm.incident.number),
    }
}

/// The chat text: what it is, the figures, where the draft is, the action items.
fn render(pm: &Draft, config: &Config) -> Doc {
    let i = &pm.incident;
    let doc = Doc::new().bold(i.number.to_string()).text(if pm.resolved {
        format!(" postmortem draft — {}", shorten(&i.title))
    } else {
        format!(
            " is not resolved yet ({}) — {}. Here is the draft so far.",
            i.status,
            shorten(&i.title)
        )
    });
    let mut figures = vec![match pm.time_to_acknowledge {
        Some(d) => format!("Acknowledged after {}", elapsed(d)),
        None if pm.resolved => "Never acknowledged".to_owned(),
        None => "Not acknowledged yet".to_owned(),
    }];
    if let Some(d) = pm.time_to_resolve {
        figures.push(format!("resolved after {}", elapsed(d)));
    }
    figures.push(match i.alert_count {
        1 => "1 alert".to_owned(),
        n => format!("{n} alerts"),
    });
    figures.push(match pm.action_items.len() {
        1 => "1 action item".to_owned(),
        n => format!("{n} action items"),
    });
    let mut doc = doc.line().text(figures.join(" · "));
    let path = format!("/api/v1/incidents/{}/postmortem.md", i.number.get());
    let url = match &config.public_url {
        Some(base) => format!("{base}{path}"),
        None => path,
    };
    let again = if pm.resolved {
        ""
    } else {
        "; ask again once it is resolved"
    };
    doc = doc
        .line()
        .text("Full draft (Markdown, with an API token): ")
        .code(format!("GET {url}"))
        .text(format!("{again}."));
    if !pm.action_items.is_empty() {
        doc = doc.line().text("Action items:");
        for item in pm.action_items.iter().take(ITEMS_SHOWN) {
            doc = doc.item().text(shorten(item));
        }
        if pm.action_items.len() > ITEMS_SHOWN {
            doc = doc.line().text(format!(
                "… and {} more in the draft",
                pm.action_items.len() - ITEMS_SHOWN
            ));
        }
    }
    doc
}

/// One line, at most [`TEXT_CHARS`] characters: titles and notes may span lines.
fn shorten(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Tone;
    use crate::test_support::{TestEngine, n, parse, parse_in_thread};

    #[test]
    fn postmortem_takes_a_number_or_the_thread() {
        let want = Ok(Command::Postmortem(Postmortem { incident: n(42) }));
        assert_eq!(parse("!postmortem 42"), want);
        assert_eq!(parse("!pm #42"), want);
        assert_eq!(parse_in_thread("!postmortem", 42), want);
    }

    #[test]
    fn postmortem_refuses_what_it_cannot_read() {
        let msg = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            msg("!postmortem"),
            "Which incident? Outside its thread, give the number. Usage: `!postmortem [N]`"
        );
        assert_eq!(
            msg("!postmortem disk"),
            "`disk` is not an incident number — try `42` or `#42`. Usage: `!postmortem [N]`"
        );
        assert_eq!(
            msg("!postmortem 1 2"),
            "one incident per postmortem (got `2` too). Usage: `!postmortem [N]`"
        );
    }

    #[tokio::test]
    async fn a_resolved_incident_gets_its_figures_the_link_and_the_file() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;
        t.clock.advance(chrono::Duration::minutes(4));
        t.say("!ack 1").await;
        t.say("!note 1 action: alert on the error rate, not on 500s")
            .await;
        t.clock.advance(chrono::Duration::minutes(36));
        t.say("!resolve 1 rolled back").await;

        let reply = t.say("!postmortem 1").await;

        assert_eq!(reply.tone, Tone::Success, "{}", reply.text());
        assert_eq!(
            reply.text(),
            "*#1* postmortem draft — Checkout 500s\n\
             Acknowledged after 4m · resolved after 40m · 1 alert · 1 action item\n\
             Full draft (Markdown, with an API token): `GET /api/v1/incidents/1/postmortem.md`.\n\
             Action items:\n\
             • alert on the error rate, not on 500s"
        );
        let file = reply.attachment.expect("the draft is attached");
        assert_eq!(file.filename, "postmortem-1.md");
        assert_eq!(file.content_type, "text/markdown; charset=utf-8");
        let md = String::from_utf8(file.bytes).unwrap();
        assert!(md.starts_with("# Postmortem: #1 Checkout 500s\n"), "{md}");
    }

    #[tokio::test]
    async fn an_open_incident_gets_the_draft_so_far() {
        let t = TestEngine::start().await;
        t.open("web", "Checkout 500s").await;

        let reply = t.say_in_thread("!postmortem", 1).await;

        assert_eq!(reply.tone, Tone::Info);
        assert!(
            reply.text().starts_with(
                "*#1* is not resolved yet (triggered) — Checkout 500s. Here is the draft so far.\n\
                 Not acknowledged yet · 1 alert · 0 action items\n"
            ),
            "{}",
            reply.text()
        );
        assert!(
            reply.text().contains(
                "`GET /api/v1/incidents/1/postmortem.md`; ask again once it is resolved."
            ),
            "{}",
            reply.text()
        );
        assert!(reply.attachment.is_some());
    }

    #[tokio::test]
    async fn a_long_list_of_action_items_stays_a_short_reply() {
        let t = TestEngine::start().await;
        t.open("web", &"very long title ".repeat(40)).await;
        for k in 0..20 {
            let note = format!("!note 1 action: {k} {}", "x".repeat(3000));
            t.say(&note).await;
        }

        let reply = t.say("!postmortem 1").await;

        assert!(
            reply.text().chars().count() < 1500,
            "{}",
            reply.text().len()
        );
        assert!(
            reply.text().ends_with("… and 15 more in the draft"),
            "{}",
            reply.text()
        );
    }

    #[tokio::test]
    async fn a_missing_incident_says_so() {
        let t = TestEngine::start().await;
        assert_eq!(
            t.say("!postmortem 9").await,
            Reply::error("there is no incident #9")
        );
    }
}
