//! The one table of commands. Help, "did you mean", usage lines in parse errors and the README's
//! command table are all rendered from it, so they cannot drift apart.

use firebell_engine::IncidentNumber;

use crate::cmd::{
    ack, escalate, help, incidents, maintenance, note, oncall, overrides, postmortem, report,
    resolve, trigger,
};
use crate::command::{Command, ParseError};
use crate::invocation::Args;

/// What a command is called, how it is typed and what it does.
#[derive(Debug)]
pub struct CommandSpec {
    /// Canonical name, without the `!`.
    pub name: &'static str,
    /// Other names that run the same command.
    pub aliases: &'static [&'static str],
    /// The grammar, as shown in help and after a parse error.
    pub usage: &'static str,
    /// One line, for the command list and the README.
    pub summary: &'static str,
    /// More explanation for `!help <command>`; may be empty.
    pub details: &'static str,
    /// (what to type, what it does) pairs for `!help <command>`.
    pub examples: &'static [(&'static str, &'static str)],
    /// Arguments → command; also given the thread's incident, the default target.
    pub(crate) parse: fn(&mut Args<'_>, Option<IncidentNumber>) -> Result<Command, ParseError>,
}

impl CommandSpec {
    /// A mistake in this command's arguments, followed by its usage line.
    pub(crate) fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(message, self.usage)
    }
}

/// Every command, in the order help lists them.
pub static COMMANDS: &[CommandSpec] = &[
    ack::SPEC,
    resolve::SPEC,
    incidents::SPEC,
    note::SPEC,
    escalate::SPEC,
    oncall::SPEC,
    overrides::SPEC,
    maintenance::SPEC,
    trigger::SPEC,
    postmortem::SPEC,
    report::SPEC,
    help::SPEC,
];

/// The command called `name` (lowercase, without `!`) by its name or an alias.
pub(crate) fn lookup(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// The command a mistyped `name` was probably meant to be: the closest name or alias within a
/// small edit distance (transpositions count once), or one it is a prefix of. Short words get
/// less slack, so `no` suggests nothing rather than `!note`.
pub(crate) fn suggest(name: &str) -> Option<&'static CommandSpec> {
    let len = name.chars().count();
    let slack = match len {
        0..=2 => return None,
        3..=4 => 1,
        _ => 2,
    };
    COMMANDS
        .iter()
        .flat_map(|c| {
            std::iter::once(c.name)
                .chain(c.aliases.iter().copied())
                .map(move |n| (c, n))
        })
        .filter_map(|(c, candidate)| {
            let distance = if candidate.starts_with(name) {
                0
            } else {
                strsim::osa_distance(name, candidate)
            };
            (distance <= slack).then_some((distance, c))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// The README's command table, generated so a test can hold the README to it. Pipes in usage
/// are escaped (`\|`), which GitHub renders as `|` even inside code spans.
pub fn markdown_table() -> String {
    let mut out = String::from("| Command | Aliases | What it does |\n|---|---|---|\n");
    for c in COMMANDS {
        let aliases = if c.aliases.is_empty() {
            "—".to_owned()
        } else {
            c.aliases
                .iter()
                .map(|a| format!("`!{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let usage = c.usage.replace('|', "\\|");
        out.push_str(&format!("| `{usage}` | {aliases} | {} |\n", c.summary));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_lowercase_words() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            for n in std::iter::once(c.name).chain(c.aliases.iter().copied()) {
                assert!(seen.insert(n), "`{n}` is used twice");
                assert!(
                    n.chars().all(|ch| ch.is_ascii_lowercase()),
                    "`{n}` must be lowercase letters"
                );
            }
            assert!(
                c.usage.starts_with(&format!("!{} ", c.name)) || c.usage == format!("!{}", c.name)
            );
            assert!(
                c.summary.ends_with('.'),
                "summary of {} should be a sentence",
                c.name
            );
        }
    }

    #[test]
    fn lookup_finds_commands_by_name_and_alias() {
        assert_eq!(lookup("ack").map(|c| c.name), Some("ack"));
        assert_eq!(lookup("acknowledge").map(|c| c.name), Some("ack"));
        assert_eq!(lookup("inc").map(|c| c.name), Some("incidents"));
        assert_eq!(lookup("who").map(|c| c.name), Some("oncall"));
        assert_eq!(lookup("maint").map(|c| c.name), Some("maintenance"));
        assert_eq!(lookup("postmortem").map(|c| c.name), Some("postmortem"));
        assert_eq!(lookup("pm").map(|c| c.name), Some("postmortem"));
    }

    #[test]
    fn typos_suggest_the_nearest_command() {
        let s = |n: &str| suggest(n).map(|c| c.name);
        assert_eq!(s("akc"), Some("ack"));
        assert_eq!(s("acked"), Some("ack"));
        assert_eq!(s("resolv"), Some("resolve"));
        assert_eq!(s("resloved"), Some("resolve"));
        assert_eq!(s("incident"), Some("incidents"));
        assert_eq!(s("hlep"), Some("help"));
        assert_eq!(
            s("acknowlege"),
            Some("ack"),
            "a near alias suggests the command"
        );
        assert_eq!(s("trig"), Some("trigger"), "a prefix is a good guess");
        assert_eq!(s("onacll"), Some("oncall"));
        assert_eq!(s("on-call"), Some("oncall"));
        assert_eq!(s("overide"), Some("override"));
        assert_eq!(s("escalte"), Some("escalate"));
        assert_eq!(s("maintenace"), Some("maintenance"));
        assert_eq!(s("post-mortem"), Some("postmortem"));
    }

    #[test]
    fn unrelated_or_very_short_words_suggest_nothing() {
        for n in ["a", "no", "retro", "deploy", "xyzzy"] {
            assert!(
                suggest(n).is_none(),
                "`{n}` suggested {:?}",
                suggest(n).map(|c| c.name)
            );
        }
    }

    #[test]
    fn the_markdown_table_lists_every_command_with_escaped_pipes() {
        let table = markdown_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| Command | Aliases | What it does |");
        assert_eq!(lines[1], "|---|---|---|");
        assert_eq!(lines.len(), 2 + COMMANDS.len());
        assert_eq!(
            lines[2],
            "| `!ack [N…\\|all]` | `!acknowledge` | Acknowledge incidents: you are on it, so paging \
             stops. `all` covers only this room's triggered incidents (in a storm summary's \
             thread, that storm's). |"
        );
        assert!(table.contains("| `!trigger <service> <summary>` | — |"));
        for line in &lines[2..] {
            let unescaped_pipes = line.replace("\\|", "").matches('|').count();
            assert_eq!(unescaped_pipes, 4, "three cells per row: {line}");
        }
    }
}
