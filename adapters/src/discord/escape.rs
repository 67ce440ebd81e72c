//! Untrusted text made inert for Discord, and Discord's size limits.
//!
//! Alert titles, sources, notes, names and anything a person typed end up in message `content`,
//! embed descriptions and field values, which Discord renders as Markdown with mentions.
//! `allowed_mentions` on every body already stops the pings; escaping is belt and braces, and
//! makes the text *show* as typed. [`markdown`] does this:
//!
//! - ``\ * _ ~ ` | [ ]`` are always backslash-escaped. Discord's escape rule takes a backslash
//!   before any punctuation, so `\*` always shows `*` and an extra escape never shows; escaping
//!   everywhere is simpler than guessing where a marker would pair up (`*a*`, `__u__`,
//!   `~~s~~`, `||spoiler||`, code spans). With both brackets escaped no masked link `[x](y)` can
//!   form, so parentheses stay as typed. The one exception: `_` and `~` inside a bare
//!   `https://…` URL, which Discord links before reading Markdown there, so a backslash would
//!   only end up in the link.
//! - `#` (headers, `-#` subtext), `-` (lists), `>` (quotes) and `1.` (ordered lists) only format
//!   at the start of a line, so they are escaped there (after leading spaces) and nowhere else:
//!   `db-01` stays `db-01` in the JSON.
//! - Every `<` is followed by a zero-width space. All of Discord's tokens start with `<` and a
//!   non-space: `<@123>`, `<@!123>`, `<@&123>` (roles), `<#123>`, `</cmd:123>`, `<t:123:R>`,
//!   `<:emoji:123>`, `<a:emoji:123>`, `<id:home>`, `<https://…>`; none can form, the text
//!   still reads `<@123>`, and no raw token appears in the JSON. (A backslash before `<` would
//!   also display the token as text, but leaves it in the JSON for the next reader to trip on.)
//! - `@everyone` and `@here` get a zero-width space after the `@`, as discord.py and discord.js
//!   do (`escape_mentions`, `cleanContent`).
//! - Control characters and bidirectional overrides (which make text read differently from what
//!   it is) are dropped.
//!
//! Where Discord renders no Markdown — embed footers, button labels, thread names — backslashes
//! would show, so [`plain_line`] only defuses mentions (invisibly) and drops control characters.
//! Inside an inline code span escapes would show too: [`code`].
//!
//! Lengths are counted in UTF-16 code units ([`len`]): never fewer than characters, so a text
//! within a limit by this count is within it however Discord counts.

use crate::chat::escape::{fold_whitespace, http_url, is_dropped, is_invisible, word_follows};

/// Discord's documented limits.
pub const CONTENT: usize = 2000;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const MAX_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
/// Title, description, field names and values, footer and author name, all embeds together.
pub const EMBED_TOTAL: usize = 6000;
pub const BUTTON_LABEL: usize = 80;
pub const CUSTOM_ID: usize = 100;
pub const BUTTONS_PER_ROW: usize = 5;
pub const THREAD_NAME: usize = 100;
/// Ids in `allowed_mentions.users`.
pub const MAX_PINGED: usize = 100;

const ELLIPSIS: char = '…';
/// Invisible; after `<` and after the `@` of `@everyone` / `@here`.
const ZWSP: char = '\u{200b}';

/// The length Discord's limits are checked against (UTF-16 code units; see the module docs).
pub fn len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Untrusted text for `content`, a description or a field value, line breaks kept, any length.
pub fn markdown(text: &str) -> String {
    escape(text, false, usize::MAX)
}

/// Like [`markdown`], for one-line places (titles, names, list rows): line breaks and tabs
/// become spaces. At most `max` long ([`len`]), cut with `…` between escapes, never inside one.
pub fn markdown_line(text: &str, max: usize) -> String {
    escape(text, true, max)
}

/// Like [`markdown`], line breaks kept, at most `max` long.
pub fn markdown_within(text: &str, max: usize) -> String {
    escape(text, false, max)
}

/// Text for where Discord renders no Markdown (footers, button labels, thread names): one line,
/// nothing backslash-escaped (it would show), mentions defused invisibly, control characters
/// dropped, cut on a character boundary with `…` to at most `max` long.
pub fn plain_line(text: &str, max: usize) -> String {
    inert(text, max, |c| c)
}

/// Untrusted text to put between backticks: Discord shows a code span's content as is (a
/// backslash would show), so only backticks are replaced (with `ˋ`, which cannot close the
/// span), mentions defused invisibly and control characters dropped. One line, at most `max`
/// long; never empty, as an empty span shows its backticks.
pub fn code(text: &str, max: usize) -> String {
    let out = inert(text, max, |c| if c == '`' { 'ˋ' } else { c });
    if out.is_empty() { " ".to_owned() } else { out }
}

/// [`plain_line`] and [`code`]: one line, `map` applied, `<` and broadcasts defused.
fn inert(text: &str, max: usize, map: fn(char) -> char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let piece = match c {
            '\r' if chars.get(i + 1) == Some(&'\n') => continue,
            '\r' | '\n' | '\t' => " ".to_owned(),
            c if is_dropped(c) => continue,
            '<' => format!("<{ZWSP}"),
            '@' if broadcast_follows(&chars[i + 1..]) => format!("@{ZWSP}"),
            c => map(c).to_string(),
        };
        pieces.push(piece);
    }
    fit(&pieces, max)
}

