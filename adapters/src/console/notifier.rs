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

/// A digest's chart, drawn to a PNG beside the system's temporary files: the terminal cannot show
/// a picture, so it shows where the picture is. `None` for anything else, or if drawing fails
/// (logged; the digest's text still goes out).
fn digest_chart(msg: &Outgoing) -> Option<std::path::PathBuf> {
    use firebell_engine::notify::Notification;
    let from_micros = |us: i64| chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
    let Notification::Digest {
        report,
        since,
        until,
        chart: Some(series),
        ..
    } = &msg.notification
    else {
        return None;
    };
    let series: firebell_engine::reports::ChartSeries =
        serde_json::from_value(series.clone()).ok()?;
    let (since, until) = (from_micros(*since), from_micros(*until));
    let data = crate::reports::chart_data(&series, since, until);
    let (w, h) = crate::reports::chart::DEFAULT_SIZE;
    let png = match crate::reports::chart::render_png(&data, w, h) {
        Ok(png) => png,
        Err(e) => {
            tracing::warn!(error = %e, "could not draw the digest's chart");
            return None;
        }
    };
    let safe: String = report
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = std::env::temp_dir().join(format!(
        "firebell-report-{safe}-{}.png",
        until.format("%Y-%m-%d")
    ));
    match std::fs::write(&path, png) {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "could not save the digest's chart");
            None
        }
    }
}
