//! `[email]` → [`EmailListener`]: where the SMTP listener listens, for which domain, how large a
//! mail it takes, STARTTLS files, timeouts and per-client rate limits. The table's
//! `log_retention` is the engine's (it keeps the mail log); this module checks every other key
//! and rejects unknown ones.
//!
//! ```toml
//! [email]
//! listen = "127.0.0.1:2525"      # default
//! domain = "alerts.example.com"  # mail to <service address>@alerts.example.com
//! max_size = "10MB"              # default; larger mail is refused with 552
//! tls_cert = "/etc/firebell/smtp.pem"   # optional, with tls_key: offers STARTTLS
//! tls_key = "/etc/firebell/smtp.key"
//! connections_per_minute = 60    # default; per client address, more get 421
//! messages_per_minute = 120      # default; per client address, more get 450 at MAIL
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use firebell_engine::config::Collector;
use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:2525";
/// 10 MB, as many relays default to.
pub const DEFAULT_MAX_SIZE: usize = 10_000_000;
/// Messages are buffered in memory: this bounds what one connection can hold.
const MAX_MAX_SIZE: usize = 100_000_000;
/// RFC 5321 §4.5.3.2 suggests five minutes for commands.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// Enough for a monitor's relay in a storm (two mails a second, sustained), far too few to fill
/// a database.
pub const DEFAULT_CONNECTIONS_PER_MINUTE: u32 = 60;
pub const DEFAULT_MESSAGES_PER_MINUTE: u32 = 120;

/// The file as this module reads it: `[email]` only (serde skips the other tables).
#[derive(Deserialize)]
struct View {
    email: Option<Spanned<RawEmail>>,
}

/// `[email]`: present turns the SMTP listener on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    listen: Option<Spanned<String>>,
    domain: Spanned<String>,
    max_size: Option<Spanned<String>>,
    tls_cert: Option<Spanned<String>>,
    tls_key: Option<Spanned<String>>,
    /// Longest wait for the client's next command or data (`5m`, `30s`).
    timeout: Option<Spanned<String>>,
    /// Connections one client address may open per minute.
    connections_per_minute: Option<Spanned<i64>>,
    /// Mails (MAIL FROM) one client address may start per minute.
    messages_per_minute: Option<Spanned<i64>>,
    /// How long mail log rows are kept: the engine's key (`firebell_engine::config::EmailConfig`).
    #[serde(rename = "log_retention")]
    _log_retention: Option<IgnoredAny>,
}

#[derive(Debug, Clone)]
pub struct EmailListener {
    pub listen: SocketAddr,
    /// Lowercase; mail is accepted for `<address>@<domain>` only.
    pub domain: String,
    /// Largest message accepted, in bytes (advertised as SIZE).
    pub max_size: usize,
    /// With both files, STARTTLS is offered.
    pub tls: Option<TlsFiles>,
    /// Longest wait for the client's next command or line of data.
    pub timeout: Duration,
    /// Per client address (an IPv6 client's /64): connections accepted per minute; the next
    /// one is told 421 and closed.
    pub connections_per_minute: u32,
    /// Per client address: mails started (MAIL FROM) per minute; the next gets 450.
    pub messages_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// `[email]`'s listener keys; `None` without the table (the listener is off), or when the file
/// does not have the right shape (reported).
pub fn read(c: &mut Collector<'_>) -> Option<EmailListener> {
    let view: View = c.read()?;
    listener(c, view.email.as_ref()?)
}

/// The largest message accepted, by SMTP and by `POST /integrations/email/{key}`.
pub fn max_size(listener: Option<&EmailListener>) -> usize {
    listener.map_or(DEFAULT_MAX_SIZE, |l| l.max_size)
}

fn listener(c: &mut Collector<'_>, spanned: &Spanned<RawEmail>) -> Option<EmailListener> {
    let r = spanned.get_ref();
    let listen_text = r
        .listen
        .as_ref()
        .map_or(DEFAULT_LISTEN, |l| l.get_ref().as_str());
    let listen = listen_text.parse::<SocketAddr>().map_err(|_| {
        let span = r.listen.as_ref().map_or(spanned.span(), Spanned::span);
        c.at(
            span,
            "email.listen",
            format!("`{listen_text}` is not an address and port — e.g. \"127.0.0.1:2525\" or \"0.0.0.0:25\""),
        );
    });
    let domain = domain(c, &r.domain);
    let max_size = match &r.max_size {
        None => Some(DEFAULT_MAX_SIZE),
        Some(s) => parse_size(s.get_ref())
            .map_err(|why| c.at(s.span(), "email.max_size", why))
            .ok(),
    };
    let tls = tls(c, r.tls_cert.as_ref(), r.tls_key.as_ref());
    let timeout = match &r.timeout {
        None => Some(DEFAULT_TIMEOUT),
        Some(t) => humantime::parse_duration(t.get_ref().trim())
            .ok()
            .filter(|d| (Duration::from_secs(1)..=Duration::from_secs(3600)).contains(d))
            .or_else(|| {
                c.at(
                    t.span(),
                    "email.timeout",
                    format!(
                        "`{}` is not a duration from 1s to 1h — e.g. \"5m\" or \"30s\"",
                        t.get_ref()
                    ),
                );
                None
            }),
    };
    let connections_per_minute = per_minute(
        c,
        "email.connections_per_minute",
        r.connections_per_minute.as_ref(),
        DEFAULT_CONNECTIONS_PER_MINUTE,
    );
    let messages_per_minute = per_minute(
        c,
        "email.messages_per_minute",
        r.messages_per_minute.as_ref(),
        DEFAULT_MESSAGES_PER_MINUTE,
    );
    Some(EmailListener {
        listen: listen.ok()?,
        domain: domain?,
        max_size: max_size?,
        tls: tls?,
        timeout: timeout?,
        connections_per_minute: connections_per_minute?,
        messages_per_minute: messages_per_minute?,
    })
}

/// `domain`, normalised (lowercase, no trailing dot), if it is a domain name.
fn domain(c: &mut Collector<'_>, raw: &Spanned<String>) -> Option<String> {
    let domain = raw
        .get_ref()
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let domain_ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        });
    if !domain_ok {
        c.at(
            raw.span(),
            "email.domain",
            format!("`{}` is not a domain name — e.g. \"alerts.example.com\"; mail goes to <service address>@<domain>", raw.get_ref()),
        );
    }
    domain_ok.then_some(domain)
}

