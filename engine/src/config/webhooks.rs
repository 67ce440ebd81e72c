//! `[webhooks.NAME]` → [`Webhook`]: a subscription that receives incident events as JSON in the
//! shape of PagerDuty's v3 webhooks, signed like PagerDuty's (see [`crate::domain::webhook`]).
//!
//! ```toml
//! [webhooks.status-lamp]
//! url = "https://lamp.example.com/pagerduty"
//! events = ["incident.triggered", "incident.resolved"]   # default: every event
//! services = ["web"]                                       # default: every service
//! secret_env = "FIREBELL_WEBHOOK_LAMP_SECRET"              # or secret = "…"; signs each request
//! timeout = "5s"                                           # per request, 1s to 30s
//! max_attempts = 12                                        # then it is given up
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::validate::{is_plain_name, known_service};
use super::{LookupEnv, SecretField, secret};
use super::{Secret, Service};
use crate::domain::ids::ServiceName;
use crate::domain::kinds::EventType;

/// Tries per delivery when `max_attempts` is not set. With the outbox's backoff (1 s doubling to
/// 5 min) the twelfth try comes about 18 minutes after the first, close to PagerDuty's own
/// window of about 20 minutes: long enough for a receiver to restart, short enough that a
/// dashboard is not told about an incident an hour late.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 12;
/// The outbox's own ceiling (about eight hours of retries).
const MAX_MAX_ATTEMPTS: i64 = crate::domain::notification::MAX_ATTEMPTS;
/// PagerDuty expects an answer within 5 seconds.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// A delivery must finish well inside the outbox lease (60 s) of the row it claimed.
const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// A shorter HMAC key could be guessed from one signed request.
const SECRET_MIN: usize = 16;
const NAME_MAX: usize = 64;

/// `[webhooks.NAME]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhook {
    pub url: Spanned<String>,
    pub events: Option<Spanned<Vec<Spanned<String>>>>,
    pub services: Option<Spanned<Vec<Spanned<String>>>>,
    /// Literal signing secret: fine for a demo, not for production.
    pub secret: Option<Spanned<String>>,
    /// Name of the environment variable holding the signing secret.
    pub secret_env: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    /// Signed so a negative number gets our message, not serde's.
    pub max_attempts: Option<Spanned<i64>>,
}

/// A webhook subscription.
#[derive(Clone)]
pub struct Webhook {
    pub name: String,
    /// `http(s)://…`; may carry Basic credentials (`https://user:pass@host/…`), so it is never
    /// logged or shown.
    pub url: String,
    /// What it receives, in [`EventType::ALL`] order.
    pub events: Vec<EventType>,
    /// Only incidents of these services; `None` = every service.
    pub services: Option<Vec<ServiceName>>,
    /// The key of the `X-PagerDuty-Signature` HMAC; `None` = requests are not signed.
    pub secret: Option<Secret>,
    pub timeout: std::time::Duration,
    /// Tries before a delivery is given up (with a timeline entry on the incident).
    pub max_attempts: u32,
}

impl Webhook {
    pub fn wants_event(&self, event: EventType) -> bool {
        self.events.contains(&event)
    }

