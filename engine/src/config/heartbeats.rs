//! `[heartbeats.NAME]` → [`Heartbeat`]: a dead man's switch. A cron job checks in at
//! `POST /api/v1/heartbeats/{key}`; when it misses `interval` plus `grace`, an incident opens on
//! `service`.
//!
//! ```toml
//! [heartbeats.backup-nightly]
//! service = "database"
//! interval = "24h"                 # how often it checks in
//! grace = "2h"                     # how late it may be (default: a tenth of the interval)
//! key_env = "FIREBELL_HB_BACKUP"   # or key = "…": the secret in its check-in URL
//! summary = "Nightly backup"       # optional: what the incident title calls it
//! severity = "error"               # optional, default critical
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;
use subtle::ConstantTimeEq;
use toml::Spanned;

use super::Collector;
use super::validate::known_service;
use super::webhooks::plain_name;
use super::{Config, Secret, Service};
use super::{LookupEnv, SecretField, secret};
use crate::domain::duration::HumanDuration;
use crate::domain::ids::{DedupKey, ServiceName};
use crate::domain::kinds::Severity;

/// Longest interval or grace: a yearly job.
const MAX_DURATION: chrono::Duration = chrono::Duration::days(366);
/// Key length bounds: long enough not to be guessed, short enough for a URL.
const KEY_MIN: usize = 16;
const KEY_MAX: usize = 128;
const NAME_MAX: usize = 64;
const SUMMARY_MAX: usize = 200;

/// `[heartbeats.NAME]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeartbeat {
    pub service: Spanned<String>,
    pub interval: Spanned<String>,
    pub grace: Option<Spanned<String>>,
    /// Literal check-in key: fine for a demo, not for production.
    pub key: Option<Spanned<String>>,
    /// Name of the environment variable holding the check-in key.
    pub key_env: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
}

/// A configured heartbeat: it must check in at least every `interval`; `grace` later, an
/// incident opens on `service`.
#[derive(Clone)]
pub struct Heartbeat {
    pub name: String,
    pub service: ServiceName,
    pub interval: chrono::Duration,
    pub grace: chrono::Duration,
    /// The check-in secret; compared only through [`Config::heartbeat_for_key`].
    key: Secret,
    /// What the incident title calls it; the name when unset.
    pub summary: Option<String>,
    pub severity: Severity,
}

impl Heartbeat {
    /// The incidents it opens share this key, so a miss while one is open joins it and the
    /// check-in resolves it.
    pub fn dedup_key(&self) -> DedupKey {
        DedupKey::parse(format!("heartbeat:{}", self.name))
            .expect("names are at most 64 characters, checked at load")
    }

    /// How the incident title names it.
    pub fn what(&self) -> &str {
        self.summary.as_deref().unwrap_or(&self.name)
    }
}

impl fmt::Debug for Heartbeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Heartbeat")
            .field("name", &self.name)
            .field("service", &self.service)
            .field("interval", &self.interval)
            .field("grace", &self.grace)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The heartbeat whose check-in key is `key`. Compares against every heartbeat's key in
    /// constant time and never stops early, as for integration keys.
    pub fn heartbeat_for_key(&self, key: &str) -> Option<&Heartbeat> {
        let mut found = None;
        for hb in self.heartbeats.values() {
            if bool::from(hb.key.expose().as_bytes().ct_eq(key.as_bytes())) {
                found = Some(hb);
            }
        }
        found
    }

    pub fn heartbeat(&self, name: &str) -> Option<&Heartbeat> {
        self.heartbeats.get(name)
    }
}

