//! `[N…|all]`: which incidents `!ack` and `!resolve` act on, and the per-incident report when
//! they act on several.

use std::future::Future;

use firebell_engine::{Engine, EngineError, Incident, IncidentNumber, IncidentStatus};

use crate::command::ParseError;
use crate::context::Context;
use crate::doc::Doc;
use crate::invocation::Args;
use crate::reply::{Reply, Tone, user_text};
use crate::scope::{Scope, posted_elsewhere};

/// The one incident a command names: its number, or — typed in a card's thread — the thread's.
/// `too_many(extra)` words the error for a second argument.
pub(crate) fn one_incident(
    args: &mut Args<'_>,
    thread: Option<IncidentNumber>,
    usage: &'static str,
    too_many: impl FnOnce(&str) -> String,
) -> Result<IncidentNumber, ParseError> {
    let incident = match (args.next_word(), thread) {
        (Some(word), _) => {
            IncidentNumber::parse(word).map_err(|e| ParseError::new(e.message(), usage))?
        }
        (None, Some(n)) => n,
        (None, None) => {
            return Err(ParseError::new(
                "Which incident? Outside its thread, give the number",
                usage,
            ));
        }
    };
    match args.peek() {
        Some(extra) => Err(ParseError::new(too_many(extra), usage)),
        None => Ok(incident),
    }
}

/// The incidents a command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// These incidents, in the order given, without repeats (typed, or the thread's incident).
    Numbers(Vec<IncidentNumber>),
    /// `all`: every incident the command applies to among those posted where it was typed
    /// (the room's services, or a storm summary's incidents in its thread).
    All,
    /// Nothing named outside a thread: the only candidate where it was typed if there is
    /// exactly one, else ask.
    Unspecified,
}

/// More numbers than this in one message is a paste accident, not a plan; `all` exists for that.
pub(crate) const MAX_NUMBERS: usize = 50;

/// What `!ack` and `!resolve` do, in words and in the statuses they apply to.
#[derive(Debug)]
pub(crate) struct Action {
    pub command: &'static str,
    /// "acknowledge"
    pub verb: &'static str,
    /// "acknowledged"
    pub done: &'static str,
    /// The statuses it applies to, and their name in messages ("triggered", "open").
    pub statuses: &'static [IncidentStatus],
    pub state: &'static str,
}

