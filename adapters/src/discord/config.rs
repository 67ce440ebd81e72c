//! `[discord]` → [`Discord`]: how firebell reaches Discord. Discord is on when
//! `FIREBELL_DISCORD_TOKEN` is set; the token and the application's public key live only in the
//! environment.
//!
//! ```toml
//! [discord]
//! storm_after = 3          # cards per channel within storm_window before the rest are bundled
//! storm_window = "2m"
//! ```

use std::fmt;

use firebell_engine::config::{Collector, LookupEnv, Secret};
use serde::Deserialize;
use toml::Spanned;

pub const TOKEN_ENV: &str = "FIREBELL_DISCORD_TOKEN";
pub const PUBLIC_KEY_ENV: &str = "FIREBELL_DISCORD_PUBLIC_KEY";
const API_URL: &str = "https://discord.com";

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

impl fmt::Debug for Discord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Discord")
            .field("public_key", &self.public_key)
            .field("api_url", &self.api_url)
            .field("storm_after", &self.storm_after)
            .field("storm_window", &self.storm_window)
            .finish_non_exhaustive()
    }
}

/// The file as this module reads it: `[discord]` only (serde skips the other tables).
#[derive(Deserialize)]
struct View {
    discord: Option<Spanned<RawDiscord>>,
}

/// `[discord]`: how to reach Discord. The token and public key come from the environment only.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDiscord {
    /// `https://discord.com` unless pointed elsewhere (tests, a proxy).
    api_url: Option<Spanned<String>>,
    storm_after: Option<Spanned<u32>>,
    storm_window: Option<Spanned<String>>,
}

/// `[discord]` and the Discord token and public key; `None` when Discord is off (no token) or
/// the file does not have the right shape (reported).
pub fn read(c: &mut Collector<'_>, lookup_env: LookupEnv<'_>) -> Option<Discord> {
    let view: View = c.read()?;
    validate(c, view.discord.as_ref(), lookup_env)
}

fn validate(
    c: &mut Collector<'_>,
    raw: Option<&Spanned<RawDiscord>>,
    lookup_env: LookupEnv<'_>,
) -> Option<Discord> {
    let env = |name: &str| lookup_env(name).filter(|v| !v.trim().is_empty());
    let default = Spanned::new(0..0, RawDiscord::default());
    let spanned = raw.unwrap_or(&default);
    let d = spanned.get_ref();
    let Some(token) = env(TOKEN_ENV) else {
        if raw.is_some() {
            c.at(
                spanned.span(),
                "discord",
                format!(
                    "`[discord]` is configured but `{TOKEN_ENV}` is not set — export the bot token \
                     from your application's \"Bot\" page in the Discord developer portal"
                ),
            );
        }
        return None;
    };
    // A bot token is three dot-separated base64 parts; a `Bot ` prefix is ours to add.
    let token = token.trim().trim_start_matches("Bot ").to_owned();
    if token.split('.').count() != 3 || token.contains(char::is_whitespace) {
        c.at(
            spanned.span(),
            "discord",
            format!(
                "`{TOKEN_ENV}` does not look like a bot token (three parts separated by dots, \
                 from the \"Bot\" page — not the client secret)"
            ),
        );
    }
    let public_key = env(PUBLIC_KEY_ENV).map(|k| k.trim().to_ascii_lowercase());
    if public_key
        .as_ref()
        .is_some_and(|k| k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        c.at(
            spanned.span(),
            "discord",
            format!(
                "`{PUBLIC_KEY_ENV}` is not a public key — it is 64 hex digits, shown as \
                 \"Public Key\" on the application's \"General Information\" page"
            ),
        );
    }
    let api_url = crate::config::api_url(c, "discord.api_url", d.api_url.as_ref(), API_URL);
    let (storm_after, storm_window) = crate::config::storm(
        c,
        "discord",
        d.storm_after.as_ref(),
        d.storm_window.as_ref(),
    );
    Some(Discord {
        token: Secret::new(token),
        public_key,
        api_url: api_url?,
        storm_after,
        storm_window: storm_window?,
    })
}
