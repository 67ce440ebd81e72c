//! Untrusted text made safe for Slack, and Slack's size limits.
//!
//! Alert summaries, sources, notes and anything a person typed end up in `mrkdwn` fields and in
//! message `text`, which Slack parses. [`mrkdwn`] makes such text display as typed and do nothing:
//!
//! - `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` (Slack's documented escaping). Every Slack
//!   control sequence starts with `<` — `<!channel>`, `<!here>`, `<!everyone>`, `<@U123>`,
//!   `<#C123>`, `<!subteam^S1>`, `<!date^…>`, `<http://evil|click>` — so none can be formed.
//! - Slack has no escape for `*bold*`, `_italic_`, `~strike~` and `` `code` ``. A zero-width space
//!   does not help: Slack treats U+200B as a word boundary, and surrounding a marker with it is the
//!   known trick to *force* formatting mid-word (jsx-slack's "exact mode"). What does hold is
//!   that Slack only reads a marker at a word boundary: `disk_used_pct` or `5*3*2` are never
//!   formatted. So a marker between two ASCII letters or digits is kept as typed, and every other
//!   one becomes a lookalike that Slack does not parse (`*`→`∗`, `_`→`ˍ`, `~`→`∼`, and the
//!   full-width `＊`→`﹡`, `＿`→`⸏`, which Slack also reads). Backticks are always replaced (`ˋ`): an
//!   unmatched one can swallow the formatting of the rest of a message.
//! - A `>` (or full-width `＞`) that starts a line would quote it; a soft hyphen (U+00AD, invisible)
//!   in front means it no longer starts the line.
//! - Bare `@channel`, `@here`, `@everyone`, `@group` are only mentions with `link_names`, which we
//!   never set; a word joiner (U+2060) after the `@` keeps them inert even if someone does.
//! - Control characters and bidirectional overrides (which can make text read differently from
//!   what it is) are dropped.
//!
//! Escaping is not idempotent (`&` becomes `&amp;`, then `&amp;amp;`), but escaping twice only
//! shows the entity as text; it never produces a raw `<`.
//!
//! `plain_text` fields (headers, buttons) are never parsed by Slack; they only need [`plain`].

use crate::chat::escape::{fold_whitespace, http_url, is_dropped, is_invisible, word_follows};

/// Slack's documented size limits, in characters.
pub const HEADER_TEXT: usize = 150;
pub const SECTION_TEXT: usize = 3000;
pub const FIELD_TEXT: usize = 2000;
pub const BUTTON_TEXT: usize = 75;
/// A button's `value`.
pub const BUTTON_VALUE: usize = 2000;
pub const MESSAGE_TEXT: usize = 40_000;
pub const MAX_BLOCKS: usize = 50;
pub const MAX_FIELDS: usize = 10;

const ELLIPSIS: char = '…';
/// Invisible; in front of a leading `>` so it no longer starts the line.
const SOFT_HYPHEN: char = '\u{ad}';
/// Invisible; after the `@` of `@here` and friends.
const WORD_JOINER: char = '\u{2060}';

/// Untrusted text for a `mrkdwn` field or a message's `text`, line breaks kept, any length.
pub fn mrkdwn(text: &str) -> String {
    escape(text, false, usize::MAX)
}

/// Like [`mrkdwn`], for one-line places (titles, names, list rows): line breaks and tabs become
/// spaces. At most `max_chars` characters of output, cut with `…` between escapes, never inside
/// one.
pub fn mrkdwn_line(text: &str, max_chars: usize) -> String {
    escape(text, true, max_chars)
}

/// Like [`mrkdwn`], line breaks kept, at most `max_chars` characters of output.
pub fn mrkdwn_within(text: &str, max_chars: usize) -> String {
    escape(text, false, max_chars)
}

/// For text that is our own light Markdown (`*bold*`, `` `code` ``) but may echo untrusted words:
/// only `&`, `<`, `>` are escaped and bare broadcasts defused, so formatting is kept and nothing
/// can mention, link or break out. Control characters are dropped as in [`mrkdwn`].
pub fn entities(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' if broadcast_follows(&chars[i + 1..]) => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            '\n' | '\t' => out.push(c),
            c if is_dropped(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for a `plain_text` field (headers, buttons), cut to `max_chars` characters on a
/// character boundary, with `…`. Slack never parses `plain_text`, so nothing is escaped (an
/// `&lt;` would show as typed); still, a word joiner goes after each `<` and after the `@` of a
/// bare broadcast, so the text stays inert if it is ever reused as mrkdwn, and control and bidi
/// override characters are dropped as in [`mrkdwn`].
pub fn plain(text: &str, max_chars: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_dropped(c) => {}
            '<' => {
                out.push('<');
                out.push(WORD_JOINER);
            }
            '@' if broadcast_follows(&chars[i + 1..]) => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            c => out.push(c),
        }
    }
    match out.char_indices().nth(max_chars) {
        None => out,
        Some(_) => cut(&out, max_chars.saturating_sub(1)),
    }
}

