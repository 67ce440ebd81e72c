//! The engine's outbound port on the terminal: every notification, for every room, printed.

use async_trait::async_trait;
use firebell_engine::notify::{Delivered, Notifier, NotifyError, Outgoing};

use super::output::{SharedOutput, Style};
use super::render;

/// Prints incident cards and updates.
#[derive(Debug, Clone)]
pub struct ConsoleNotifier {
    out: SharedOutput,
    style: Style,
    room_names: bool,
}

impl ConsoleNotifier {
    pub fn new(out: SharedOutput, style: Style) -> Self {
        Self {
            out,
            style,
            room_names: false,
        }
    }

    /// Adds the room's name to every line. With a single room the room is obvious and the name
    /// is noise; turn this on when the configuration has several (`config.rooms.len() > 1`).
    pub fn with_room_names(mut self, show: bool) -> Self {
        self.room_names = show;
        self
    }
}

#[async_trait]
impl Notifier for ConsoleNotifier {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let mut text = render::notification(msg, self.style, self.room_names);
        if text.is_empty() {
            return Ok(Delivered::default());
        }
        if let Some(path) = digest_chart(msg) {
            text.push_str(&format!("\n📈 chart: {}", path.display()));
        }
        match self.out.write_block(&text).await {
            Ok(()) => Ok(Delivered::default()),
            // Nobody will ever read a closed terminal: retrying for hours would only fill the log.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(NotifyError::permanent(
                format!("console output is closed: {e}"),
            )),
            Err(e) => Err(NotifyError::retryable(format!(
                "console output failed: {e}"
            ))),
        }
    }
}

/// A digest's chart, saved as a PNG beside the system's temporary files: the terminal cannot
/// show a picture, so it shows where the picture is. `None` for anything else, or if drawing or
/// saving fails (logged; the digest's text still goes out).
fn digest_chart(msg: &Outgoing) -> Option<std::path::PathBuf> {
    save_temp(&crate::reports::digest_chart(&msg.notification)?)
}

/// Saves a file that came with a post or an answer beside the system's temporary files, for the
/// terminal to show its path. `None` (logged) when it cannot be written.
pub(super) fn save_temp(file: &firebell_commands::Attachment) -> Option<std::path::PathBuf> {
    let path = std::env::temp_dir().join(&file.filename);
    match std::fs::write(&path, &file.bytes) {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "could not save a file");
            None
        }
    }
}
