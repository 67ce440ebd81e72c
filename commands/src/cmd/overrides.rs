//! `!override <schedule> [@user] <duration>`, `!override list [schedule]`, `!override cancel <id>`:
//! take someone's pager for a while (a doctor's appointment, a swap), see and undo such swaps.

use firebell_engine::duration::HumanDuration;
use firebell_engine::oncall::{OverrideRecord, max_override};
use firebell_engine::{Actor, Config, Engine, IncidentNumber};

use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::doc::Doc;
use crate::invocation::{Args, listed_id};
use crate::people::{UserRef, person};
use crate::reply::Reply;
use crate::spec::CommandSpec;
use crate::when::Viewer;

pub(crate) const SPEC: CommandSpec = CommandSpec {
    name: "override",
    aliases: &[],
    usage: "!override <schedule> [@user] <duration> | list [schedule] | cancel <id>",
    summary: "Take a schedule's pager from now for a while (or give it to someone), list or cancel overrides.",
    details: "Without a person you take the pager yourself. Name someone by their firebell id \
              (`bob`, `@bob`) or mention them. Durations: 30m, 1h, 2h30m, 1d (at most 14d).",
    examples: &[
        (
            "!override primary 2h",
            "you are on call for `primary` for the next two hours",
        ),
        (
            "!override primary @bob 1d",
            "bob is on call for `primary` for a day",
        ),
        ("!override list", "overrides in effect"),
        ("!override cancel 3", "undo override 3"),
    ],
    parse: |args, thread| Override::parse_args(args, thread).map(Command::Override),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// `user` (the sender when `None`) has `schedule`'s pager from now for `duration`.
    Take {
        schedule: String,
        user: Option<UserRef>,
        duration: HumanDuration,
    },
    List {
        schedule: Option<String>,
    },
    Cancel {
        id: i64,
    },
}

impl Override {
    pub(crate) fn parse_args(
        args: &mut Args<'_>,
        _thread: Option<IncidentNumber>,
    ) -> Result<Override, ParseError> {
        let Some(first) = args.next_word() else {
            return Err(SPEC.error("Which schedule, and for how long?"));
        };
        let parsed = match first.to_lowercase().as_str() {
            "list" => Override::List {
                schedule: args.next_word().map(str::to_owned),
            },
            "cancel" => {
                let Some(word) = args.next_word() else {
                    return Err(SPEC.error(
                        "Which override? `!override list` shows their ids, e.g. `!override cancel 3`",
                    ));
                };
                Override::Cancel {
                    id: parse_id(word)?,
                }
            }
            _ => take(first, args)?,
        };
        args.end(SPEC.usage)?;
        Ok(parsed)
    }

    pub(crate) async fn execute(self, engine: &Engine, ctx: &Context, actor: &Actor) -> Reply {
        let config = engine.config();
        let viewer = Viewer::of(engine, actor);
        match self {
            Override::Take {
                schedule,
                user,
                duration,
            } => {
                let user = match user {
                    Some(r) => match r.resolve(config, ctx.platform) {
                        Ok(u) => u,
                        Err(why) => return Reply::from(&SPEC.error(why)),
                    },
                    None => match viewer.user {
                        Some(v) => v.id.clone(),
                        None => {
                            return Reply::error(
                                Doc::new()
                                    .code(actor.name.clone())
                                    .text(" is not a firebell user"),
                            );
                        }
                    },
                };
                match engine
                    .create_override(&schedule, &user, duration, actor)
                    .await
                {
                    Ok(o) => Reply::success(taken(config, &o, duration, &viewer)),
                    Err(e) => Reply::from_engine(&e),
                }
            }
            Override::List { schedule } => {
                if let Some(s) = &schedule
                    && !config.schedules.contains_key(s)
                {
                    return Reply::error(unknown_schedule(config, s));
                }
                match engine.overrides(schedule.as_deref()).await {
                    Ok(list) => Reply::info(listing(config, &list, schedule.as_deref(), |o| {
                        format!(
                            "from {} until {}",
                            viewer.local(o.start),
                            viewer.local_and_relative(o.end)
                        )
                    })),
                    Err(e) => Reply::from_engine(&e),
                }
            }
            Override::Cancel { id } => match engine.cancel_override(id, actor).await {
                Ok(o) => Reply::success(
                    Doc::new()
                        .text("Cancelled override ")
                        .bold(format!("#{id}"))
                        .text(format!(
                            ": {} no longer holds ",
                            person(config, o.user.as_str())
                        ))
                        .bold(o.schedule)
                        .text(" through it."),
                ),
                Err(e) => Reply::from_engine(&e),
            },
        }
    }
}

