//! `[slack]` → [`Slack`]: how firebell reaches Slack. Slack is on when `FIREBELL_SLACK_BOT_TOKEN`
//! is set; the tokens live only in the environment, never in the file.
//!
//! ```toml
//! [slack]
//! mode = "socket"          # or "events"; default: socket when FIREBELL_SLACK_APP_TOKEN is set
//! storm_after = 3          # cards per channel within storm_window before the rest are bundled
//! storm_window = "2m"
//! ```

use toml::Spanned;

use super::raw::RawSlack;
use super::validate::Collector;
use super::{Secret, Slack, SlackMode};
use crate::domain::duration::HumanDuration;

pub const BOT_TOKEN_ENV: &str = "FIREBELL_SLACK_BOT_TOKEN";
pub const APP_TOKEN_ENV: &str = "FIREBELL_SLACK_APP_TOKEN";
pub const SIGNING_SECRET_ENV: &str = "FIREBELL_SLACK_SIGNING_SECRET";
const API_URL: &str = "https://slack.com/api";
const STORM_AFTER: u32 = 3;
const STORM_WINDOW_MINUTES: i64 = 2;

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: Option<&Spanned<RawSlack>>,
    lookup_env: super::providers::LookupEnv<'_>,
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
    let mode = match s.mode.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None if app_token.is_some() => SlackMode::Socket,
        None if signing_secret.is_some() => SlackMode::Events,
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
        SlackMode::Socket if app_token.is_none() && s.mode.is_some() => c.at(
            spanned.span(),
            "slack.mode",
            format!("Socket Mode needs `{APP_TOKEN_ENV}` (xapp-…) in the environment"),
        ),
        SlackMode::Events if signing_secret.is_none() => c.at(
            spanned.span(),
            "slack.mode",
            format!(
                "the Events API needs `{SIGNING_SECRET_ENV}` (Basic Information → Signing Secret) \
                 in the environment, so requests can be checked"
            ),
        ),
        _ => {}
    }
    let api_url = super::providers::api_url(c, "slack.api_url", s.api_url.as_ref(), API_URL);
    let (storm_after, storm_window) =
        storm(c, "slack", s.storm_after.as_ref(), s.storm_window.as_ref());
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

/// `storm_after` (at least 1, default 3) and `storm_window` (at most an hour, default 2m) of a
/// chat platform's section.
pub(super) fn storm(
    c: &mut Collector<'_>,
    section: &str,
    after: Option<&Spanned<u32>>,
    window: Option<&Spanned<String>>,
) -> (u32, Option<chrono::Duration>) {
    let after = after.map_or(STORM_AFTER, |n| {
        if *n.get_ref() == 0 {
            c.at(
                n.span(),
                format!("{section}.storm_after"),
                "must be at least 1 (the first incident of a storm always gets its own card)",
            );
        }
        *n.get_ref()
    });
    let window = match window {
        None => Some(chrono::Duration::minutes(STORM_WINDOW_MINUTES)),
        Some(w) => HumanDuration::parse(w.get_ref(), chrono::Duration::hours(1))
            .map(HumanDuration::get)
            .map_err(|e| c.at(w.span(), format!("{section}.storm_window"), e.to_string()))
            .ok(),
    };
    (after.max(1), window)
}
