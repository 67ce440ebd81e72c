//! `[providers]` → [`Providers`]: the SMS, voice and email gateways and the public URL their
//! webhooks call back, with secrets from the file or the environment.
//!
//! ```toml
//! [providers]
//! public_url = "https://firebell.example.com"
//! [providers.twilio]
//! account_sid = "AC0123456789abcdef0123456789abcdef"
//! auth_token_env = "FIREBELL_TWILIO_AUTH_TOKEN"
//! from = "+15005550006"
//! ```

use std::ops::Range;

use toml::Spanned;

use super::raw::{RawProviders, RawSmtp, RawTwilio, RawVonage};
use super::validate::Collector;
use super::{Providers, Secret, Smtp, SmtpTls, Twilio, Vonage};
use crate::domain::ids::PhoneNumber;

pub(super) const TWILIO_API_URL: &str = "https://api.twilio.com";
pub(super) const VONAGE_API_URL: &str = "https://rest.nexmo.com";
pub(super) const SMTP_PORT: u16 = 587;

/// Looks up an environment variable holding a secret.
pub(super) type LookupEnv<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &RawProviders,
    lookup_env: LookupEnv<'_>,
) -> Providers {
    let public_url = raw.public_url.as_ref().and_then(|u| {
        base_url(u.get_ref())
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
    let api_url = api_url(
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
    let api_url = api_url(
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

fn smtp(
    c: &mut Collector<'_>,
    spanned: &Spanned<RawSmtp>,
    lookup_env: LookupEnv<'_>,
) -> Option<Smtp> {
    const KEY: &str = "providers.smtp";
    let s = spanned.get_ref();
    let host = s.host.get_ref().trim();
    let host_ok = !host.is_empty() && !host.contains(char::is_whitespace) && !host.contains('/');
    if !host_ok {
        c.at(
            s.host.span(),
            format!("{KEY}.host"),
            format!("`{host}` is not a host name — write it like `smtp.example.com`"),
        );
    }
    let port = s.port.as_ref().map_or(SMTP_PORT, |p| *p.get_ref());
    if let Some(p) = s.port.as_ref().filter(|p| *p.get_ref() == 0) {
        c.at(
            p.span(),
            format!("{KEY}.port"),
            "port must be between 1 and 65535 (usually 587, or 465 with tls = \"tls\")",
        );
    }
    let tls = match s.tls.as_ref().map(|t| (t, t.get_ref().as_str())) {
        None | Some((_, "starttls")) => Some(SmtpTls::StartTls),
        Some((_, "tls")) => Some(SmtpTls::Tls),
        Some((_, "none")) => Some(SmtpTls::None),
        Some((t, other)) => {
            c.at(
                t.span(),
                format!("{KEY}.tls"),
                format!("unknown TLS mode `{other}` — use starttls (port 587), tls (port 465) or none (a local relay)"),
            );
            None
        }
    };
    let password = secret(
        c,
        SecretField {
            key: KEY,
            span: spanned.span(),
            literal: s.password.as_ref(),
            env: s.password_env.as_ref(),
            names: ("password", "password_env"),
            required: false,
        },
        lookup_env,
    );
    let has_password = s.password.is_some() || s.password_env.is_some();
    if has_password && s.username.is_none() {
        c.at(
            spanned.span(),
            format!("{KEY}.username"),
            "a password needs a `username` to log in with",
        );
    }
    let from = s.from.get_ref();
    let address = match (from.rfind('<'), from.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => from.as_str(),
    };
    if !super::users::is_email(address) {
        c.at(
            s.from.span(),
            format!("{KEY}.from"),
            format!("`{from}` is not a sender address — write it like `firebell <pager@example.com>` or `pager@example.com`"),
        );
        return None;
    }
    if has_password && password.is_none() {
        return None;
    }
    Some(Smtp {
        host: host_ok.then(|| host.to_owned())?,
        port,
        tls: tls?,
        username: s.username.as_ref().map(|u| u.get_ref().clone()),
        password: password.map(Secret::new),
        from: from.clone(),
    })
}

/// Where a secret may come from: a literal key or one naming an environment variable.
pub(super) struct SecretField<'a> {
    /// The table's dotted key, e.g. `providers.twilio`.
    pub key: &'a str,
    /// The table, for "give exactly one of" errors.
    pub span: Range<usize>,
    pub literal: Option<&'a Spanned<String>>,
    pub env: Option<&'a Spanned<String>>,
    /// The two key names, e.g. (`auth_token`, `auth_token_env`).
    pub names: (&'a str, &'a str),
    /// Whether one of the two must be given (otherwise neither is fine, and gives `None`).
    pub required: bool,
}

/// The secret's value; `None` when it is missing (reported) or optional and not given.
pub(super) fn secret(
    c: &mut Collector<'_>,
    f: SecretField<'_>,
    lookup_env: LookupEnv<'_>,
) -> Option<String> {
    let (lit, env) = f.names;
    match (f.literal, f.env) {
        (Some(value), None) => Some(value.get_ref().clone()),
        (None, Some(var)) => match lookup_env(var.get_ref()) {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                c.at(
                    var.span(),
                    format!("{}.{env}", f.key),
                    format!("environment variable `{}` is not set", var.get_ref()),
                );
                None
            }
        },
        (None, None) if !f.required => None,
        _ => {
            let quantity = if f.required { "exactly" } else { "at most" };
            c.at(
                f.span,
                f.key,
                format!("give {quantity} one of `{lit}` (literal) or `{env}` (environment variable name)"),
            );
            None
        }
    }
}

fn phone(c: &mut Collector<'_>, key: &str, v: &Spanned<String>) -> Option<PhoneNumber> {
    PhoneNumber::parse(v.get_ref())
        .map_err(|e| c.at(v.span(), key, e.message()))
        .ok()
}

pub(super) fn api_url(
    c: &mut Collector<'_>,
    key: &str,
    v: Option<&Spanned<String>>,
    default: &str,
) -> Option<String> {
    let Some(v) = v else {
        return Some(default.to_owned());
    };
    match split_url(v.get_ref()) {
        Some((base, rest)) if !rest.contains(['?', '#']) => {
            Some(format!("{base}{rest}").trim_end_matches('/').to_owned())
        }
        _ => {
            c.at(
                v.span(),
                key,
                format!(
                    "`{}` is not an API URL — write it like `{default}`",
                    v.get_ref()
                ),
            );
            None
        }
    }
}

/// `https://host[:port]` with an optional trailing slash (stripped); no path, query or fragment.
pub(super) fn base_url(s: &str) -> Result<String, String> {
    match split_url(s) {
        Some((base, "" | "/")) => Ok(base.to_owned()),
        _ => Err(format!(
            "`{s}` is not a base URL — write the scheme and host firebell is reached at, such as \
             `https://firebell.example.com` (no path or query)"
        )),
    }
}

/// (`scheme://authority`, the rest) for an http(s) URL with a plausible host, else `None`.
fn split_url(s: &str) -> Option<(&str, &str)> {
    let after = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']').is_some_and(|a| {
            !a.is_empty() && a.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
        }),
        None => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    (host_ok && port_ok).then(|| s.split_at(s.len() - after.len() + end))
}

#[cfg(test)]
mod tests {
    use super::base_url;

    #[test]
    fn base_urls_keep_scheme_host_and_port_and_drop_a_trailing_slash() {
        for (given, kept) in [
            (
                "https://firebell.example.com",
                "https://firebell.example.com",
            ),
            (
                "https://firebell.example.com/",
                "https://firebell.example.com",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
        ] {
            assert_eq!(base_url(given).as_deref(), Ok(kept), "{given}");
        }
        for bad in [
            "firebell.example.com",
            "ftp://firebell.example.com",
            "https://",
            "https://firebell.example.com/pager",
            "https://firebell.example.com?x=1",
            "https://fire bell.example.com",
            "https://firebell.example.com:http",
        ] {
            assert!(
                base_url(bad).unwrap_err().contains("is not a base URL"),
                "{bad}"
            );
        }
    }
}
