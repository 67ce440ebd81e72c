//! The validated tables that only the edges read: how firebell reaches Slack, Discord, Twilio,
//! Vonage and an SMTP relay. The engine carries them from `firebell.toml` to the adapters and
//! never looks inside (DESIGN.md wants them owned by the adapters; until then they live apart
//! here, validated in `slack`, `discord` and `providers`).

use super::Secret;
use crate::domain::ids::PhoneNumber;

/// How firebell talks to Discord.
#[derive(Clone)]
pub struct Discord {
    pub token: Secret,
    /// The application's public key (hex), for `POST /discord/interactions`; `None` turns
    /// that endpoint off (the gateway still carries commands and clicks).
    pub public_key: Option<String>,
    /// `https://discord.com` unless pointed elsewhere (tests).
    pub api_url: String,
    pub storm_after: u32,
    pub storm_window: chrono::Duration,
}

/// How firebell talks to Slack.
#[derive(Clone)]
pub struct Slack {
    pub mode: SlackMode,
    pub bot_token: Secret,
    /// For Socket Mode (`xapp-…`).
    pub app_token: Option<Secret>,
    /// For the Events API routes (`/slack/*`): requests are checked against it.
    pub signing_secret: Option<Secret>,
    /// `https://slack.com/api` unless pointed elsewhere (tests).
    pub api_url: String,
    /// Cards a channel gets within `storm_window` before further incidents are bundled.
    pub storm_after: u32,
    pub storm_window: chrono::Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlackMode {
    /// Socket Mode: firebell dials out to Slack over a websocket; no inbound port.
    Socket,
    /// Events API: Slack POSTs to `/slack/events`, `/slack/interactions`, `/slack/commands`.
    Events,
}

/// Outbound providers. Each is optional: without Twilio or Vonage nobody gets SMS or calls (and
/// `check` says so for users whose rules ask for them), without SMTP nobody gets email.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    /// The URL Twilio reaches firebell at (`https://firebell.example.com`, no trailing slash).
    /// Webhook signatures are computed over it, never over the request's Host header.
    pub public_url: Option<String>,
    pub twilio: Option<Twilio>,
    pub vonage: Option<Vonage>,
    pub smtp: Option<Smtp>,
}

#[derive(Clone)]
pub struct Twilio {
    pub account_sid: String,
    pub auth_token: Secret,
    pub from: PhoneNumber,
    /// `https://api.twilio.com` unless pointed elsewhere (tests, a proxy).
    pub api_url: String,
}

#[derive(Clone)]
pub struct Vonage {
    pub api_key: String,
    pub api_secret: Secret,
    /// A number or an alphanumeric sender id.
    pub from: String,
    /// `https://rest.nexmo.com` unless pointed elsewhere.
    pub api_url: String,
}

#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `firebell <pager@example.com>`.
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection (a local relay, tests).
    None,
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}
