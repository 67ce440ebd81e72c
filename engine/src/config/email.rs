//! `[email] log_retention` and each service's `[services.NAME.email]` (its address and rules)
//! → [`EmailConfig`]. The rest of `[email]` configures the SMTP listener, which its adapter
//! (`email_inbound`) reads and checks.
//!
//! ```toml
//! [email]
//! domain = "alerts.example.com"  # the listener's keys: see the email_inbound adapter
//! log_retention = "30d"          # default; older mail log rows are deleted
//!
//! [services.web.email]
//! address = "web-alerts"         # default: the service's name
//! ```
//!
//! Every service has an address (its name unless `address` says otherwise) and rules (the
//! built-in subject behaviour unless `rules` says otherwise); `POST /integrations/email/{key}`
//! applies the same rules without the listener.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::email_rules::{RawCondition, RawRule};
use crate::domain::email::rules::EmailRules;
use crate::domain::ids::ServiceName;

/// `[email]` as the engine reads it: the listener's keys are checked by its adapter, which
/// also rejects unknown ones.
#[derive(Debug, Deserialize)]
pub(super) struct RawEmail {
    /// How long mail log rows are kept (`30d`).
    pub log_retention: Option<Spanned<String>>,
}

/// `[services.NAME.email]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServiceEmail {
    pub address: Option<Spanned<String>>,
    pub filter: Option<Spanned<RawCondition>>,
    /// trigger (default) | discard
    pub fallback: Option<Spanned<String>>,
    /// Severity of the incidents mail opens (default `error`).
    pub severity: Option<Spanned<String>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
}

/// Inbound email, validated: what the engine does with mail, however it arrived.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// How long mail log rows are kept; older ones are deleted by the timer worker.
    pub log_retention: Duration,
    services: BTreeMap<ServiceName, ServiceEmail>,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            log_retention: DEFAULT_LOG_RETENTION,
            services: BTreeMap::new(),
        }
    }
}

/// One service's email settings.
#[derive(Debug, Clone)]
pub struct ServiceEmail {
    /// The local part, lowercase; `None` when the service name is not a valid one and no
    /// `address` is set.
    pub address: Option<String>,
    pub rules: EmailRules,
}

/// A month of mail log: enough to ask why last week's mail did not page.
pub const DEFAULT_LOG_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

static NO_RULES: LazyLock<EmailRules> = LazyLock::new(EmailRules::default);

impl EmailConfig {
    /// The rules for `service` (the built-in behaviour when it has none).
    pub fn rules(&self, service: &ServiceName) -> &EmailRules {
        self.services.get(service).map_or(&*NO_RULES, |s| &s.rules)
    }

    /// The local part `service` receives mail at.
    pub fn address(&self, service: &ServiceName) -> Option<&str> {
        self.services.get(service)?.address.as_deref()
    }

    /// The service receiving mail for the local part `local`: case-insensitive, and a
    /// `+tag` (`web+nightly`) is ignored.
    pub fn service_for_address(&self, local: &str) -> Option<&ServiceName> {
        let local = local.to_ascii_lowercase();
        let base = local.split_once('+').map_or(local.as_str(), |(b, _)| b);
        self.services
            .iter()
            .find(|(_, e)| e.address.as_deref() == Some(base))
            .map(|(name, _)| name)
    }
}

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: Option<&Spanned<RawEmail>>,
    services: &BTreeMap<String, Spanned<super::raw::RawService>>,
) -> EmailConfig {
    let log_retention = raw
        .and_then(|r| r.get_ref().log_retention.as_ref())
        .map_or(Some(DEFAULT_LOG_RETENTION), |t| retention(c, t))
        .unwrap_or(DEFAULT_LOG_RETENTION);
    let mut out = BTreeMap::new();
    // Explicit addresses first, so a clash with another service's default is reported at the
    // `address` line that caused it.
    let mut claimed: Vec<(String, &str, Option<std::ops::Range<usize>>)> = Vec::new();
    for explicit in [true, false] {
        for (name, s) in services {
            let key = format!("services.{name}.email");
            let table = s.get_ref().email.as_ref();
            let given = table.and_then(|e| e.get_ref().address.as_ref());
            if given.is_some() != explicit {
                continue;
            }
            let address = match given {
                Some(a) => address(c, &format!("{key}.address"), a),
                None => valid_local_part(name).then(|| name.to_ascii_lowercase()),
            };
            if let Some(a) = &address {
                match claimed.iter().find(|(taken, _, _)| taken == a) {
                    // Two explicit addresses: the later one is the mistake.
                    Some((_, other, _)) if explicit => c.at(
                        given.map_or(s.span(), Spanned::span),
                        format!("{key}.address"),
                        format!("address `{a}` already receives mail for service `{other}`; each address routes to one service"),
                    ),
                    // An explicit address taking another service's default (its name).
                    Some((_, other, Some(span))) => c.at(
                        span.clone(),
                        format!("services.{other}.email.address"),
                        format!("address `{a}` is service `{name}`'s default address (its name); give `{other}` another address, or `{name}` one with `address`"),
                    ),
                    Some((_, other, None)) => c.at(
                        s.span(),
                        format!("{key}.address"),
                        format!("services `{other}` and `{name}` both default to address `{a}`; give one of them an `address`"),
                    ),
                    None => claimed.push((a.clone(), name, given.map(Spanned::span))),
                }
            }
            let rules = match table {
                None => EmailRules::default(),
                Some(e) => {
                    let raw = e.get_ref();
                    super::email_rules::rules(
                        c,
                        &key,
                        raw.filter.as_ref(),
                        &raw.rules,
                        raw.fallback.as_ref(),
                        raw.severity.as_ref(),
                    )
                }
            };
            out.insert(
                ServiceName::new(name.clone()),
                ServiceEmail { address, rules },
            );
        }
    }
    EmailConfig {
        log_retention,
        services: out,
    }
}

/// `log_retention`: from one hour to ten years.
fn retention(c: &mut Collector<'_>, t: &Spanned<String>) -> Option<Duration> {
    humantime::parse_duration(t.get_ref().trim())
        .ok()
        .filter(|d| (Duration::from_secs(3600)..=Duration::from_secs(3650 * 24 * 3600)).contains(d))
        .or_else(|| {
            c.at(
                t.span(),
                "email.log_retention",
                format!(
                    "`{}` is not a duration from 1h to 3650d — e.g. \"30d\" or \"7d\"",
                    t.get_ref()
                ),
            );
            None
        })
}

/// A local part as people write service addresses: letters, digits, `.`, `_`, `-`.
fn valid_local_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
}

fn address(c: &mut Collector<'_>, key: &str, a: &Spanned<String>) -> Option<String> {
    let text = a.get_ref().trim();
    if text.contains('@') {
        c.at(
            a.span(),
            key,
            format!(
                "give only the part before the @ (`{}`): mail goes to <address>@<[email] domain>",
                text.split('@').next().unwrap_or("")
            ),
        );
        return None;
    }
    if !valid_local_part(text) {
        c.at(
            a.span(),
            key,
            format!("`{text}` is not a usable address — use letters, digits, `.`, `_` and `-` (at most 64)"),
        );
        return None;
    }
    Some(text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_are_letters_digits_dots_dashes() {
        for ok in ["web", "web-alerts", "db_1", "a.b"] {
            assert!(valid_local_part(ok), "{ok}");
        }
        for bad in ["", ".web", "web.", "we b", "wéb", "a@b", &"x".repeat(65)] {
            assert!(!valid_local_part(bad), "{bad}");
        }
    }
}
