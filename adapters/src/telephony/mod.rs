//! SMS and voice pages through Twilio, with Vonage as a second SMS provider, and Twilio's
//! webhooks coming back: replies (`4` acknowledges), key presses during a call, delivery status.
//!
//! # Layout
//! - `config`: `[providers]` (Twilio, Vonage, the public URL; SMTP through [`crate::email`])
//!   → [`Providers`], and the [`Carriers`](firebell_engine::config::Carriers) the engine checks
//!   users' ladders against.
//! - `notifier`: [`TelephonyNotifier`], the outbound port for `sms` and `voice` rows, with the
//!   Twilio → Vonage failover.
//! - `twilio`, `vonage`: the two REST clients and how their errors are classified.
//! - `provider`: the shared HTTP client (timeouts) and error type.
//! - `text`: the SMS text and call TwiML (pure, length-capped, escaped).
//! - `signature`: `X-Twilio-Signature` (HMAC-SHA1 over the public URL and parameters).
//! - `inbound`: the webhook routes, merged into the HTTP server by [`routes`].

pub mod config;
mod inbound;
mod notifier;
mod provider;
pub mod signature;
pub mod text;
mod twilio;
mod vonage;

pub use config::{Providers, Twilio, Vonage};
pub use inbound::routes;

/// Provider names as recorded on outbox rows and timelines.
pub const TWILIO: &str = "twilio";
pub const VONAGE: &str = "vonage";

pub use notifier::TelephonyNotifier;
pub use provider::{Failure, SendError};
