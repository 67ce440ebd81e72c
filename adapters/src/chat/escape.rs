//! What Slack's and Discord's escapers agree on: which characters untrusted text loses, how line
//! breaks and tabs fold, which are invisible, how a bare broadcast (`@here`) is spotted, and
//! which URLs may be linked. What each platform then does with a character — entities and
//! lookalikes on Slack, backslashes on Discord — and how it counts and cuts length stays in its
//! own `escape`.

/// Control characters (line breaks are handled before this is asked) and the bidi embeddings,
/// overrides and isolates, which make text read differently from what it is.
pub fn is_dropped(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a line break or tab reads in escaped text: `\r\n` is one break (`None` for its `\r`), a
/// lone `\r` a `\n`, a break on one-line text a space, a tab a space; anything else as is.
pub fn fold_whitespace(c: char, next: Option<char>, one_line: bool) -> Option<char> {
    Some(match c {
        '\r' if next == Some('\n') => return None,
        '\r' | '\n' if one_line => ' ',
        '\r' => '\n',
        '\t' => ' ',
        c => c,
    })
}

/// Zero-width characters that do not move a marker (a quoting `>`, a heading `#`) away from the
/// start of a line.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
    )
}

/// Whether `rest` starts with one of `words` (ASCII, any case): after an `@`, one of the
/// platform's broadcasts.
pub fn word_follows(rest: &[char], words: &[&str]) -> bool {
    words.iter().any(|word| {
        rest.len() >= word.len()
            && rest
                .iter()
                .zip(word.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    })
}

/// A URL longer than this is dropped rather than cut: half a URL is wrong.
const URL_CHARS: usize = 1000;

/// `href` if it is an http(s) URL with a host, with `special` (what the platform's link syntax
/// reads), spaces, controls and non-ASCII percent-encoded, so it cannot end a link early.
pub fn http_url(href: &str, special: &[char]) -> Option<String> {
    let href = href.trim();
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        let head = href.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &href[scheme.len()..])
    })?;
    if rest.is_empty() || rest.starts_with('/') || href.len() > URL_CHARS {
        return None;
    }
    let mut url = String::with_capacity(href.len());
    for c in href.chars() {
        match c {
            c if special.contains(&c) => url.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_ascii_graphic() => url.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    url.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Some(url)
}
