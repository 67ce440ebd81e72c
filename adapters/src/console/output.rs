//! Where console text goes, and whether it may be coloured.

use std::io::IsTerminal;
use std::sync::Arc;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Mutex;

/// Colours are for people at a terminal; pipes, files and tests get plain text. The caller
/// decides (it knows where the output goes); [`Style::for_stdout`] is the usual decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// ANSI colours and bold.
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and `NO_COLOR` (<https://no-color.org>) is unset or empty.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: std::io::stdout().is_terminal() && !no_color,
        }
    }

    /// `text` in the given SGR attributes (`"1"` bold, `"31"` red, …), or as is when plain.
    pub(crate) fn paint(self, text: &str, sgr: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

pub(crate) const BOLD: &str = "1";
pub(crate) const DIM: &str = "2";
pub(crate) const RED: &str = "31";
pub(crate) const BOLD_RED: &str = "1;31";
pub(crate) const GREEN: &str = "32";
pub(crate) const YELLOW: &str = "33";
pub(crate) const CYAN: &str = "36";

/// The terminal, shared by the room and the notifier. Each writes whole blocks under one lock,
/// so a card never lands in the middle of a reply.
#[derive(Clone)]
pub struct SharedOutput(Arc<Mutex<Box<dyn AsyncWrite + Send + Unpin>>>);

/// Wraps a writer (stdout, or a pipe in tests) for sharing.
pub fn shared_output(writer: impl AsyncWrite + Send + Unpin + 'static) -> SharedOutput {
    SharedOutput(Arc::new(Mutex::new(Box::new(writer))))
}

impl SharedOutput {
    /// Writes `text` and a line break, then flushes, so it is on screen when this returns.
    pub(crate) async fn write_block(&self, text: &str) -> std::io::Result<()> {
        let mut w = self.0.lock().await;
        w.write_all(text.as_bytes()).await?;
        w.write_all(b"\n").await?;
        w.flush().await
    }
}

impl std::fmt::Debug for SharedOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedOutput")
    }
}
