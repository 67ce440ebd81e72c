//! Maintenance windows: while one is open, triggers that match it open no incident and page
//! nobody, but are recorded in the alert log (outcome `suppressed`) and counted on the window.
//! The room hears when a window starts, ten minutes before it ends, and when it ends.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::Config;
use crate::domain::alert::{AlertKind, NewAlert};
use crate::domain::error::UserError;
use crate::domain::ids::ServiceName;

/// The longest window anyone can open: a week. Longer silences belong in the monitor's config.
pub fn max_duration() -> chrono::Duration {
    chrono::Duration::days(7)
}

/// How far ahead of the end the room is warned.
pub fn warning_ahead() -> chrono::Duration {
    chrono::Duration::minutes(10)
}

/// What a window silences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Alerts whose source (or `instance` label, port stripped) is this host.
    Host(String),
    /// Every alert of a service.
    Service(ServiceName),
    /// Alerts carrying `key=value` among their labels or custom details.
    Label { key: String, value: String },
}

const FORMS: &str = "use a host (`web-01`), `service:NAME` or `label=value`";

impl Matcher {
    /// `web-01`, `service:web`, `env=prod`. Services must exist in the config.
    pub fn parse(text: &str, config: &Config) -> Result<Self, UserError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UserError::new(format!("nothing to match — {FORMS}")));
        }
        if let Some(name) = text.strip_prefix("service:") {
            return match config.service(name) {
                Some(s) => Ok(Matcher::Service(s.name.clone())),
                None => Err(UserError::new(format!(
                    "unknown service `{name}` — services: {}",
                    config.service_names().join(", ")
                ))),
            };
        }
        if let Some((key, value)) = text.split_once('=') {
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() || value.is_empty() {
                return Err(UserError::new(format!(
                    "`{text}` needs both a label and a value — {FORMS}"
                )));
            }
            return Ok(Matcher::Label {
                key: key.to_owned(),
                value: value.to_owned(),
            });
        }
        let ok = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
        if !ok || text.len() > 253 {
            return Err(UserError::new(format!(
                "`{text}` is not a host name — {FORMS}"
            )));
        }
        Ok(Matcher::Host(text.to_owned()))
    }

    /// The stored form: `host:web-01`, `service:web`, `label:env=prod`.
    pub fn to_db(&self) -> String {
        match self {
            Matcher::Host(h) => format!("host:{h}"),
            Matcher::Service(s) => format!("service:{s}"),
            Matcher::Label { key, value } => format!("label:{key}={value}"),
        }
    }

    /// The stored form read back; anything [`Matcher::to_db`] does not write is an error, never
    /// a guess at what it meant.
    pub(crate) fn from_db(s: &str) -> Result<Self, String> {
        if let Some(h) = s.strip_prefix("host:") {
            Ok(Matcher::Host(h.to_owned()))
        } else if let Some(n) = s.strip_prefix("service:") {
            Ok(Matcher::Service(ServiceName::new(n)))
        } else if let Some((key, value)) = s.strip_prefix("label:").and_then(|l| l.split_once('='))
        {
            Ok(Matcher::Label {
                key: key.to_owned(),
                value: value.to_owned(),
            })
        } else {
            Err(format!(
                "`{s}` is not a stored matcher (host:HOST, service:NAME or label:KEY=VALUE)"
            ))
        }
    }

    /// Whether a trigger falls under this window. Acknowledges and resolves never do: they page
    /// nobody, and a resolve arriving during maintenance should still close the incident.
    pub fn matches(&self, alert: &NewAlert) -> bool {
        let AlertKind::Trigger { payload, .. } = &alert.kind else {
            return false;
        };
        match self {
            Matcher::Service(s) => &alert.service == s,
            Matcher::Host(h) => {
                let strip = |s: &str| s.split(':').next().unwrap_or(s).to_owned();
                payload
                    .source
                    .as_deref()
                    .is_some_and(|s| s == h || strip(s) == *h)
                    || label(&payload.details, "instance").is_some_and(|i| strip(&i) == *h)
            }
            Matcher::Label { key, value } => {
                label(&payload.details, key).is_some_and(|v| v == *value)
            }
        }
    }
}

/// A label's value from the places monitors put them: Alertmanager's `labels`, PagerDuty's
/// `custom_details`, or `custom_details.labels`.
fn label(details: &Value, key: &str) -> Option<String> {
    let paths: [&[&str]; 3] = [
        &["labels", key],
        &["custom_details", key],
        &["custom_details", "labels", key],
    ];
    paths.iter().find_map(|path| {
        let v = path.iter().try_fold(details, |v, k| v.get(k))?;
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    })
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Matcher::Host(h) => write!(f, "host {h}"),
            Matcher::Service(s) => write!(f, "service {s}"),
            Matcher::Label { key, value } => write!(f, "label {key}={value}"),
        }
    }
}

/// A maintenance window someone asks for: what it matches, for how long, why, and the room it
/// was asked for in (chat), where it is announced.
#[derive(Debug, Clone)]
pub struct WindowRequest<'a> {
    pub matcher: Matcher,
    pub duration: crate::domain::duration::HumanDuration,
    pub reason: Option<&'a str>,
    pub room: Option<&'a str>,
}

/// A maintenance window as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MaintenanceWindow {
    pub id: i64,
    #[serde(serialize_with = "as_db")]
    pub matcher: Matcher,
    pub reason: Option<String>,
    pub room: Option<String>,
    pub created_by: String,
    pub starts_at: DateTime<Utc>,
    /// When it ends (or ended, if someone ended it early).
    pub ends_at: DateTime<Utc>,
    pub ended_by: Option<String>,
    /// Triggers it silenced so far.
    pub suppressed: i64,
}

fn as_db<S: serde::Serializer>(m: &Matcher, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_db())
}

impl MaintenanceWindow {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

#[cfg(test)]
mod tests;
