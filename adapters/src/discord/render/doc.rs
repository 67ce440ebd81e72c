//! A [`Doc`] in Discord Markdown: bold as `**…**`, code as `` `…` ``, items after `• `. Text is
//! escaped ([`escape::markdown`]: every marker backslashed, `<` and `@everyone` / `@here`
//! defused) and code defused ([`escape::code`]), so no span can format, mention or link.

use firebell_commands::{Block, Doc, Span};

use crate::discord::escape;

/// The document as Discord Markdown, lines joined with line breaks; any length (the caller fits
/// it).
pub fn render(doc: &Doc) -> String {
    let lines: Vec<String> = doc.blocks().iter().map(line).collect();
    lines.join("\n")
}

/// One line. An item's bullet is read with the text after it, so what starts the line for the
/// escaper is what starts it on screen.
fn line(block: &Block) -> String {
    let mut out = String::new();
    let mut bullet = block.bullet();
    for span in block.spans() {
        match span {
            Span::Text(t) => out.push_str(&escape::markdown(&format!("{bullet}{t}"))),
            other => {
                out.push_str(bullet);
                out.push_str(&styled(other));
            }
        }
        bullet = "";
    }
    out.push_str(bullet);
    out
}

fn styled(span: &Span) -> String {
    match span {
        Span::Text(t) => escape::markdown(t),
        // An empty pair is no bold on Discord: shown as typed.
        Span::Bold(t) if t.is_empty() => "\\*\\*".to_owned(),
        Span::Bold(t) => format!("**{}**", escape::markdown(t)),
        Span::Code(t) => format!("`{}`", escape::code(t, usize::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_discord_markdown_and_items_keep_their_bullet() {
        let d = Doc::new()
            .bold("2 open")
            .item()
            .bold("#2")
            .text(" web_01 — ")
            .code("!ack 2");
        assert_eq!(render(&d), "**2 open**\n• **\\#2** web\\_01 — `!ack 2`");
        assert_eq!(
            render(&Doc::from("• - x")),
            "• - x",
            "a bullet starts the line"
        );
    }

    #[test]
    fn hostile_text_cannot_format_mention_or_link() {
        let d = Doc::new()
            .text("*b* <@1> @everyone [x](https://e.example)")
            .bold("@here")
            .code("`<@&2>`");
        assert_eq!(
            render(&d),
            "\\*b\\* <\u{200b}@1> @\u{200b}everyone \\[x\\](https://e.example)\
             **@\u{200b}here**`ˋ<\u{200b}@&2>ˋ`"
        );
    }
}
