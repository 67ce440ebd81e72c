//! `[providers]` → [`Providers`]: the SMS, voice and email gateways and the public URL their
//! webhooks call back, with secrets from the file or the environment. `[providers.smtp]` is the
//! email adapter's ([`crate::email::config`]); it sits in this table beside the others.
//!
//! ```toml
//! [providers]
//! public_url = "https://firebell.example.com"
//! [providers.twilio]
//! account_sid = "AC0123456789abcdef0123456789abcdef"
//! auth_token_env = "FIREBELL_TWILIO_AUTH_TOKEN"
//! from = "+15005550006"
//! ```

use std::fmt;

use firebell_engine::PhoneNumber;
use firebell_engine::config::{Carriers, Collector, LookupEnv, Secret, SecretField, secret};
use serde::Deserialize;
use toml::Spanned;

use crate::email::config::{RawSmtp, Smtp, smtp};

const TWILIO_API_URL: &str = "https://api.twilio.com";
const VONAGE_API_URL: &str = "https://rest.nexmo.com";

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

impl fmt::Debug for Twilio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Twilio")
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
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

impl fmt::Debug for Vonage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vonage")
            .field("api_key", &self.api_key)
            .field("from", &self.from)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

/// The file as this module reads it: `[providers]` only (serde skips the other tables).
#[derive(Deserialize)]
struct View {
    #[serde(default)]
    providers: RawProviders,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProviders {
    public_url: Option<Spanned<String>>,
    twilio: Option<Spanned<RawTwilio>>,
    vonage: Option<Spanned<RawVonage>>,
    smtp: Option<Spanned<RawSmtp>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTwilio {
    account_sid: Spanned<String>,
    auth_token: Option<Spanned<String>>,
    auth_token_env: Option<Spanned<String>>,
    from: Spanned<String>,
    api_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVonage {
    api_key: Spanned<String>,
    api_secret: Option<Spanned<String>>,
    api_secret_env: Option<Spanned<String>>,
    from: Spanned<String>,
    api_url: Option<Spanned<String>>,
}

/// `[providers]` with its secrets, and which contact methods it carries (for the engine's
/// check of each user's ladder); nothing when the file does not have the right shape (reported).
pub fn read(c: &mut Collector<'_>, lookup_env: LookupEnv<'_>) -> (Providers, Carriers) {
    let Some(view) = c.read::<View>() else {
        return (Providers::default(), Carriers::default());
    };
    let raw = view.providers;
    let carriers = Carriers::of(
        raw.twilio.is_some(),
        raw.vonage.is_some(),
        raw.smtp.is_some(),
    );
    (validate(c, &raw, lookup_env), carriers)
}

fn validate(c: &mut Collector<'_>, raw: &RawProviders, lookup_env: LookupEnv<'_>) -> Providers {
    let public_url = raw.public_url.as_ref().and_then(|u| {
        crate::config::base_url(u.get_ref())
            .map_err(|e| c.at(u.span(), "providers.public_url", e))
            .ok()
    });
    if let Some(t) = &raw.twilio
        && raw.public_url.is_none()
    {
        c.at(
            t.span(),
            "providers.public_url",
            "Twilio needs `providers.public_url`, the URL Twilio reaches firebell at (e.g. \
             `https://firebell.example.com`): its webhook signatures are checked against it",
        );
    }
    Providers {
        public_url,
        twilio: raw.twilio.as_ref().and_then(|t| twilio(c, t, lookup_env)),
        vonage: raw.vonage.as_ref().and_then(|v| vonage(c, v, lookup_env)),
        smtp: raw.smtp.as_ref().and_then(|s| smtp(c, s, lookup_env)),
    }
}

fn twilio(
    c: &mut Collector<'_>,
    spanned: &Spanned<RawTwilio>,
    lookup_env: LookupEnv<'_>,
) -> Option<Twilio> {
    const KEY: &str = "providers.twilio";
    let t = spanned.get_ref();
    let sid = t.account_sid.get_ref();
    let sid_ok =
        sid.len() == 34 && sid.starts_with("AC") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !sid_ok {
        c.at(
            t.account_sid.span(),
            format!("{KEY}.account_sid"),
            format!(
                "`{sid}` is not a Twilio account SID — it is `AC` followed by 32 hex digits, \
                 shown on the Twilio console's dashboard"
            ),
        );
    }
    let from = phone(c, &format!("{KEY}.from"), &t.from);
    let api_url = crate::config::api_url(
        c,
        &format!("{KEY}.api_url"),
        t.api_url.as_ref(),
        TWILIO_API_URL,
    );
    let token = secret(
        c,
        SecretField {
            key: KEY,
            span: spanned.span(),
            literal: t.auth_token.as_ref(),
            env: t.auth_token_env.as_ref(),
            names: ("auth_token", "auth_token_env"),
            required: true,
        },
        lookup_env,
    );
    Some(Twilio {
        account_sid: sid_ok.then(|| sid.clone())?,
        auth_token: Secret::new(token?),
        from: from?,
        api_url: api_url?,
    })
}

fn vonage(
    c: &mut Collector<'_>,
    spanned: &Spanned<RawVonage>,
    lookup_env: LookupEnv<'_>,
) -> Option<Vonage> {
    const KEY: &str = "providers.vonage";
    let v = spanned.get_ref();
    if v.api_key.get_ref().trim().is_empty() {
        c.at(
            v.api_key.span(),
            format!("{KEY}.api_key"),
            "the API key is empty — copy it from the Vonage dashboard",
        );
    }
    let from = v.from.get_ref();
    let from_ok = if from.starts_with('+') {
        phone(c, &format!("{KEY}.from"), &v.from).is_some()
    } else if (1..=11).contains(&from.len()) && from.bytes().all(|b| b.is_ascii_alphanumeric()) {
        true
    } else {
        c.at(
            v.from.span(),
            format!("{KEY}.from"),
            format!(
                "`{from}` is not a sender — use an E.164 number such as `+14155550100` or an \
                 alphanumeric sender id of 1 to 11 letters and digits such as `firebell`"
            ),
        );
        false
    };
    let api_url = crate::config::api_url(
        c,
        &format!("{KEY}.api_url"),
        v.api_url.as_ref(),
        VONAGE_API_URL,
    );
    let api_secret = secret(
        c,
        SecretField {
            key: KEY,
            span: spanned.span(),
            literal: v.api_secret.as_ref(),
            env: v.api_secret_env.as_ref(),
            names: ("api_secret", "api_secret_env"),
            required: true,
        },
        lookup_env,
    );
    if v.api_key.get_ref().trim().is_empty() || !from_ok {
        return None;
    }
    Some(Vonage {
        api_key: v.api_key.get_ref().clone(),
        api_secret: Secret::new(api_secret?),
        from: from.clone(),
        api_url: api_url?,
    })
}

fn phone(c: &mut Collector<'_>, key: &str, v: &Spanned<String>) -> Option<PhoneNumber> {
    PhoneNumber::parse(v.get_ref())
        .map_err(|e| c.at(v.span(), key, e.message()))
        .ok()
}
