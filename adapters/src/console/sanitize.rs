//! Text from alerts is untrusted: a summary containing `ESC [2J` would clear the operator's
//! screen, `\r` could overwrite what came before, and bidirectional overrides could make text
//! read differently from what it is. Here every such character becomes a visible escape
//! (`\u{1b}`), so the text stays readable and inert.

/// For one-line fields (titles, sources, keys): line breaks and tabs become spaces, other control
/// and bidi-format characters become visible escapes.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if is_unsafe(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// For free text (notes, replies): like [`one_line`] but keeps line breaks and tabs.
pub(crate) fn multi_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_unsafe(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// C0 and C1 controls (ESC, CR, BEL, backspace, CSI U+009B …), DEL, and the Unicode bidi
/// embedding, override and isolate characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(
            one_line("boom\x1b[2J\x1b[31mred"),
            "boom\\u{1b}[2J\\u{1b}[31mred"
        );
        assert_eq!(
            one_line("a\rb\x07c\x08d\x7fe"),
            "a\\u{d}b\\u{7}c\\u{8}d\\u{7f}e"
        );
        assert_eq!(one_line("csi\u{9b}2J"), "csi\\u{9b}2J", "the 8-bit CSI too");
    }

    #[test]
    fn bidi_overrides_are_shown_not_obeyed() {
        assert_eq!(one_line("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(one_line("x\u{2066}y"), "x\\u{2066}y");
    }

    #[test]
    fn line_breaks_fold_in_one_line_fields_and_stay_in_free_text() {
        assert_eq!(one_line("disk\nfull\tnow"), "disk full now");
        assert_eq!(multi_line("line 1\nline\t2\r"), "line 1\nline\t2\\u{d}");
    }

    #[test]
    fn ordinary_text_passes_unchanged() {
        let text = "Disk full on db-01 — 95 % · ünïcödé · 🔥 · 日本語";
        assert_eq!(one_line(text), text);
        assert_eq!(multi_line(text), text);
    }
}
