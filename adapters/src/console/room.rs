//! The console room: read a line, run it as a command, print the reply.

use firebell_commands::{Context, Reply};
use firebell_engine::{Config, Engine};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio_util::sync::CancellationToken;

use super::output::{BOLD, DIM, SharedOutput, Style, YELLOW};
use super::render;

/// The console room: acts as the configured `[console] user`, answers on the shared output.
#[derive(Clone)]
pub struct ConsoleRoom {
    engine: Engine,
    out: SharedOutput,
    style: Style,
    api_url: Option<String>,
}

impl ConsoleRoom {
    /// `api_url` is shown in the greeting, so a newcomer knows where to point their monitors.
    pub fn new(engine: Engine, out: SharedOutput, style: Style, api_url: Option<String>) -> Self {
        Self {
            engine,
            out,
            style,
            api_url,
        }
    }

    /// Greets, then answers each line typed until `cancel` fires or the input ends. The end of
    /// input (Ctrl-D, or no terminal at all) ends only the room: the server, the notifier and the
    /// cards go on. If the output breaks there is no one left to talk to, so the room logs that
    /// and stops too.
    pub async fn run(self, input: impl AsyncBufRead + Unpin, cancel: CancellationToken) {
        if let Err(e) = self.converse(input, cancel).await {
            tracing::warn!(error = %e, "console output failed; the console room stops");
        }
    }

    async fn converse(
        &self,
        mut input: impl AsyncBufRead + Unpin,
        cancel: CancellationToken,
    ) -> std::io::Result<()> {
        let (engine, out) = (&self.engine, &self.out);
        let ctx = Context::console(engine.config().console.user.as_ref());
        out.write_block(&greeting(
            engine.config(),
            self.api_url.as_deref(),
            self.style,
        ))
        .await?;
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Ok(()),
                read = input.read_until(b'\n', &mut line) => read,
            };
            match read {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "console input failed; no longer reading it");
                    break;
                }
            }
            // Invalid UTF-8 is typed by accident, not worth an error: it shows as U+FFFD.
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let reply = firebell_commands::handle(engine, &ctx, text)
                .await
                .unwrap_or_else(|| Reply::info("Type `help` to see what I can do."));
            let mut text = render::reply(&reply, self.style);
            if let Some(path) = reply
                .attachment
                .as_ref()
                .and_then(|file| super::notifier::save_temp(file))
            {
                text.push_str(&format!("\n📎 saved: {}", path.display()));
            }
            out.write_block(&text).await?;
        }
        let bye = "(console input closed — firebell keeps running; stop it with Ctrl-C)";
        out.write_block(&self.style.paint(bye, DIM)).await
    }
}

/// What this is, how to start, and — when the console is not linked to a user — how to fix that.
fn greeting(config: &Config, api_url: Option<&str>, style: Style) -> String {
    let mut text = style.paint("firebell console", BOLD);
    text.push_str(
        " — incidents show up here as they happen, and you act on them by typing.\n\
         Type `help` for the commands; the `!` is optional here (`ack 3` = `!ack 3`).",
    );
    if let Some(service) = config.service_names().first() {
        text.push_str(&format!(
            "\nTry it: `trigger {service} Test alert` opens a test incident."
        ));
    }
    match config
        .console
        .user
        .as_ref()
        .and_then(|id| config.user(id.as_str()))
    {
        Some(user) => text.push_str(&format!("\nYou are {} ({}).", user.id, user.name)),
        None => {
            let users: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
            let hint = format!(
                "Heads-up: no `[console] user` is set in {}, so this console can show help but not act. \
                 Add `[console] user = \"<id>\"`{} and restart.",
                config.source,
                if users.is_empty() {
                    String::new()
                } else {
                    format!(" (one of: {})", users.join(", "))
                },
            );
            text.push('\n');
            text.push_str(&style.paint(&hint, YELLOW));
        }
    }
    if let Some(url) = api_url {
        text.push_str(&format!("\nHTTP API: {url}"));
    }
    text
}
