//! A chat room on the terminal: incidents appear as cards, and the person at the keyboard acts
//! on them with the same commands as in Slack or Discord (the `!` is optional here). Used when no
//! Slack or Discord token is configured, so it is a newcomer's first look at firebell.
//!
//! Wiring, in the binary:
//! ```ignore
//! let (out, style) = (console::shared_output(tokio::io::stdout()), Style::for_stdout());
//! let notifier = ConsoleNotifier::new(out.clone(), style).with_room_names(config.rooms.len() > 1);
//! tokio::spawn(engine.clone().run_outbox_worker(Arc::new(notifier), cancel.clone()));
//! let room = ConsoleRoom::new(engine, out, style, Some(format!("http://{addr}")));
//! tokio::spawn(room.run(console::stdin()?, cancel));
//! ```
//!
//! Everything an alert supplies (title, source, dedup key) passes through `sanitize` before it
//! reaches the terminal, so an alert can never move the cursor, clear the screen or recolour text.
//!
//! # Layout
//! - `output`: [`Style`] (colours or not) and [`SharedOutput`], the writer shared by room and
//!   notifier so their lines never interleave.
//! - `sanitize`: control characters and escape sequences → visible, inert text.
//! - `render`: incident cards, updates and replies as text (pure).
//! - `render_oncall`: pages, escalations, hand-offs and maintenance notices as text (pure).
//! - `notifier`: [`ConsoleNotifier`], the engine's outbound port on the terminal.
//! - `room`: [`ConsoleRoom`], the read–command–reply loop and its greeting.
//! - `stdin`: [`stdin()`], terminal input read on its own thread so shutdown never waits for Enter.

mod doc;
mod notifier;
mod output;
mod render;
mod render_oncall;
mod room;
mod sanitize;
mod stdin;
#[cfg(test)]
mod tests;

pub use notifier::ConsoleNotifier;
pub use output::{SharedOutput, Style, shared_output};
pub use room::ConsoleRoom;
pub use stdin::{BlockingReader, spawn_reader, stdin};
