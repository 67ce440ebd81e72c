//! The validated configuration: the static setup of an installation (users, rooms, services,
//! escalation policies, API tokens), loaded from `firebell.toml` with secrets from the environment.
//!
//! Loading never stops at the first problem: [`Config::parse`] returns every error it found, each
//! with file, line, key and what would be valid, which is what `firebell check` prints.
//!
//! # Layout
//! - `raw`: serde structs mirroring the file, with spans.
//! - `validate`: raw → [`Config`], collecting [`ConfigError`]s.
//! - `schedules`: `[schedules.NAME]` → [`Schedule`](crate::domain::schedule::Schedule) values.
//! - `users`: contact details and notification ladders, checked against the providers.
//! - `policies`: escalation levels and their targets (users or schedules).
//! - `services`: keys, rooms, urgency, support hours, ack timeout, auto-resolve.
//! - `edges`: the validated tables the chat and telephony adapters read (`[slack]`, `[discord]`,
//!   `[providers.*]`); the engine itself never looks inside them.
//! - `providers`: Twilio, Vonage, SMTP and the public URL; secrets from the environment.
//! - `slack`: `[slack]` and the Slack tokens from the environment.
//! - `heartbeats`: `[heartbeats.NAME]` dead man's switches and their check-in keys.
//! - `webhooks`: `[webhooks.NAME]` outbound webhook subscriptions and their signing secrets.
//! - `email`, `email_rules`: `[email]` (the SMTP listener) and each service's mail address,
//!   filter and parsing rules.

pub mod discord;
mod edges;
mod email;
mod email_listener;
mod email_rules;
mod heartbeats;
mod policies;
mod providers;
mod raw;
mod reports;
mod schedules;
mod services;
pub mod slack;
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

pub use edges::{Discord, Providers, Slack, SlackMode, Smtp, SmtpTls, Twilio, Vonage};
pub use email::{EmailConfig, ServiceEmail};
pub use email_listener::{EmailListener, TlsFiles};
pub use heartbeats::{Heartbeat, default_grace};
pub use validate::ConfigErrors;
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
    /// SMS, voice and email providers, and the public URL their webhooks call back.
    pub providers: Providers,
    /// `None` unless `FIREBELL_SLACK_BOT_TOKEN` is set.
    pub slack: Option<Slack>,
    /// `None` unless `FIREBELL_DISCORD_TOKEN` is set.
    pub discord: Option<Discord>,
    /// Report digests posted to rooms on a schedule.
    pub reports: Vec<DigestSchedule>,
    /// Dead man's switches: jobs that must check in, by name.
    pub heartbeats: BTreeMap<String, Heartbeat>,
    /// Outbound webhook subscriptions, by name.
    pub webhooks: BTreeMap<String, Webhook>,
    /// Inbound email: the SMTP listener and every service's address and rules.
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

/// A secret from the file or the environment; never printed by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

macro_rules! debug_without_secrets {
    ($t:ty, $($field:ident),+) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t))$(.field(stringify!($field), &self.$field))+.finish_non_exhaustive()
            }
        }
    };
}
debug_without_secrets!(Twilio, account_sid, from, api_url);
debug_without_secrets!(Vonage, api_key, from, api_url);
debug_without_secrets!(Smtp, host, port, tls, username, from);
debug_without_secrets!(Slack, mode, api_url, storm_after, storm_window);
debug_without_secrets!(Discord, public_key, api_url, storm_after, storm_window);

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
