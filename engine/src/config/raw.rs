//! The config file exactly as written: serde structs that reject unknown keys and keep the spans
//! of every value that refers to something else, so validation can point at the line.

use std::collections::BTreeMap;

use serde::Deserialize;
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
