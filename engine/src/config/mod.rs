//! The validated configuration: the static setup of an installation (users, rooms, services,
//! escalation policies, API tokens), loaded from `firebell.toml` with secrets from the environment.
//!
//! Loading never stops at the first problem: [`Config::parse`] returns every error it found, each
//! with file, line, key and what would be valid, which is what `firebell check` prints.
//!
//! # Layout
//! - `raw`: serde structs mirroring the file, with spans.
//! - `validate`: raw → [`Config`], collecting [`ConfigError`]s.
//! - `schedules`: `[schedules.NAME]` → [`Schedule`](crate::schedule::Schedule) values.

mod raw;
mod schedules;
mod validate;

use std::collections::BTreeMap;
use std::fmt;

use chrono_tz::Tz;
use subtle::ConstantTimeEq;

use crate::ids::{RoutingKey, ServiceName, UserId};

pub use validate::ConfigErrors;

/// PagerDuty's default per-key event rate.
pub const DEFAULT_EVENTS_PER_MINUTE: u32 = 120;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was loaded from, for messages.
    pub source: String,
    pub console: ConsoleConfig,
    pub api_tokens: Vec<ApiToken>,
    pub rooms: BTreeMap<String, Room>,
    pub users: BTreeMap<UserId, User>,
    pub services: BTreeMap<ServiceName, Service>,
    pub escalation_policies: BTreeMap<String, EscalationPolicy>,
    /// On-call schedules, ready for [`crate::schedule::on_call_at`].
    pub schedules: BTreeMap<String, crate::schedule::Schedule>,
}

#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// The user the console room acts as; `None` when no `[console]` user is set.
    pub user: Option<UserId>,
}

#[derive(Clone)]
pub struct ApiToken {
    pub name: String,
    secret: String,
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Room {
    pub name: String,
    pub slack_channel: Option<String>,
    pub discord_channel: Option<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub timezone: Tz,
    pub slack_id: Option<String>,
    pub discord_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: ServiceName,
    pub description: String,
    pub integration_keys: Vec<RoutingKey>,
    pub room: String,
    pub escalation_policy: Option<String>,
    pub events_per_minute: u32,
}

/// Ordered levels, each notifying its targets and waiting `delay_minutes` before the next;
/// the whole policy runs `repeat + 1` times. Executed by the escalation engine (on-call issue).
#[derive(Debug, Clone)]
pub struct EscalationPolicy {
    pub name: String,
    pub levels: Vec<EscalationLevel>,
    pub repeat: u8,
}

#[derive(Debug, Clone)]
pub struct EscalationLevel {
    pub targets: Vec<UserId>,
    pub delay_minutes: u32,
}

/// Which chat platform a user id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatPlatform {
    Slack,
    Discord,
}

impl Config {
    /// Parses and validates `text`; `lookup_env` supplies secrets (`std::env::var` in production).
    pub fn parse(
        text: &str,
        source: &str,
        lookup_env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        validate::parse(text, source, lookup_env)
    }

    /// Reads and validates a file, with secrets from the process environment.
    pub fn load(path: &std::path::Path) -> Result<Config, ConfigErrors> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors::io(&source, &e))?;
        Self::parse(&text, &source, &|name| std::env::var(name).ok())
    }

    /// The service owning an integration key. Compares against every configured key in constant
    /// time and never stops early, so response timing says nothing about how close a guess was.
    pub fn service_for_key(&self, key: &str) -> Option<&Service> {
        let mut found = None;
        for service in self.services.values() {
            for k in &service.integration_keys {
                if bool::from(k.as_str().as_bytes().ct_eq(key.as_bytes())) {
                    found = Some(service);
                }
            }
        }
        found
    }

    /// The API token matching `presented`, compared in constant time against every token.
    pub fn authenticate(&self, presented: &str) -> Option<&ApiToken> {
        let mut found = None;
        for t in &self.api_tokens {
            if bool::from(t.secret.as_bytes().ct_eq(presented.as_bytes())) {
                found = Some(t);
            }
        }
        found
    }

    pub fn user_by_chat_id(&self, platform: ChatPlatform, id: &str) -> Option<&User> {
        self.users.values().find(|u| match platform {
            ChatPlatform::Slack => u.slack_id.as_deref() == Some(id),
            ChatPlatform::Discord => u.discord_id.as_deref() == Some(id),
        })
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.values().find(|u| u.id.as_str() == id)
    }

    /// Looks a service up by the name people type (`!trigger web …`).
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.values().find(|s| s.name.as_str() == name)
    }

    pub fn service_names(&self) -> Vec<&str> {
        self.services.keys().map(ServiceName::as_str).collect()
    }
}

#[cfg(test)]
mod tests;