/// Reads leading `N…` or `all`, stopping at the first word that is neither; the caller decides
/// whether that word starts free text or is a mistake. A first word that looks like a number but
/// is not one (`#4x`, `0`) is always a mistake.
pub(crate) fn parse_leading(
    args: &mut Args<'_>,
    thread: Option<IncidentNumber>,
    usage: &'static str,
) -> Result<Targets, ParseError> {
    if args.peek().is_some_and(|w| w.eq_ignore_ascii_case("all")) {
        args.next_word();
        if let Some(word) = args.peek().filter(|w| IncidentNumber::parse(w).is_ok()) {
            return Err(all_with_numbers(word, usage));
        }
        return Ok(Targets::All);
    }
    let mut numbers = Vec::new();
    while let Some(word) = args.peek() {
        match IncidentNumber::parse(word) {
            Ok(n) => {
                args.next_word();
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
            Err(e) if numbers.is_empty() && looks_like_a_number(word) => {
                return Err(ParseError::new(e.message(), usage));
            }
            Err(_) => break,
        }
    }
    if numbers.len() > MAX_NUMBERS {
        return Err(ParseError::new(
            format!(
                "that is {} incidents; name at most {MAX_NUMBERS}, or use `all`",
                numbers.len()
            ),
            usage,
        ));
    }
    Ok(match (numbers.is_empty(), thread) {
        (false, _) => Targets::Numbers(numbers),
        (true, Some(n)) => Targets::Numbers(vec![n]),
        (true, None) => Targets::Unspecified,
    })
}

/// `#…`, `4x`, `-1`: meant as a number, whatever follows.
fn looks_like_a_number(word: &str) -> bool {
    let unsigned = word.strip_prefix('-').unwrap_or(word);
    word.starts_with('#') || unsigned.starts_with(|c: char| c.is_ascii_digit())
}

/// The error for a word left over where only targets may stand.
pub(crate) fn stray_word(word: &str, targets: &Targets, usage: &'static str) -> ParseError {
    match targets {
        Targets::All => ParseError::new(
            format!("`all` takes nothing after it, but got `{word}`"),
            usage,
        ),
        _ if word.eq_ignore_ascii_case("all") => all_with_numbers(word, usage),
        _ => match IncidentNumber::parse(word) {
            Err(e) => ParseError::new(e.message(), usage),
            Ok(_) => ParseError::new(format!("unexpected `{word}`"), usage),
        },
    }
}

fn all_with_numbers(word: &str, usage: &'static str) -> ParseError {
    ParseError::new(
        format!("`all` already means every incident here, so leave out `{word}` (or `all`)"),
        usage,
    )
}

/// Turns targets into incident numbers, or the reply that explains why there are none to act on
/// (nothing here is in the right state, several are and the person has to say which, or the
/// place implies no incidents at all). `all` and an unspecified target reach only what
/// [`Scope`] covers where the command was typed; numbers reach any incident.
pub(crate) async fn choose(
    engine: &Engine,
    ctx: &Context,
    targets: Targets,
    action: &Action,
) -> Result<Vec<IncidentNumber>, Reply> {
    let all = match targets {
        Targets::Numbers(numbers) => return Ok(numbers),
        Targets::All => true,
        Targets::Unspecified => false,
    };
    let scope = Scope::of(engine.config(), ctx);
    let typed = format!("!{}{}", action.command, if all { " all" } else { "" });
    if let Some(refused) = scope.refusal(&typed, action.command) {
        return Err(refused);
    }
    let candidates = scope.candidates(engine, action.statuses).await?;
    match candidates.len() {
        0 => Err(Reply::info(Doc::markup(&format!(
            "Nothing to {}: no incident{} is {}.",
            action.verb,
            scope.describe(),
            action.state
        )))),
        1 => Ok(vec![candidates[0].number]),
        _ if all => Ok(candidates.iter().map(|i| i.number).collect()),
        k => Err(Reply::info(which_one(&candidates, k, action))),
    }
}

fn which_one(candidates: &[Incident], k: usize, action: &Action) -> Doc {
    const SHOWN: usize = 10;
    let mut doc = Doc::new().text(format!("{k} incidents are {}:", action.state));
    for i in candidates.iter().take(SHOWN) {
        doc = doc
            .item()
            .bold(i.number.to_string())
            .text(format!(" {} — {}", i.service, i.title));
    }
    if k > SHOWN {
        doc = doc
            .line()
            .text(format!("…and {} more (", k - SHOWN))
            .code("!incidents")
            .text(" lists them).");
    }
    let (a, b) = (candidates[0].number.get(), candidates[1].number.get());
    let command = action.command;
    doc.line()
        .text("Say which: ")
        .code(format!("!{command} {a} {b}"))
        .text(" or ")
        .code(format!("!{command} all"))
        .text(".")
}

/// Runs `act` on each incident in turn and reports on each, so one failure ("#4 is already
/// resolved") does not hide the others' success. An incident posted in another room than the
/// one the command was typed in is named by its service and room.
pub(crate) async fn act_on_each<F, Fut>(
    engine: &Engine,
    ctx: &Context,
    numbers: &[IncidentNumber],
    action: &Action,
    mut act: F,
) -> Reply
where
    F: FnMut(IncidentNumber) -> Fut,
    Fut: Future<Output = Result<Incident, EngineError>>,
{
    let elsewhere = |i: &Incident| posted_elsewhere(engine.config(), ctx, &i.service);
    if let [n] = numbers {
        return match act(*n).await {
            Ok(i) => Reply::success(
                Doc::new()
                    .text(format!("{} ", capitalized(action.done)))
                    .bold(i.number.to_string())
                    .text(format!(
                        " — {} ({})",
                        i.title,
                        elsewhere(&i).unwrap_or_else(|| i.service.to_string())
                    )),
            ),
            Err(e) => Reply::from_engine(&e),
        };
    }
    let mut lines = Vec::with_capacity(numbers.len());
    let mut succeeded = 0;
    let numbered = |n: IncidentNumber, rest: String| Doc::new().bold(n.to_string()).text(rest);
    for &n in numbers {
        match act(n).await {
            Ok(i) => {
                succeeded += 1;
                let whose = elsewhere(&i).map(|w| format!(" ({w})")).unwrap_or_default();
                lines.push(numbered(
                    n,
                    format!(" {} — {}{whose}", action.done, i.title),
                ));
            }
            Err(e @ (EngineError::User(_) | EngineError::NotFound(_))) => {
                lines.push(Doc::markup(&user_text(&e)))
            }
            Err(e) => lines.push(numbered(n, format!(": {}", user_text(&e)))),
        }
    }
    let tone = match succeeded {
        0 => Tone::Error,
        s if s == numbers.len() => Tone::Success,
        _ => Tone::Info,
    };
    let doc = lines
        .into_iter()
        .reduce(|doc, line| doc.line().append(line))
        .unwrap_or_default();
    Reply::new(tone, doc)
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: i64) -> IncidentNumber {
        IncidentNumber::parse(&x.to_string()).unwrap()
    }

    fn leading(text: &str, thread: Option<i64>) -> (Result<Targets, ParseError>, String) {
        let mut args = Args::new(text);
        let t = parse_leading(&mut args, thread.map(n), "!x");
        (t, args.rest().to_owned())
    }

    #[test]
    fn numbers_are_read_until_the_first_other_word() {
        let (t, rest) = leading("3 #4 3 disk cleaned up", None);
        assert_eq!(
            t,
            Ok(Targets::Numbers(vec![n(3), n(4)])),
            "repeats are dropped"
        );
        assert_eq!(rest, "disk cleaned up");
    }

    #[test]
    fn all_is_case_insensitive_and_excludes_numbers() {
        assert_eq!(leading("ALL", None).0, Ok(Targets::All));
        assert_eq!(
            leading("all done now", None),
            (Ok(Targets::All), "done now".to_owned())
        );
        let e = leading("all 4", None).0.unwrap_err();
        assert!(e.message().contains("leave out `4`"), "{e}");
    }

    #[test]
    fn a_first_word_that_looks_numeric_must_be_a_number() {
        for bad in ["#4x", "0", "-1", "4x", "#"] {
            let e = leading(bad, Some(7)).0.unwrap_err();
            assert_eq!(
                e.message(),
                format!("`{bad}` is not an incident number — try `42` or `#42`")
            );
        }
    }

    #[test]
    fn without_numbers_the_thread_is_the_target() {
        assert_eq!(leading("", Some(7)).0, Ok(Targets::Numbers(vec![n(7)])));
        assert_eq!(leading("", None).0, Ok(Targets::Unspecified));
        assert_eq!(
            leading("fixed it", None),
            (Ok(Targets::Unspecified), "fixed it".to_owned())
        );
    }

    #[test]
    fn too_many_numbers_point_to_all() {
        let many: Vec<String> = (1..=51).map(|i| i.to_string()).collect();
        let e = leading(&many.join(" "), None).0.unwrap_err();
        assert!(e.message().contains("at most 50, or use `all`"), "{e}");
    }

    #[test]
    fn huge_numbers_are_errors_not_panics() {
        let e = leading("99999999999999999999999", None).0.unwrap_err();
        assert!(e.message().contains("is not an incident number"));
    }
}