/// The default grace: a tenth of the interval in whole minutes, at least one minute
/// (`24h` → `2h24m`, `1h` → `6m`, `5m` → `1m`).
pub fn default_grace(interval: chrono::Duration) -> chrono::Duration {
    chrono::Duration::minutes((interval.num_minutes() / 10).max(1))
}

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawHeartbeat>>,
    services: &BTreeMap<ServiceName, Service>,
    lookup_env: LookupEnv<'_>,
) -> BTreeMap<String, Heartbeat> {
    let mut out = BTreeMap::new();
    let mut seen_keys: HashMap<String, String> = HashMap::new();
    for (name, spanned) in raw {
        let key = format!("heartbeats.{name}");
        let span = spanned.span();
        let h = spanned.get_ref();
        let name_ok = plain_name(
            c,
            span.clone(),
            (&key, name),
            NAME_MAX,
            (
                "heartbeat",
                "it becomes the dedup key `heartbeat:NAME`",
                "backup-nightly",
            ),
        );
        let service = known_service(c, &h.service, format!("{key}.service"), services);
        let interval = duration(c, &format!("{key}.interval"), &h.interval, false);
        let grace = match &h.grace {
            Some(g) => duration(c, &format!("{key}.grace"), g, true),
            None => interval.map(default_grace),
        };
        let secret = secret(
            c,
            SecretField {
                key: &key,
                span: span.clone(),
                literal: h.key.as_ref(),
                env: h.key_env.as_ref(),
                names: ("key", "key_env"),
                required: true,
            },
            lookup_env,
        );
        let key_span = h.key.as_ref().or(h.key_env.as_ref());
        let key_span = key_span.map_or(span.clone(), Spanned::span);
        let secret = secret.and_then(|s| check_key(c, &key, key_span, s, name, &mut seen_keys));
        let summary = summary(c, &key, h);
        let severity = match &h.severity {
            None => Some(Severity::Critical),
            Some(s) => s
                .get_ref()
                .parse::<Severity>()
                .map_err(|e| c.at(s.span(), format!("{key}.severity"), e.message()))
                .ok(),
        };
        if let (true, Some(service), Some(interval), Some(grace), Some(secret), Some(severity)) =
            (name_ok, service, interval, grace, secret, severity)
        {
            out.insert(
                name.clone(),
                Heartbeat {
                    name: name.clone(),
                    service,
                    interval,
                    grace,
                    key: Secret::new(secret),
                    summary,
                    severity,
                },
            );
        }
    }
    out
}

/// A check-in key that can go in a URL and is no other heartbeat's; `None` (with the error said)
/// otherwise.
fn check_key(
    c: &mut Collector<'_>,
    key: &str,
    key_span: std::ops::Range<usize>,
    s: String,
    name: &str,
    seen_keys: &mut HashMap<String, String>,
) -> Option<String> {
    let ok = (KEY_MIN..=KEY_MAX).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if !ok {
        c.at(
            key_span.clone(),
            format!("{key}.key"),
            format!(
                "a heartbeat key is {KEY_MIN} to {KEY_MAX} letters, digits, `-` or `_` \
                 (it goes in the check-in URL; got {} characters) — e.g. the output of \
                 `openssl rand -hex 16`",
                s.chars().count()
            ),
        );
        return None;
    }
    if let Some(other) = seen_keys.insert(s.clone(), name.to_owned()) {
        c.at(
            key_span.clone(),
            format!("{key}.key"),
            format!(
                "this key is already used by heartbeat `{other}` — each heartbeat needs \
                 its own key, or a check-in could not say which job ran"
            ),
        );
        return None;
    }
    Some(s)
}

/// The incident summary a missed heartbeat opens with, 1 to [`SUMMARY_MAX`] characters.
fn summary(c: &mut Collector<'_>, key: &str, h: &RawHeartbeat) -> Option<String> {
    h.summary.as_ref().and_then(|s| {
        let text = s.get_ref().trim();
        let n = text.chars().count();
        if text.is_empty() || n > SUMMARY_MAX {
            c.at(
                s.span(),
                format!("{key}.summary"),
                format!(
                    "a summary is 1 to {SUMMARY_MAX} characters (got {n}), e.g. \"Nightly backup of db-01\""
                ),
            );
            return None;
        }
        Some(text.to_owned())
    })
}

/// An interval (at least a minute) or a grace (zero allowed), up to [`MAX_DURATION`].
fn duration(
    c: &mut Collector<'_>,
    key: &str,
    v: &Spanned<String>,
    zero_ok: bool,
) -> Option<chrono::Duration> {
    let text = v.get_ref().trim();
    let what = if zero_ok { "grace" } else { "interval" };
    if text.starts_with('-') {
        c.at(
            v.span(),
            key,
            format!("the {what} cannot be negative (got `{text}`) — e.g. `30m`, `2h` or `1d`"),
        );
        return None;
    }
    if zero_ok && humantime::parse_duration(text).is_ok_and(|d| d.is_zero()) {
        return Some(chrono::Duration::zero());
    }
    match HumanDuration::parse(text, MAX_DURATION) {
        Ok(d) => Some(d.get()),
        Err(e) => {
            let hint = if zero_ok { " (or `0` for none)" } else { "" };
            c.at(v.span(), key, format!("{}{hint}", e.message()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_grace_is_a_tenth_of_the_interval_and_at_least_a_minute() {
        let g = |m: i64| default_grace(chrono::Duration::minutes(m)).num_minutes();
        assert_eq!(g(24 * 60), 144);
        assert_eq!(g(60), 6);
        assert_eq!(g(5), 1);
        assert_eq!(g(1), 1);
    }
}
