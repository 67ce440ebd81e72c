//! Slack: incident cards that update in place, the timeline in each card's thread, buttons, `!`
//! commands in channels and threads, and `/firebell`, over Socket Mode or the Events API.
//!
//! # Layout
//! - `api`: the Web API calls (slack-morphism), paced and retried on 429, errors sorted for the
//!   outbox.
//! - `notifier`: the outbound port — cards, storm summaries, thread entries, room notices.
//! - `render` (+ `render_bundle`), `escape`: Block Kit and mrkdwn, with alert text defused.
//! - `inbound`: typed commands, button clicks and slash commands → the command grammar.
//! - `socket`: Socket Mode; `events`: the signed `/slack/*` HTTP routes.

pub mod api;
pub mod escape;
pub mod events;
pub mod inbound;
pub mod notifier;
pub mod render;
mod render_bundle;
pub mod socket;

pub use api::SlackApi;
pub use events::SlackEvents;
pub use inbound::SlackInbound;
pub use notifier::SlackNotifier;
