//! Slack: incident cards that update in place, the timeline in each card's thread, buttons, `!`
//! commands in channels and threads, and `/firebell`, over Socket Mode or the Events API.
//!
//! # Layout
//! - `config`: `[slack]` and the Slack tokens → [`Slack`], checked for `firebell check`.
//! - `api`: the Web API calls (slack-morphism), paced and retried on 429, errors sorted for the
//!   outbox.
//! - `surface`: Slack for the shared card driver ([`crate::chat::cards`]) — how to draw, post,
//!   reply in a thread and edit.
//! - `render` (+ `render_bundle`), `escape`: Block Kit and mrkdwn, with alert text defused.
//! - `inbound`: typed commands, button clicks and slash commands → the command grammar.
//! - `socket`: Socket Mode; `events`: the signed `/slack/*` HTTP routes.

pub mod api;
pub mod config;
pub mod escape;
pub mod events;
pub mod inbound;
pub mod render;
mod render_bundle;
pub mod socket;
pub mod surface;

pub use api::SlackApi;
pub use config::{Slack, SlackMode};
pub use events::SlackEvents;
pub use inbound::SlackInbound;
pub use surface::{SlackNotifier, notifier};
