//! A [`Doc`] on the console: bold and cyan code on a terminal, light Markdown as typed
//! otherwise (it reads fine). Every span's text is sanitized first ([`multi_line`]), so alert
//! text cannot move the cursor, clear the screen or reorder what is shown.

use firebell_commands::{Doc, Span};

use super::output::{BOLD, CYAN, Style};
use super::sanitize::multi_line;

/// The document for `style`, lines joined with line breaks.
pub(crate) fn render(doc: &Doc, style: Style) -> String {
    if !style.color {
        return multi_line(&doc.to_markup());
    }
    doc.render(
        |span| match span {
            Span::Text(t) => multi_line(t),
            Span::Bold(t) => style.paint(&multi_line(t), BOLD),
            Span::Code(t) => style.paint(&multi_line(t), CYAN),
            other => multi_line(&other.to_markup()),
        },
        |text, _| multi_line(text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLOR: Style = Style { color: true };

    #[test]
    fn a_terminal_shows_bold_and_code_and_plain_output_the_markup() {
        let d = Doc::new()
            .text("Acknowledged ")
            .bold("#3")
            .text(" — try ")
            .code("!ack 4");
        assert_eq!(
            render(&d, COLOR),
            "Acknowledged \x1b[1m#3\x1b[0m — try \x1b[36m!ack 4\x1b[0m"
        );
        assert_eq!(render(&d, Style::PLAIN), "Acknowledged *#3* — try `!ack 4`");
    }

    #[test]
    fn hostile_text_cannot_reach_the_terminal_raw() {
        let d = Doc::new().text("\x1b[2Jwiped *not bold*").bold("\u{202e}x");
        assert_eq!(
            render(&d, COLOR),
            "\\u{1b}[2Jwiped *not bold*\x1b[1m\\u{202e}x\x1b[0m"
        );
    }
}