    /// Whether `event` about an incident of `service` goes to this subscription.
    pub fn wants(&self, event: EventType, service: &ServiceName) -> bool {
        self.wants_event(event)
            && self
                .services
                .as_ref()
                .is_none_or(|list| list.contains(service))
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("events", &self.events)
            .field("services", &self.services)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawWebhook>>,
    services: &BTreeMap<ServiceName, Service>,
    lookup_env: LookupEnv<'_>,
) -> BTreeMap<String, Webhook> {
    let mut out = BTreeMap::new();
    for (name, spanned) in raw {
        let key = format!("webhooks.{name}");
        let span = spanned.span();
        let w = spanned.get_ref();
        let name_ok = plain_name(
            c,
            span.clone(),
            (&key, name),
            NAME_MAX,
            (
                "webhook",
                "it is sent as `X-Webhook-Subscription`",
                "status-lamp",
            ),
        );
        let url = parse_url(w.url.get_ref())
            .map_err(|why| c.at(w.url.span(), format!("{key}.url"), why))
            .ok();
        let events = events(c, &key, w.events.as_ref());
        let services = service_list(c, &key, w.services.as_ref(), services);
        let secret = signing_secret(c, (&key, span.clone()), w, lookup_env);
        let timeout = match &w.timeout {
            None => Some(DEFAULT_TIMEOUT),
            Some(t) => timeout(t.get_ref())
                .map_err(|why| c.at(t.span(), format!("{key}.timeout"), why))
                .ok(),
        };
        let max_attempts = max_attempts(c, &key, w.max_attempts.as_ref());
        if let (
            true,
            Some(url),
            Some(events),
            Some(services),
            Some(secret),
            Some(timeout),
            Some(n),
        ) = (
            name_ok,
            url,
            events,
            services,
            secret,
            timeout,
            max_attempts,
        ) {
            out.insert(
                name.clone(),
                Webhook {
                    name: name.clone(),
                    url,
                    events,
                    services,
                    secret,
                    timeout,
                    max_attempts: n,
                },
            );
        }
    }
    out
}

/// The key requests are signed with: `Some(None)` when none is set (requests go unsigned),
/// `None` when the one set is unusable (the error said).
fn signing_secret(
    c: &mut Collector<'_>,
    (key, span): (&str, std::ops::Range<usize>),
    w: &RawWebhook,
    lookup_env: LookupEnv<'_>,
) -> Option<Option<Secret>> {
    let value = secret(
        c,
        SecretField {
            key,
            span: span.clone(),
            literal: w.secret.as_ref(),
            env: w.secret_env.as_ref(),
            names: ("secret", "secret_env"),
            required: false,
        },
        lookup_env,
    );
    let Some(value) = value else {
        return Some(None);
    };
    let n = value.chars().count();
    if n < SECRET_MIN {
        let at = w
            .secret
            .as_ref()
            .or(w.secret_env.as_ref())
            .map_or(span, Spanned::span);
        c.at(
            at,
            format!("{key}.secret"),
            format!(
                "a signing secret is at least {SECRET_MIN} characters (got {n}) — e.g. the \
                 output of `openssl rand -hex 32`"
            ),
        );
        return None;
    }
    Some(Some(Secret::new(value)))
}

/// Tries before a delivery is given up: 1 to the outbox's ceiling, [`DEFAULT_MAX_ATTEMPTS`] when
/// unset.
fn max_attempts(c: &mut Collector<'_>, key: &str, raw: Option<&Spanned<i64>>) -> Option<u32> {
    match raw {
        None => Some(DEFAULT_MAX_ATTEMPTS),
        Some(m) if (1..=MAX_MAX_ATTEMPTS).contains(m.get_ref()) => u32::try_from(*m.get_ref()).ok(),
        Some(m) => {
            c.at(
                m.span(),
                format!("{key}.max_attempts"),
                format!(
                    "max_attempts is 1 to {MAX_MAX_ATTEMPTS} tries in all (got {}); the \
                     default {DEFAULT_MAX_ATTEMPTS} keeps trying for about 18 minutes",
                    m.get_ref()
                ),
            );
            None
        }
    }
}

/// Whether `[TABLE.NAME]` (its `key` and `name`) has a name that can go on the wire (a header, a
/// dedup key): 1 to `max` letters, digits, `-`, `_` or `.`. If not, says so at `span`: what kind
/// of name it is, why it is limited, and an example.
pub(super) fn plain_name(
    c: &mut Collector<'_>,
    span: std::ops::Range<usize>,
    (key, name): (&str, &str),
    max: usize,
    (what, why, example): (&str, &str, &str),
) -> bool {
    let ok = is_plain_name(name, max);
    if !ok {
        c.at(
            span,
            key,
            format!(
                "a {what} name is 1 to {max} letters, digits, `-`, `_` or `.` ({why}), e.g. \
                 `{example}`"
            ),
        );
    }
    ok
}

/// An absolute `http` or `https` URL with a host; a query is fine, a `#fragment` (never sent) is
/// not. Basic credentials in it are allowed, as PagerDuty allows them.
pub(crate) fn parse_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let example = "write it like `https://lamp.example.com/pagerduty`";
    let parsed =
        ::url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e}) — {example}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "a webhook URL starts with `https://` or `http://`, not `{}:` — {example}",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` has no host — {example}"));
    }
    if parsed.fragment().is_some() {
        return Err(format!(
            "`{text}` has a `#fragment`, which is never sent to the server — remove it"
        ));
    }
    Ok(parsed.to_string())
}

/// `5s`, `500ms`, `30s`: from 1 second to 30.
fn timeout(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let d = humantime::parse_duration(text)
        .map_err(|_| format!("unknown duration `{text}` — try `5s`, `10s` or `30s`"))?;
    if d < std::time::Duration::from_secs(1) || d > MAX_TIMEOUT {
        return Err(format!(
            "a webhook timeout is 1s to {}s (got `{text}`); PagerDuty gives receivers 5s",
            MAX_TIMEOUT.as_secs()
        ));
    }
    Ok(d)
}

fn events(
    c: &mut Collector<'_>,
    key: &str,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
) -> Option<Vec<EventType>> {
    let Some(list) = raw else {
        return Some(EventType::ALL.to_vec());
    };
    if list.get_ref().is_empty() {
        c.at(
            list.span(),
            format!("{key}.events"),
            "the list of events is empty — name at least one (e.g. \"incident.triggered\"), or \
             leave `events` out for all of them",
        );
        return None;
    }
    let mut ok = true;
    let mut wanted = Vec::new();
    for e in list.get_ref() {
        match e.get_ref().trim().parse::<EventType>() {
            Ok(t) => wanted.push(t),
            Err(why) => {
                c.at(e.span(), format!("{key}.events"), why.to_string());
                ok = false;
            }
        }
    }
    ok.then(|| {
        EventType::ALL
            .iter()
            .copied()
            .filter(|t| wanted.contains(t))
            .collect()
    })
}

/// `Some(None)`: every service; `Some(Some(list))`: only these; `None`: an error was reported.
fn service_list(
    c: &mut Collector<'_>,
    key: &str,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    services: &BTreeMap<ServiceName, Service>,
) -> Option<Option<Vec<ServiceName>>> {
    let Some(list) = raw else {
        return Some(None);
    };
    if list.get_ref().is_empty() {
        c.at(
            list.span(),
            format!("{key}.services"),
            "the list of services is empty — name at least one, or leave `services` out for \
             every service",
        );
        return None;
    }
    let mut ok = true;
    let mut out = Vec::new();
    for s in list.get_ref() {
        match known_service(c, s, format!("{key}.services"), services) {
            Some(name) => out.push(name),
            None => ok = false,
        }
    }
    ok.then_some(Some(out))
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
