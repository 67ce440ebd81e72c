//! The validated configuration: the static setup of an installation (users, rooms, services,
//! escalation policies, API tokens), loaded from `firebell.toml` with secrets from the environment.
//!
//! Loading never stops at the first problem: [`Config::parse`] returns every error it found, each
//! with file, line, key and what would be valid, which is what `firebell check` prints.
//!
//! The edges' tables (`[slack]`, `[discord]`, `[providers.*]`, the SMTP listener's part of
//! `[email]`) are their adapters' to define and check; they report through the same
//! [`Collector`], and `bot` composes everything, passing in the [`Edges`] facts the engine's own
//! checks need (which contact methods have a carrier, the public URL).
//!
//! # Layout
//! - `errors`: [`ConfigError`]s and the [`Collector`] every part reports through, with positions.
//! - `secrets`: [`Secret`] and the literal-or-environment-variable rule for secret keys.
//! - `edges`: the facts about the edges' tables the engine is told ([`Edges`], [`Carriers`]).
//! - `raw`: serde structs mirroring the engine's tables, with spans.
//! - `validate`: raw → [`Config`], collecting [`ConfigError`]s.
//! - `schedules`: `[schedules.NAME]` → [`Schedule`](crate::domain::schedule::Schedule) values.
//! - `users`: contact details and notification ladders, checked against the carriers.
//! - `policies`: escalation levels and their targets (users or schedules).
//! - `services`: keys, rooms, urgency, support hours, ack timeout, auto-resolve.
//! - `heartbeats`: `[heartbeats.NAME]` dead man's switches and their check-in keys.
//! - `webhooks`: `[webhooks.NAME]` outbound webhook subscriptions and their signing secrets.
//! - `email`, `email_rules`: `[email] log_retention` and each service's mail address, filter and
//!   parsing rules.

mod edges;
mod email;
mod email_rules;
mod errors;
mod heartbeats;
mod policies;
mod raw;
mod reports;
mod schedules;
mod secrets;
mod services;
mod users;
mod validate;
mod webhooks;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono_tz::Tz;
use subtle::ConstantTimeEq;

use crate::domain::ids::{PhoneNumber, RoutingKey, ServiceName, UserId};
use crate::domain::kinds::ChatPlatform;
use crate::domain::notification_rules::{NotificationRules, SupportHours, UrgencyRule};

pub use edges::{Carriers, Edges};
pub use email::{EmailConfig, ServiceEmail};
pub use errors::{Collector, ConfigError, ConfigErrors};
pub use heartbeats::{Heartbeat, default_grace};
pub use secrets::{LookupEnv, Secret, SecretField, secret};
pub use users::is_email;
pub use webhooks::{DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT, Webhook};

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
    /// On-call schedules, ready for [`crate::domain::schedule::on_call_at`].
    pub schedules: BTreeMap<String, crate::domain::schedule::Schedule>,
    /// `[providers] public_url` (told by the composer, [`Edges`]): the base of the API links
    /// firebell hands out, such as an incident's in webhook payloads.
    pub public_url: Option<String>,
    /// Report digests posted to rooms on a schedule.
    pub reports: Vec<DigestSchedule>,
    /// Dead man's switches: jobs that must check in, by name.
    pub heartbeats: BTreeMap<String, Heartbeat>,
    /// Outbound webhook subscriptions, by name.
    pub webhooks: BTreeMap<String, Webhook>,
    /// Inbound email: every service's address and rules, and how long the mail log is kept.
    pub email: EmailConfig,
}

/// A report digest: on every occurrence of `expression` (cron, in `timezone`), the summary of
/// `period` is posted to `room`.
#[derive(Debug, Clone)]
pub struct DigestSchedule {
    pub name: String,
    /// Cron with seconds first, checked at load.
    pub expression: String,
    pub timezone: Tz,
    pub room: String,
    /// `week`, `last-week`, `month` or `<N>d`.
    pub period: String,
    pub service: Option<ServiceName>,
}

impl DigestSchedule {
    pub fn schedule(&self) -> cron::Schedule {
        use std::str::FromStr;
        cron::Schedule::from_str(&self.expression).expect("checked when the config was loaded")
    }
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

/// A room: where an incident's posts go, as one channel id per chat platform that has one.
#[derive(Debug, Clone)]
pub struct Room {
    pub name: String,
    channels: HashMap<ChatPlatform, String>,
}

impl Room {
    /// The room's channel on `platform`, if it has one there (the console has no channels: it
    /// shows every room).
    pub fn channel(&self, platform: ChatPlatform) -> Option<&str> {
        self.channels.get(&platform).map(String::as_str)
    }

