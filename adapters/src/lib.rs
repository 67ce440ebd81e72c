//! Every edge of firebell: where the outside world meets the engine.
//!
//! # Layout
//! - `http`: the axum server — PagerDuty Events API v1/v2, change events, the Alertmanager webhook,
//!   the bearer-token JSON API, health and metrics.
//! - `console`: a chat room on the terminal, used when no Slack or Discord token is configured.

pub mod console;
pub mod http;