/// `tls_cert` and `tls_key`: both (STARTTLS offered) or neither.
fn tls(
    c: &mut Collector<'_>,
    cert: Option<&Spanned<String>>,
    key: Option<&Spanned<String>>,
) -> Option<Option<TlsFiles>> {
    match (cert, key) {
        (None, None) => Some(None),
        (Some(cert), Some(key)) => {
            let cert = readable(c, "email.tls_cert", cert);
            let key = readable(c, "email.tls_key", key);
            cert.zip(key)
                .map(|(cert, key)| Some(TlsFiles { cert, key }))
        }
        (Some(one), None) | (None, Some(one)) => {
            c.at(
                one.span(),
                "email.tls_cert",
                "STARTTLS needs both `tls_cert` (PEM certificate chain) and `tls_key` (PEM private key)",
            );
            None
        }
    }
}

/// A per-minute rate from 1 to 100000.
fn per_minute(
    c: &mut Collector<'_>,
    key: &str,
    raw: Option<&Spanned<i64>>,
    default: u32,
) -> Option<u32> {
    let Some(v) = raw else {
        return Some(default);
    };
    let ok = u32::try_from(*v.get_ref())
        .ok()
        .filter(|n| (1..=100_000).contains(n));
    if ok.is_none() {
        c.at(
            v.span(),
            key,
            format!(
                "`{}` is not a rate from 1 to 100000 per minute, per client address",
                v.get_ref()
            ),
        );
    }
    ok
}

fn readable(c: &mut Collector<'_>, key: &str, path: &Spanned<String>) -> Option<PathBuf> {
    let p = PathBuf::from(path.get_ref());
    match std::fs::metadata(&p) {
        Ok(m) if m.is_file() => Some(p),
        Ok(_) => {
            c.at(path.span(), key, format!("`{}` is not a file", p.display()));
            None
        }
        Err(e) => {
            c.at(
                path.span(),
                key,
                format!("cannot read `{}`: {e}", p.display()),
            );
            None
        }
    }
}

/// `10MB`, `512KB`, `1MiB`, `2000000`: decimal units for KB/MB, binary for KiB/MiB.
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = t.split_at(digits);
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1_000,
        "kib" => 1 << 10,
        "mb" | "m" => 1_000_000,
        "mib" => 1 << 20,
        _ => 0,
    };
    let size = number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|_| factor > 0);
    match size {
        Some(n) if (1_000..=MAX_MAX_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(format!(
            "`{t}` is out of range — from 1KB to 100MB (messages are held in memory while they arrive)"
        )),
        None => Err(format!(
            "`{t}` is not a size — e.g. \"10MB\", \"512KB\" or \"1MiB\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("512 KB"), Ok(512_000));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("2000000"), Ok(2_000_000));
        assert!(parse_size("10GB").unwrap_err().contains("not a size"));
        assert!(parse_size("1GiB").unwrap_err().contains("not a size"));
        assert!(parse_size("500MB").unwrap_err().contains("out of range"));
        assert!(parse_size("10").unwrap_err().contains("out of range"));
        assert!(parse_size("MB").unwrap_err().contains("not a size"));
    }
}
