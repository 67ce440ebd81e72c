//! Making values safe in Markdown, and the draft's times and durations.
//!
//! Alert titles, notes and error messages are whatever a monitor or a person typed: a `|` would
//! end a table cell, a newline would end a row or a list item, a leading `#` or a backtick fence
//! would turn the rest of a list item into a heading or a code block, and `<…>` could be raw
//! HTML. Every such value goes through [`inline`] (cells, list items, paragraphs) or
//! [`one_line`] (headings), which escape Markdown's punctuation with backslashes — rendered as
//! the character itself — and turn line breaks into `<br>` or spaces. Only [`fenced`] blocks
//! keep text verbatim, behind a fence longer than any backtick run inside.

use chrono::{DateTime, Utc};

/// Characters with a meaning in Markdown wherever they appear in a line of text (or at its
/// start, which a value may be in a list item). Escaping them is always allowed and renders as
/// the character.
const SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~'];

/// `text` safe inside a table cell, a list item or a paragraph: punctuation escaped, line breaks
/// as `<br>`, other control characters dropped.
pub(super) fn inline(text: &str) -> String {
    joined(text, "<br>")
}

/// [`inline`], on one line: for headings and running sentences.
pub(super) fn one_line(text: &str) -> String {
    joined(text, " ")
}

fn joined(text: &str, separator: &str) -> String {
    // CommonMark ends a line at `\n`, `\r\n` and a lone `\r`.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    let lines = text.trim().lines().map(str::trim).filter(|l| !l.is_empty());
    for (i, line) in lines.enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        for c in line.chars() {
            match c {
                c if SPECIAL.contains(&c) => {
                    out.push('\\');
                    out.push(c);
                }
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
    }
    out
}

/// A fenced code block holding `body` verbatim: the fence is longer than the longest run of
/// backticks in it, so nothing inside can close it.
pub(super) fn fenced(info: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{}\n{fence}\n", body.trim_end())
}

/// One table row from cells that are already safe.
pub(super) fn row(cells: &[&str]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// `2026-11-21 03:04:00` (UTC; the column or sentence says so).
pub(super) fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// How long something took, for people: `45s`, `4m`, `4m 30s`, `1h 03m`, `2d 05h 00m`.
/// Seconds are shown under an hour only; a negative duration (clock skew) counts as zero.
pub fn elapsed(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match s {
        0..=59 => format!("{seconds}s"),
        60..=3599 if seconds == 0 => format!("{minutes}m"),
        60..=3599 => format!("{minutes}m {seconds:02}s"),
        3600..=86_399 => format!("{hours}h {minutes:02}m"),
        _ => format!("{days}d {hours:02}h {minutes:02}m"),
    }
}
