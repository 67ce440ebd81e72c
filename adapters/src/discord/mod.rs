//! Discord: incident embeds that update in place, the timeline in a thread on each card, buttons,
//! `!` commands in channels and threads, and `/firebell`, over the gateway (one replica at a
//! time) and the signed HTTP interactions endpoint.
//!
//! # Layout
//! - `config`: `[discord]` and the Discord token and public key → [`Discord`].
//! - `api`: the REST calls (serenity's `Http`), errors sorted for the outbox.
//! - `surface`: Discord for the shared card driver ([`crate::chat::cards`]).
//! - `render`, `escape`: embeds, components and lines, with alert text defused and
//!   `allowed_mentions` on every message.
//! - `inbound`: typed commands, clicks and slash commands → the command grammar.
//! - `gateway`: the websocket session, held by the leader replica only.
//! - `gateway_url`: where that websocket is, asked of the configured host only.
//! - `interactions`: `POST /discord/interactions`, Ed25519-signed.

pub mod api;
pub mod config;
pub mod escape;
pub mod gateway;
mod gateway_url;
pub mod inbound;
pub mod interactions;
pub mod render;
pub mod surface;

pub use api::DiscordApi;
pub use config::Discord;
pub use inbound::DiscordInbound;
pub use interactions::DiscordEndpoint;
pub use surface::{DiscordNotifier, notifier};