/// The pieces joined, or as many as fit in `max` with `…` after them.
fn fit(pieces: &[String], max: usize) -> String {
    let total: usize = pieces.iter().map(|p| len(p)).sum();
    if total <= max {
        return pieces.concat();
    }
    let mut out = String::new();
    let mut used = 0;
    for p in pieces {
        let n = len(p);
        if used + n + 1 > max {
            break;
        }
        out.push_str(p);
        used += n;
    }
    if max > 0 {
        out.push(ELLIPSIS);
    }
    out
}

/// A link's text.
const LINK_TEXT: usize = 100;

/// `[escaped text](https://…)`, a masked link, or `None` unless `href` is an http(s) URL with a
/// host. The text cannot close the link (brackets are escaped) and the URL cannot end it early.
pub fn link(href: &str, text: Option<&str>) -> Option<String> {
    let url = url(href)?;
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(href.trim());
    Some(format!("[{}]({url})", markdown_line(text, LINK_TEXT)))
}

/// An http(s) URL with a host, as it may sit in a masked link's parentheses or an embed's image:
/// brackets, parentheses, angle brackets, quotes, backslashes, Markdown markers, spaces,
/// controls and non-ASCII percent-encoded.
pub fn url(href: &str) -> Option<String> {
    let special = [
        '(', ')', '[', ']', '<', '>', '"', '\'', '`', '\\', '|', '*', '_', '~',
    ];
    http_url(href, &special)
}

/// Cuts Markdown we built (escaped text, `<@123>`, `<t:…>`, `[text](url)`) to at most `max`
/// long, with `…`, never inside a backslash escape, a defused `<`, a `<…>` token or a masked
/// link, so the cut cannot escape the ellipsis or leave a half-open token. A safety net: callers
/// give each part its own budget first.
pub fn truncate(text: &str, max: usize) -> String {
    if len(text) <= max {
        return text.to_owned();
    }
    let pieces: Vec<String> = units(text).into_iter().map(str::to_owned).collect();
    fit(&pieces, max)
}

/// `text` split into the pieces a cut must not go inside.
fn units(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let end = match c {
            '\\' => rest.chars().take(2).map(char::len_utf8).sum(),
            '<' | '@' if rest[1..].starts_with(ZWSP) => 1 + ZWSP.len_utf8(),
            '<' => rest.find('>').map_or(1, |e| e + 1),
            '[' => masked_link_end(rest).unwrap_or(1),
            c => c.len_utf8(),
        };
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Where the masked link at the start of `text` (`[text](url)`, brackets in the text escaped)
/// ends, if it is one.
fn masked_link_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' | '\n' => return None,
            ']' => {
                let after = &text[i + 1..];
                return after
                    .starts_with('(')
                    .then(|| after.find(')'))
                    .flatten()
                    .map(|close| i + 1 + close + 1);
            }
            _ => {}
        }
    }
    None
}

/// Escapes `text` piece by piece (one input character → one piece), stopping before the piece
/// that would leave no room for the `…`.
fn escape(text: &str, one_line: bool, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces: Vec<String> = Vec::with_capacity(chars.len());
    // Only whitespace (or invisible characters) so far on this output line; and only those and
    // digits (an ordered list's `1.`).
    let (mut line_start, mut numbering) = (true, true);
    // Inside a bare URL (up to this index), which Discord links before reading any Markdown.
    let mut url_end = 0;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if i >= url_end {
            url_end = url_at(&chars, i).unwrap_or(0);
        }
        let Some(c) = fold_whitespace(c, next, one_line) else {
            continue;
        };
        let piece = match c {
            '_' | '~' if i < url_end => c.to_string(),
            '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' => format!("\\{c}"),
            '#' | '-' | '>' | '+' if line_start => format!("\\{c}"),
            '.' if numbering && !line_start => "\\.".to_owned(),
            '<' => format!("<{ZWSP}"),
            '@' if broadcast_follows(&chars[i + 1..]) => format!("@{ZWSP}"),
            c if is_dropped(c) && c != '\n' => continue,
            c => c.to_string(),
        };
        pieces.push(piece);
        let blank = c.is_whitespace() || is_invisible(c);
        line_start = c == '\n' || (line_start && blank);
        numbering = c == '\n' || (numbering && (blank || c.is_ascii_digit()));
    }
    fit(&pieces, max)
}

/// Where the bare `http(s)://` URL starting at `i` ends, as Discord's autolink reads it: up to
/// a space or `<`, without trailing punctuation. Its `_` and `~` are left as typed (a backslash
/// would end up in the link); everything else is escaped as anywhere, `[` and `]` included, so
/// no masked link can form around it.
fn url_at(chars: &[char], i: usize) -> Option<usize> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    if i > 0 && word(chars[i - 1]) {
        return None;
    }
    let rest = &chars[i..];
    let scheme = ["https://", "http://"].into_iter().find(|s| {
        rest.len() > s.len()
            && rest
                .iter()
                .zip(s.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    })?;
    let mut end = rest
        .iter()
        .position(|&c| c.is_whitespace() || c == '<' || is_dropped(c))
        .unwrap_or(rest.len());
    while end > scheme.len()
        && matches!(
            rest[end - 1],
            '.' | ',' | ':' | ';' | '"' | '\'' | ')' | ']'
        )
    {
        end -= 1;
    }
    (end > scheme.len()).then_some(i + end)
}

/// `everyone` or `here` (any case) after an `@`.
fn broadcast_follows(rest: &[char]) -> bool {
    word_follows(rest, &["everyone", "here"])
}

#[cfg(test)]
mod tests;
