//! Every edge of firebell: where the outside world meets the engine.
//!
//! Each adapter owns its config table and checks it through the engine's
//! [`Collector`](firebell_engine::config::Collector): `slack::config`, `discord::config`,
//! `telephony::config` (`[providers]`), `email::config` (`[providers.smtp]`) and
//! `email_inbound::config` (`[email]`'s listener); `bot` composes them with the engine's tables.
//!
//! # Layout
//! - `config`: what those tables share (API and base URL checks, a chat platform's storms).
//! - `http`: the axum server — PagerDuty Events API v1/v2, change events, the Alertmanager webhook,
//!   the bearer-token JSON API, health and metrics.
//! - `console`: a chat room on the terminal, used when no Slack or Discord token is configured.
//! - `telephony`: SMS and calls through Twilio (Vonage as SMS fallback) and Twilio's webhooks.
//! - `email`: pages and status notices by SMTP.
//! - `email_inbound`: the SMTP listener taking alerts by mail, and MIME parsing (the rules are
//!   the engine's).
//! - `plain`: a message document as plain text (SMS, email), and the lines both word alike.
//! - `chat`: what every chat platform shares — the card views and the card driver.
//! - `discord`: incident embeds, threads, buttons and commands in Discord (gateway and signed
//!   interactions endpoint).
//! - `slack`: incident cards, threads, buttons and commands in Slack (Socket Mode or Events API).
//! - `reports`: the weekly report chart (incidents per service and day, MTTA/MTTR) as a PNG.
//! - `webhooks`: outbound webhooks, signed and sent to their receivers.

pub mod chat;
pub mod config;
pub mod console;
pub mod discord;
pub mod email;
pub mod email_inbound;
pub mod http;
pub mod plain;
pub mod reports;
pub mod slack;
pub mod telephony;
pub mod webhooks;
