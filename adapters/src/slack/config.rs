//! `[slack]` → [`Slack`]: how firebell reaches Slack. Slack is on when `FIREBELL_SLACK_BOT_TOKEN`
//! is set; the tokens live only in the environment, never in the file.
//!
//! ```toml
//! [slack]
//! mode = "socket"          # or "events"; default: socket when FIREBELL_SLACK_APP_TOKEN is set
//! storm_after = 3          # cards per channel within storm_window before the rest are bundled
//! storm_window = "2m"
//! ```

use std::fmt;

use firebell_engine::config::{Collector, LookupEnv, Secret};
use serde::Deserialize;
use toml::Spanned;

pub const BOT_TOKEN_ENV: &str = "FIREBELL_SLACK_BOT_TOKEN";
pub const APP_TOKEN_ENV: &str = "FIREBELL_SLACK_APP_TOKEN";
pub const SIGNING_SECRET_ENV: &str = "FIREBELL_SLACK_SIGNING_SECRET";
const API_URL: &str = "https://slack.com/api";

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

impl fmt::Debug for Slack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slack")
            .field("mode", &self.mode)
            .field("api_url", &self.api_url)
            .field("storm_after", &self.storm_after)
            .field("storm_window", &self.storm_window)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlackMode {
    /// Socket Mode: firebell dials out to Slack over a websocket; no inbound port.
    Socket,
    /// Events API: Slack POSTs to `/slack/events`, `/slack/interactions`, `/slack/commands`.
    Events,
}

/// The file as this module reads it: `[slack]` only (serde skips the other tables).
#[derive(Deserialize)]
struct View {
    slack: Option<Spanned<RawSlack>>,
}

/// `[slack]`: how to reach Slack. The tokens themselves come from the environment only.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSlack {
    /// `socket` (default when an app token is set) or `events`.
    mode: Option<Spanned<String>>,
    api_url: Option<Spanned<String>>,
    /// Incidents a channel may get as cards within `storm_window` before the rest are bundled.
    storm_after: Option<Spanned<u32>>,
    storm_window: Option<Spanned<String>>,
}

/// `[slack]` and the Slack tokens; `None` when Slack is off (no bot token) or the file does not
/// have the right shape (reported).
pub fn read(c: &mut Collector<'_>, lookup_env: LookupEnv<'_>) -> Option<Slack> {
    let view: View = c.read()?;
    validate(c, view.slack.as_ref(), lookup_env)
}

fn validate(
    c: &mut Collector<'_>,
    raw: Option<&Spanned<RawSlack>>,
    lookup_env: LookupEnv<'_>,
) -> Option<Slack> {
    let env = |name: &str| lookup_env(name).filter(|v| !v.trim().is_empty());
    let default = Spanned::new(0..0, RawSlack::default());
    let spanned = raw.unwrap_or(&default);
    let s = spanned.get_ref();
    let Some(bot_token) = env(BOT_TOKEN_ENV) else {
        if raw.is_some() {
            c.at(
                spanned.span(),
                "slack",
                format!(
                    "`[slack]` is configured but `{BOT_TOKEN_ENV}` is not set — export the bot \
                     token (xoxb-…) from your Slack app's \"OAuth & Permissions\" page"
                ),
            );
        }
        return None;
    };
    if !bot_token.starts_with("xoxb-") {
        c.at(
            spanned.span(),
            "slack",
            format!("`{BOT_TOKEN_ENV}` is not a bot token — it starts with `xoxb-`"),
        );
    }
    let app_token = env(APP_TOKEN_ENV);
    if app_token.as_ref().is_some_and(|t| !t.starts_with("xapp-")) {
        c.at(
            spanned.span(),
            "slack",
            format!(
                "`{APP_TOKEN_ENV}` is not an app-level token — it starts with `xapp-` and is made \
                 under \"Basic Information → App-Level Tokens\" with the `connections:write` scope"
            ),
        );
    }
    let signing_secret = env(SIGNING_SECRET_ENV);
    let mode = mode(c, spanned, app_token.is_some(), signing_secret.is_some());
    let api_url = crate::config::api_url(c, "slack.api_url", s.api_url.as_ref(), API_URL);
    let (storm_after, storm_window) =
        crate::config::storm(c, "slack", s.storm_after.as_ref(), s.storm_window.as_ref());
    Some(Slack {
        mode,
        bot_token: Secret::new(bot_token),
        app_token: app_token.map(Secret::new),
        signing_secret: signing_secret.map(Secret::new),
        api_url: api_url?,
        storm_after,
        storm_window: storm_window?,
    })
}

/// How firebell reaches Slack: `mode` as configured, else Socket Mode with an app token or the
/// Events API with a signing secret; each checked against the secret it needs.
fn mode(
    c: &mut Collector<'_>,
    spanned: &Spanned<RawSlack>,
    app_token: bool,
    signing_secret: bool,
) -> SlackMode {
    let s = spanned.get_ref();
    let mode = match s.mode.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None if app_token => SlackMode::Socket,
        None if signing_secret => SlackMode::Events,
        None => {
            c.at(
                spanned.span(),
                "slack",
                format!(
                    "Slack needs a way to reach firebell: set `{APP_TOKEN_ENV}` (Socket Mode, no \
                     inbound port) or `{SIGNING_SECRET_ENV}` (Events API over HTTP)"
                ),
            );
            SlackMode::Socket
        }
        Some((_, "socket")) => SlackMode::Socket,
        Some((_, "events")) => SlackMode::Events,
        Some((m, other)) => {
            c.at(
                m.span(),
                "slack.mode",
                format!("unknown mode `{other}` — use `socket` (Socket Mode) or `events` (Events API over HTTP)"),
            );
            SlackMode::Socket
        }
    };
    match mode {
        SlackMode::Socket if !app_token && s.mode.is_some() => c.at(
            spanned.span(),
            "slack.mode",
            format!("Socket Mode needs `{APP_TOKEN_ENV}` (xapp-…) in the environment"),
        ),
        SlackMode::Events if !signing_secret => c.at(
            spanned.span(),
            "slack.mode",
            format!(
                "the Events API needs `{SIGNING_SECRET_ENV}` (Basic Information → Signing Secret) \
                 in the environment, so requests can be checked"
            ),
        ),
        _ => {}
    }
    mode
}
