//! `!maintenance <host|service:NAME|label=value> <duration> [reason…]`, `!maintenance list`,
//! `!maintenance end <id>`: silence paging for planned work, announced in the room.

use firebell_engine::duration::HumanDuration;
use firebell_engine::maintenance::{MaintenanceWindow, Matcher, WindowRequest, max_duration};
use firebell_engine::{Actor, Engine, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::doc::Doc;
use crate::invocation::{Args, listed_id};
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::when::Viewer;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "maintenance",
    aliases: &["maint"],
    usage: "!maintenance <host|service:NAME|label=value> <duration> [reason…] | list | end <id>",
    summary: "Silence paging for a host, service or label during planned work; list or end windows.",
    details: "Matching alerts are still recorded but open no incident and page nobody. The room \
              hears when the window starts, ten minutes before it ends, and when it ends. \
              Durations: 30m, 1h, 2h30m, 1d (at most 7d).",
    examples: &[
        (
            "!maintenance web-01 2h kernel upgrade",
            "silence alerts from host web-01 for two hours",
        ),
        (
            "!maintenance service:db 30m failover test",
            "silence the whole `db` service",
        ),
        (
            "!maintenance env=staging 1d",
            "silence alerts labelled env=staging",
        ),
        ("!maintenance list", "open windows"),
        ("!maintenance end 4", "end window 4 now"),
    ],
    parse: |args, thread| Maintenance::parse_args(args, thread).map(Command::Maintenance),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maintenance {
    /// `matcher` as typed: it is checked against the config (services must exist) when it runs.
    Start {
        matcher: String,
        duration: HumanDuration,
        reason: Option<String>,
    },
    List,
    End {
        id: i64,
    },
}

impl Maintenance {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<Maintenance, ParseError> {
        let Some(first) = args.next_word() else {
            return Err(SPEC.error("What should be silenced, and for how long?"));
        };
        let parsed = match first.to_lowercase().as_str() {
            "list" => Maintenance::List,
            "end" | "stop" => {
                let Some(word) = args.next_word() else {
                    return Err(SPEC.error(
                        "Which window? `!maintenance list` shows their ids, e.g. `!maintenance end 4`",
                    ));
                };
                let id = listed_id(word).ok_or_else(|| {
                    SPEC.error(format!(
                        "`{word}` is not a window id — `!maintenance list` shows them"
                    ))
                })?;
                Maintenance::End { id }
            }
            _ => {
                let Some(duration) = args.next_word() else {
                    return Err(SPEC.error(format!("For how long? e.g. `!maintenance {first} 2h`")));
                };
                let duration = HumanDuration::parse(duration, max_duration())
                    .map_err(|e| SPEC.error(e.message()))?;
                let reason = Some(args.rest().to_owned()).filter(|r| !r.is_empty());
                return Ok(Maintenance::Start {
                    matcher: first.to_owned(),
                    duration,
                    reason,
                });
            }
        };
        args.end(SPEC.usage)?;
        Ok(parsed)
    }

    pub(crate) async fn execute(self, engine: &Engine, ctx: &Context, actor: &Actor) -> Reply {
        let viewer = Viewer::of(engine, actor);
        match self {
            Maintenance::Start {
                matcher,
                duration,
                reason,
            } => {
                let matcher = match Matcher::parse(&matcher, engine.config()) {
                    Ok(m) => m,
                    Err(e) => return Reply::from(&SPEC.error(e.message())),
                };
                let started = engine
                    .start_maintenance(
                        WindowRequest {
                            matcher,
                            duration,
                            reason: reason.as_deref(),
                            room: ctx.room.as_deref(),
                        },
                        actor,
                    )
                    .await;
                match started {
                    Ok(w) => Reply::success(
                        Doc::new()
                            .text("Maintenance ")
                            .bold(w.id.to_string())
                            .text(format!(
                                " started for {} until {} — matching alerts are recorded but \
                                 page nobody. End it early with ",
                                w.matcher,
                                viewer.local_and_relative(w.ends_at),
                            ))
                            .code(format!("!maintenance end {}", w.id))
                            .text("."),
                    ),
                    Err(e) => Reply::from_engine(&e),
                }
            }
            Maintenance::List => match engine.maintenance_windows().await {
                Ok(list) if list.is_empty() => Reply::info("No maintenance window is open."),
                Ok(list) => {
                    let mut doc = match list.len() {
                        1 => Doc::new().bold("1 maintenance window"),
                        k => Doc::new().bold(format!("{k} maintenance windows")),
                    };
                    for w in &list {
                        doc = doc.item().bold(w.id.to_string()).text(format!(
                            " {} until {}{} · by {} · {}",
                            w.matcher,
                            viewer.local_and_relative(w.ends_at),
                            reason(w),
                            w.created_by,
                            suppressed(w.suppressed)
                        ));
                    }
                    Reply::info(doc)
                }
                Err(e) => Reply::from_engine(&e),
            },
            Maintenance::End { id } => match engine.end_maintenance(id, actor).await {
                Ok(w) => Reply::success(
                    Doc::new()
                        .text("Ended maintenance ")
                        .bold(w.id.to_string())
                        .text(format!(
                            " for {} — {} while it was open.",
                            w.matcher,
                            suppressed(w.suppressed)
                        )),
                ),
                Err(e) => Reply::from_engine(&e),
            },
        }
    }
}

/// ` — kernel upgrade`, or nothing.
fn reason(w: &MaintenanceWindow) -> String {
    w.reason
        .as_deref()
        .map(|r| format!(" — {r}"))
        .unwrap_or_default()
}

fn suppressed(k: i64) -> String {
    match k {
        0 => "no alerts suppressed".to_owned(),
        1 => "1 alert suppressed".to_owned(),
        k => format!("{k} alerts suppressed"),
    }
}

#[cfg(test)]
#[path = "maintenance_tests.rs"]
mod tests;
