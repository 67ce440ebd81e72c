//! `[providers.smtp]` → [`Smtp`]: the relay email pages go out through, with its password from
//! the file or the environment. The table sits in `[providers]` ([`crate::telephony::config`]
//! reads that table and hands this one here).
//!
//! ```toml
//! [providers.smtp]
//! host = "smtp.example.com"
//! username = "pager"
//! password_env = "FIREBELL_SMTP_PASSWORD"
//! from = "firebell <pager@example.com>"
//! ```

use std::fmt;

use firebell_engine::config::{Collector, LookupEnv, Secret, SecretField, is_email, secret};
use serde::Deserialize;
use toml::Spanned;

const SMTP_PORT: u16 = 587;

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

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection (a local relay, tests).
    None,
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmtp {
    host: Spanned<String>,
    port: Option<Spanned<u16>>,
    /// starttls (default) | tls | none.
    tls: Option<Spanned<String>>,
    username: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    from: Spanned<String>,
}

pub(crate) fn smtp(
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
    if !is_email(address) {
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