/// A link's text.
const LINK_TEXT_CHARS: usize = 100;

/// `<https://…|escaped text>`, or `None` unless `href` is an http(s) URL. The text cannot close
/// the link (`>` is escaped, `|` becomes a lookalike) and the URL cannot end it early.
pub fn link(href: &str, text: Option<&str>) -> Option<String> {
    let url = safe_url(href)?;
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(href.trim());
    let text = mrkdwn_line(text, LINK_TEXT_CHARS).replace('|', "∣");
    Some(format!("<{url}|{text}>"))
}

/// An http(s) URL with a host, as it may sit between `<` and `|`: `<`, `>`, `|`, quotes,
/// backticks, backslashes, spaces, controls and non-ASCII percent-encoded, and `&` escaped.
fn safe_url(href: &str) -> Option<String> {
    let url = http_url(href, &['<', '>', '|', '"', '\'', '`', '\\'])?;
    Some(url.replace('&', "&amp;"))
}

/// Cuts mrkdwn we built (escaped text, `<@U…>`, `<url|text>`) to `max_chars` characters, with `…`,
/// never inside an `&…;` entity or a `<…>` token, so the cut cannot leave a half-open link or
/// mention. A safety net: callers give each part its own budget first.
pub fn truncate(mrkdwn: &str, max_chars: usize) -> String {
    if mrkdwn.char_indices().nth(max_chars).is_none() {
        return mrkdwn.to_owned();
    }
    let mut out = cut(mrkdwn, max_chars.saturating_sub(1));
    out.pop(); // the ellipsis `cut` added; re-added below
    for (open, close) in [('<', '>'), ('&', ';')] {
        if let Some(at) = unclosed(&out, open, close) {
            out.truncate(at);
        }
    }
    if max_chars > 0 {
        out.push(ELLIPSIS);
    }
    out
}

/// Where the last `open` without a `close` after it starts.
fn unclosed(text: &str, open: char, close: char) -> Option<usize> {
    let o = text.rfind(open)?;
    match text.rfind(close) {
        Some(c) if c > o => None,
        _ => Some(o),
    }
}

/// The first `keep` characters and `…`.
fn cut(text: &str, keep: usize) -> String {
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let mut out = text[..end].to_owned();
    out.push(ELLIPSIS);
    out
}

/// Escapes `text` piece by piece (one input character → one piece), stopping before the piece
/// that would leave no room for the `…`.
fn escape(text: &str, one_line: bool, max_chars: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut piece = String::new();
    let (mut count, mut keep) = (0usize, 0usize);
    // Only whitespace or invisible characters so far on this output line.
    let mut line_start = true;
    for (i, &c) in chars.iter().enumerate() {
        piece.clear();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let Some(c) = fold_whitespace(c, next, one_line) else {
            continue;
        };
        match c {
            '\n' => piece.push('\n'),
            '&' => piece.push_str("&amp;"),
            '<' => piece.push_str("&lt;"),
            '>' | '＞' => {
                if line_start {
                    piece.push(SOFT_HYPHEN);
                }
                piece.push_str(if c == '>' { "&gt;" } else { "＞" });
            }
            '*' | '_' | '~' | '＊' | '＿' if !inside_word(prev, next) => piece.push(lookalike(c)),
            '`' | '｀' => piece.push('ˋ'),
            '@' if broadcast_follows(&chars[i + 1..]) => {
                piece.push('@');
                piece.push(WORD_JOINER);
            }
            c if is_dropped(c) => continue,
            c => piece.push(c),
        }
        let k = piece.chars().count();
        if count + k > max_chars {
            out.truncate(keep);
            if max_chars > 0 {
                out.push(ELLIPSIS);
            }
            return out;
        }
        out.push_str(&piece);
        count += k;
        if count < max_chars {
            keep = out.len();
        }
        line_start = c == '\n' || (line_start && (c.is_whitespace() || is_invisible(c)));
    }
    out
}

/// Slack reads formatting markers only at word boundaries; between two ASCII letters or digits
/// (`disk_used`, `5*3`) they are text.
fn inside_word(prev: Option<char>, next: Option<char>) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    word(prev) && word(next)
}

fn lookalike(c: char) -> char {
    match c {
        '*' => '∗',   // U+2217 asterisk operator
        '_' => 'ˍ',   // U+02CD modifier letter low macron
        '~' => '∼',   // U+223C tilde operator
        '＊' => '﹡', // U+FE61 small asterisk
        '＿' => '⸏',  // U+2E0F paragraphos
        other => other,
    }
}

/// `channel`, `here`, `everyone` or `group` (any case) after an `@`.
fn broadcast_follows(rest: &[char]) -> bool {
    word_follows(rest, &["channel", "here", "everyone", "group"])
}

#[cfg(test)]
mod tests;
