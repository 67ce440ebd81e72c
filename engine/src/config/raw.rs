//! The config file exactly as written: serde structs that reject unknown keys and keep the spans
//! of every value that refers to something else, so validation can point at the line.
//!
//! The edges' tables (`[slack]`, `[discord]`, `[providers]`) are named here only so a typo in a
//! top-level key is still reported with every valid one; their adapters read and check them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub console: RawConsole,
    #[serde(default)]
    pub api: RawApi,
    #[serde(default)]
    pub rooms: BTreeMap<String, Spanned<RawRoom>>,
    #[serde(default)]
    pub users: BTreeMap<String, Spanned<RawUser>>,
    #[serde(default)]
    pub services: BTreeMap<String, Spanned<RawService>>,
    #[serde(default)]
    pub escalation_policies: BTreeMap<String, Spanned<RawPolicy>>,
    #[serde(default)]
    pub schedules: BTreeMap<String, Spanned<RawSchedule>>,
    /// `[providers]`: the telephony and email adapters' table.
    #[serde(rename = "providers")]
    _providers: Option<IgnoredAny>,
    /// `[slack]`: the Slack adapter's table.
    #[serde(rename = "slack")]
    _slack: Option<IgnoredAny>,
    /// `[discord]`: the Discord adapter's table.
    #[serde(rename = "discord")]
    _discord: Option<IgnoredAny>,
    #[serde(default)]
    pub reports: Vec<Spanned<RawReport>>,
    #[serde(default)]
    pub heartbeats: BTreeMap<String, Spanned<super::heartbeats::RawHeartbeat>>,
    #[serde(default)]
    pub webhooks: BTreeMap<String, Spanned<super::webhooks::RawWebhook>>,
    /// `[email]`: the mail log's retention here; the SMTP listener's keys are its adapter's.
    pub email: Option<Spanned<super::email::RawEmail>>,
}

/// `[[reports]]`: a report digest posted to a room on a schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    pub name: Option<Spanned<String>>,
    /// Cron: 5 fields (minute hour day-of-month month day-of-week), or 6/7 with seconds first.
    pub schedule: Spanned<String>,
    pub timezone: Option<Spanned<String>>,
    pub room: Spanned<String>,
    /// week | last-week (default) | month | <N>d
    pub period: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSchedule {
    pub timezone: Spanned<String>,
    pub layers: Vec<Spanned<RawLayer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLayer {
    pub users: Vec<Spanned<String>>,
    /// `12h`, `1d`, `1w`, …
    pub rotation: Spanned<String>,
    /// Local date-time of the first handoff, e.g. `2026-03-02T09:00`.
    pub start: Spanned<String>,
    #[serde(default)]
    pub restrictions: Vec<Spanned<RawRestriction>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRestriction {
    /// Weekday names; all days when absent.
    pub days: Option<Vec<Spanned<String>>>,
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConsole {
    /// Which configured user the console room acts as.
    pub user: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApi {
    #[serde(default)]
    pub tokens: Vec<Spanned<RawToken>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawToken {
    pub name: String,
    /// Literal token: fine for a demo, not for production.
    pub token: Option<Spanned<String>>,
    /// Name of the environment variable holding the token.
    pub token_env: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoom {
    pub slack: Option<String>,
    pub discord: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUser {
    pub name: String,
    #[serde(default = "default_tz")]
    pub timezone: Spanned<String>,
    pub slack: Option<String>,
    pub discord: Option<String>,
    /// E.164, needed for SMS and calls.
    pub phone: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    #[serde(default)]
    pub notify: RawNotify,
}

/// `notify.high` / `notify.low`: a ladder given replaces that urgency's default entirely.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    pub high: Option<Spanned<RawLadder>>,
    pub low: Option<Spanned<RawLadder>>,
}

/// Minutes after being paged, per method. Signed so a negative number gets our message, not
/// serde's; the fields are the method names, so an unknown one is listed with the valid ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLadder {
    pub chat: Option<Spanned<i64>>,
    pub sms: Option<Spanned<i64>>,
    pub voice: Option<Spanned<i64>>,
    pub email: Option<Spanned<i64>>,
}

fn default_tz() -> Spanned<String> {
    Spanned::new(0..0, "UTC".to_owned())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    #[serde(default)]
    pub description: String,
    pub integration_keys: Vec<Spanned<String>>,
    pub room: Spanned<String>,
    pub escalation_policy: Option<Spanned<String>>,
    /// Events per minute per integration key before answering 429 (PagerDuty throttles likewise).
    pub events_per_minute: Option<Spanned<u32>>,
    /// high (default) | low | by-severity | support-hours.
    pub urgency: Option<Spanned<String>>,
    pub support_hours: Option<Spanned<RawSupportHours>>,
    /// A duration such as `30m`, or `off`.
    pub ack_timeout: Option<Spanned<String>>,
    pub auto_resolve: Option<Spanned<String>>,
    /// `[services.NAME.email]`: the service's mail address and parsing rules.
    pub email: Option<Spanned<super::email::RawServiceEmail>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSupportHours {
    pub timezone: Spanned<String>,
    /// Weekday names; all days when absent.
    pub days: Option<Vec<Spanned<String>>>,
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub levels: Vec<Spanned<RawLevel>>,
    #[serde(default = "no_repeat")]
    pub repeat: Spanned<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLevel {
    pub targets: Vec<Spanned<String>>,
    #[serde(default = "default_delay")]
    pub delay_minutes: Spanned<u32>,
}

fn no_repeat() -> Spanned<u8> {
    Spanned::new(0..0, 0)
}

fn default_delay() -> Spanned<u32> {
    Spanned::new(0..0, 30)
}
