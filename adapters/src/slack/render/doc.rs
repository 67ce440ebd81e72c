//! A [`Doc`] in Slack's mrkdwn: bold as `*…*`, code as `` `…` ``, items after `• `. Every span's
//! text has `&`, `<`, `>` escaped and bare broadcasts defused ([`escape::entities`]), so nothing
//! in it can ping, link or form a `<!channel>`.

use firebell_commands::{Doc, Span};

use crate::slack::escape;

/// The document as mrkdwn, lines joined with line breaks; any length (the caller fits it).
pub fn render(doc: &Doc) -> String {
    doc.render(|span| match span {
        Span::Text(t) => escape::entities(t),
        Span::Bold(t) => format!("*{}*", escape::entities(t)),
        Span::Code(t) => format!("`{}`", escape::entities(t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_mrkdwn_and_items_keep_their_bullet() {
        let d = Doc::new()
            .bold("2 open")
            .item()
            .bold("#2")
            .text(" web — ")
            .code("!ack 2");
        assert_eq!(render(&d), "*2 open*\n• *#2* web — `!ack 2`");
    }

    #[test]
    fn hostile_text_cannot_ping_or_link() {
        let d = Doc::new()
            .text("<!channel> @here <@U1> <http://evil|click> & ")
            .bold("@everyone")
            .code("<!here>");
        assert_eq!(
            render(&d),
            "&lt;!channel&gt; @\u{2060}here &lt;@U1&gt; &lt;http://evil|click&gt; &amp; \
             *@\u{2060}everyone*`&lt;!here&gt;`"
        );
    }
}