/// `Override #3: Bob Brown (bob) is on call for *primary* for 2h, until …. Undo with …`
fn taken(config: &Config, o: &OverrideRecord, duration: HumanDuration, viewer: &Viewer) -> Doc {
    Doc::new()
        .text("Override ")
        .bold(format!("#{}", o.id))
        .text(format!(
            ": {} is on call for ",
            person(config, o.user.as_str())
        ))
        .bold(o.schedule.clone())
        .text(format!(
            " for {duration}, until {}. Undo with ",
            viewer.local_and_relative(o.end)
        ))
        .code(format!("!override cancel {}", o.id))
        .text(".")
}

/// `<schedule> [@user] <duration>`, after the schedule word.
fn take(schedule: &str, args: &mut Args<'_>) -> Result<Override, ParseError> {
    let Some(second) = args.next_word() else {
        return Err(SPEC.error(format!("For how long? e.g. `!override {schedule} 2h`")));
    };
    let (user, duration) = if second.starts_with(|c: char| c.is_ascii_digit()) {
        if let Some(w) = args.peek() {
            return Err(SPEC.error(format!(
                "unexpected `{w}` after the duration — name the person before it: \
                 `!override {schedule} @{w} {second}`"
            )));
        }
        (None, second)
    } else {
        let user = UserRef::parse(second).ok_or_else(|| {
            SPEC.error(format!(
                "`{second}` is neither a duration nor a person — try `2h`, `bob` or a mention"
            ))
        })?;
        let Some(duration) = args.next_word() else {
            return Err(SPEC.error(format!(
                "For how long should {second} take `{schedule}`? e.g. `!override {schedule} {second} 2h`"
            )));
        };
        (Some(user), duration)
    };
    let duration =
        HumanDuration::parse(duration, max_override()).map_err(|e| SPEC.error(e.message()))?;
    Ok(Override::Take {
        schedule: schedule.to_owned(),
        user,
        duration,
    })
}

fn parse_id(word: &str) -> Result<i64, ParseError> {
    listed_id(word).ok_or_else(|| {
        SPEC.error(format!(
            "`{word}` is not an override id — `!override list` shows them"
        ))
    })
}

pub(crate) fn unknown_schedule(config: &Config, name: &str) -> Doc {
    let names: Vec<&str> = config.schedules.keys().map(String::as_str).collect();
    let names = if names.is_empty() {
        "none configured".to_owned()
    } else {
        names.join(", ")
    };
    Doc::new()
        .text("unknown schedule ")
        .code(name)
        .text(format!(" — schedules: {names}"))
}

/// `*2 overrides*` then one line each: `• *#1* primary — Alice Adams (alice), from … until … · by alice`.
fn listing(
    config: &Config,
    list: &[OverrideRecord],
    schedule: Option<&str>,
    span: impl Fn(&OverrideRecord) -> String,
) -> Doc {
    let scope = match schedule {
        Some(s) => Doc::new().text(" for ").bold(s),
        None => Doc::new(),
    };
    if list.is_empty() {
        return Doc::new()
            .text("No overrides in effect")
            .append(scope)
            .text(".");
    }
    let mut doc = match list.len() {
        1 => Doc::new().bold("1 override"),
        k => Doc::new().bold(format!("{k} overrides")),
    }
    .append(scope);
    for o in list {
        doc = doc.item().bold(format!("#{}", o.id)).text(format!(
            " {} — {}, {} · by {}",
            o.schedule,
            person(config, o.user.as_str()),
            span(o),
            o.created_by
        ));
    }
    doc
}

#[cfg(test)]
#[path = "overrides_tests.rs"]
mod tests;