    /// A room named `name` with the given channels (platforms without one are left out).
    pub fn new(
        name: impl Into<String>,
        channels: impl IntoIterator<Item = (ChatPlatform, Option<String>)>,
    ) -> Room {
        Room {
            name: name.into(),
            channels: channels
                .into_iter()
                .filter_map(|(p, c)| Some((p, c?)))
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub timezone: Tz,
    pub slack_id: Option<String>,
    pub discord_id: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    /// The chat-first ladder per urgency ([`NotificationRules::defaults`] unless configured).
    pub rules: NotificationRules,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: ServiceName,
    pub description: String,
    pub integration_keys: Vec<RoutingKey>,
    pub room: String,
    pub escalation_policy: Option<String>,
    pub events_per_minute: u32,
    pub urgency: UrgencyRule,
    /// Needed by `UrgencyRule::SupportHours`; also when low-urgency phone pages may ring.
    pub support_hours: Option<SupportHours>,
    /// An acknowledged incident still open after this re-triggers (high urgency only);
    /// `None` = off. Default 30 minutes.
    pub ack_timeout: Option<chrono::Duration>,
    /// An open incident with no new alert for this long resolves itself; `None` (default) = off.
    pub auto_resolve: Option<chrono::Duration>,
}

/// PagerDuty's default acknowledgement timeout.
pub const DEFAULT_ACK_TIMEOUT_MINUTES: i64 = 30;

/// Ordered levels, each notifying its targets and waiting `delay_minutes` before the next;
/// the whole policy runs `repeat + 1` times.
#[derive(Debug, Clone)]
pub struct EscalationPolicy {
    pub name: String,
    pub levels: Vec<EscalationLevel>,
    pub repeat: u8,
}

#[derive(Debug, Clone)]
pub struct EscalationLevel {
    pub targets: Vec<Target>,
    pub delay_minutes: u32,
}

/// Who a level pages: a person, or whoever a schedule has on call at that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    User(UserId),
    Schedule(String),
}

impl Config {
    /// Parses and validates the engine's tables in `text` alone, as if no edge were configured
    /// (a user whose ladder needs SMS, voice or email is then an error); `lookup_env` supplies
    /// secrets (`std::env::var` in production). `bot` composes the whole file.
    pub fn parse(
        text: &str,
        source: &str,
        lookup_env: LookupEnv<'_>,
    ) -> Result<Config, ConfigErrors> {
        Self::parse_with(text, source, lookup_env, &Edges::default())
    }

    /// [`Config::parse`], told what the edges' tables provide.
    pub fn parse_with(
        text: &str,
        source: &str,
        lookup_env: LookupEnv<'_>,
        edges: &Edges,
    ) -> Result<Config, ConfigErrors> {
        let mut c = Collector::new(text, source);
        let config = Self::collect(&mut c, source, lookup_env, edges);
        c.finish()?;
        Ok(config.expect("a file that reads has a config"))
    }

    /// Reads and validates the engine's tables, reporting into `c` (shared with the edges);
    /// `None` when the file does not have the right shape (reported). The config is only
    /// meaningful if `c` finishes without problems.
    pub fn collect(
        c: &mut Collector<'_>,
        source: &str,
        lookup_env: LookupEnv<'_>,
        edges: &Edges,
    ) -> Option<Config> {
        validate::collect(c, source, lookup_env, edges)
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

    /// The room whose channel on `platform` is `channel`.
    pub fn room_by_channel(&self, platform: ChatPlatform, channel: &str) -> Option<&Room> {
        self.rooms
            .values()
            .find(|r| r.channel(platform) == Some(channel))
    }

    pub fn user_by_chat_id(&self, platform: ChatPlatform, id: &str) -> Option<&User> {
        self.users.values().find(|u| match platform {
            ChatPlatform::Slack => u.slack_id.as_deref() == Some(id),
            ChatPlatform::Discord => u.discord_id.as_deref() == Some(id),
            ChatPlatform::Console => false,
        })
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.values().find(|u| u.id.as_str() == id)
    }

    /// Looks a service up by the name people type (`!trigger web …`).
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.values().find(|s| s.name.as_str() == name)
    }

    /// The user owning a phone number (inbound SMS and calls say who they are by `From`).
    pub fn user_by_phone(&self, phone: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.phone.as_ref().is_some_and(|p| p.as_str() == phone))
    }

    /// The rooms told about a schedule's handoffs: those of every service whose escalation
    /// policy pages the schedule, each once.
    pub fn schedule_rooms(&self, schedule: &str) -> Vec<String> {
        let mut rooms: Vec<String> = self
            .services_paging(schedule)
            .into_iter()
            .map(|s| s.room.clone())
            .collect();
        rooms.sort();
        rooms.dedup();
        rooms
    }

    /// Services whose escalation policy pages `schedule`.
    pub fn services_paging(&self, schedule: &str) -> Vec<&Service> {
        let target = Target::Schedule(schedule.to_owned());
        self.services
            .values()
            .filter(|s| {
                s.escalation_policy
                    .as_ref()
                    .and_then(|p| self.escalation_policies.get(p))
                    .is_some_and(|p| p.levels.iter().any(|l| l.targets.contains(&target)))
            })
            .collect()
    }

    pub fn service_names(&self) -> Vec<&str> {
        self.services.keys().map(ServiceName::as_str).collect()
    }
}

#[cfg(test)]
mod tests;
