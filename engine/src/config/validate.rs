//! Raw file → [`Config`]: checks every reference, key format, time zone and secret, and collects
//! all problems with their locations instead of stopping at the first.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use super::providers::{SecretField, secret};
use super::raw::RawConfig;
use super::*;

/// One problem in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the problem has no single place (e.g. the file could not be read).
    pub line: usize,
    pub column: usize,
    /// Dotted path of the key, e.g. `services.web.room`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (0, true) => write!(f, "{}: {}", self.file, self.message),
            (0, false) => write!(f, "{}: {}: {}", self.file, self.key, self.message),
            (_, true) => write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            ),
            (_, false) => write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.key, self.message
            ),
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub(super) fn io(file: &str, e: &std::io::Error) -> Self {
        Self(vec![ConfigError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read the config file: {e}"),
        }])
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

pub(super) struct Collector<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Collector<'_> {
    pub(super) fn at(
        &mut self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ConfigError {
            file: self.file.to_owned(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        });
    }
}

/// 1-based line and column of a byte offset; (0, 0) for an empty span at 0 (a defaulted value).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    if offset == 0 {
        return (1, 1);
    }
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

/// The dotted key on the line holding `offset`: the nearest `[table]` header above it joined with
/// the `key =` on that line (serde's errors carry a span but no key path).
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    match (header, key) {
        (Some(h), Some(k)) => format!("{h}.{k}"),
        (None, Some(k)) => k.to_owned(),
        (Some(h), None) => h,
        (None, None) => String::new(),
    }
}

/// Whether a table name can go into dedup keys, headers and ids as it is: 1 to `max` letters,
/// digits, `-`, `_` or `.`.
pub(super) fn is_plain_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The service `typed` names; `None` after reporting at its line that there is no such service,
/// with the ones there are.
pub(super) fn known_service(
    c: &mut Collector<'_>,
    typed: &toml::Spanned<String>,
    key: String,
    services: &BTreeMap<ServiceName, Service>,
) -> Option<ServiceName> {
    let name = ServiceName::new(typed.get_ref().clone());
    if services.contains_key(&name) {
        return Some(name);
    }
    c.at(
        typed.span(),
        key,
        format!(
            "unknown service `{}` — defined services: {}",
            typed.get_ref(),
            names(
                services
                    .keys()
                    .map(ServiceName::as_str)
                    .collect::<Vec<_>>()
                    .iter()
            )
        ),
    );
    None
}

pub(super) fn names<'k, K: AsRef<str> + 'k>(keys: impl Iterator<Item = &'k K>) -> String {
    let v: Vec<&str> = keys.map(|k| k.as_ref()).collect();
    if v.is_empty() {
        "none are defined".to_owned()
    } else {
        v.join(", ")
    }
}

pub(super) fn parse(
    text: &str,
    file: &str,
    lookup_env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigErrors> {
    let mut c = Collector {
        text,
        file,
        errors: Vec::new(),
    };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let key = key_at(text, span.start);
            c.at(span, key, e.message().to_owned());
            return Err(ConfigErrors(c.errors));
        }
    };

    let rooms = rooms(&raw);

    let providers = super::providers::validate(&mut c, &raw.providers, lookup_env);
    let slack = super::slack::validate(&mut c, raw.slack.as_ref(), lookup_env);
    let discord = super::discord::validate(&mut c, raw.discord.as_ref(), lookup_env);
    let users = super::users::validate(&mut c, &raw.users, &raw.providers);
    let schedules = super::schedules::validate(&mut c, &raw.schedules, &users);
    let schedule_names: Vec<&String> = raw.schedules.keys().collect();
    let policies =
        super::policies::validate(&mut c, &raw.escalation_policies, &users, &schedule_names);
    let services = super::services::validate(&mut c, &raw.services, &rooms, &policies);
    let reports = super::reports::validate(&mut c, &raw.reports, &rooms, &services);
    let heartbeats = super::heartbeats::validate(&mut c, &raw.heartbeats, &services, lookup_env);
    let webhooks = super::webhooks::validate(&mut c, &raw.webhooks, &services, lookup_env);
    let email = super::email::validate(&mut c, raw.email.as_ref(), &raw.services);

    let console_user = console_user(&mut c, &raw, &users);
    let api_tokens = api_tokens(&mut c, &raw, lookup_env);

    if c.errors.is_empty() {
        Ok(Config {
            source: file.to_owned(),
            console: ConsoleConfig { user: console_user },
            api_tokens,
            rooms,
            users,
            services,
            escalation_policies: policies,
            schedules,
            providers,
            slack,
            discord,
            reports,
            heartbeats,
            webhooks,
            email,
        })
    } else {
        c.errors.sort_by_key(|e| (e.line, e.column));
        Err(ConfigErrors(c.errors))
    }
}

/// `[rooms.NAME]`: each room's channel per chat platform.
fn rooms(raw: &RawConfig) -> BTreeMap<String, Room> {
    raw.rooms
        .iter()
        .map(|(name, r)| {
            let r = r.get_ref();
            let channels = [
                (ChatPlatform::Slack, r.slack.clone()),
                (ChatPlatform::Discord, r.discord.clone()),
            ];
            (name.clone(), Room::new(name.clone(), channels))
        })
        .collect()
}

/// `[console] user`: who the console acts as, if anyone.
fn console_user(
    c: &mut Collector<'_>,
    raw: &RawConfig,
    users: &BTreeMap<UserId, User>,
) -> Option<UserId> {
    raw.console.user.as_ref().and_then(|u| {
        if users.contains_key(&UserId::new(u.get_ref().clone())) {
            Some(UserId::new(u.get_ref().clone()))
        } else {
            c.at(
                u.span(),
                "console.user",
                format!(
                    "unknown user `{}` — defined users: {}",
                    u.get_ref(),
                    names(users.keys())
                ),
            );
            None
        }
    })
}

/// `[[api.tokens]]`: each token from the file or the environment, at least 16 characters.
fn api_tokens(
    c: &mut Collector<'_>,
    raw: &RawConfig,
    lookup_env: &dyn Fn(&str) -> Option<String>,
) -> Vec<ApiToken> {
    let mut api_tokens = Vec::new();
    for (i, t) in raw.api.tokens.iter().enumerate() {
        let key = format!("api.tokens[{i}]");
        let raw_t = t.get_ref();
        let secret = secret(
            c,
            SecretField {
                key: &key,
                span: t.span(),
                literal: raw_t.token.as_ref(),
                env: raw_t.token_env.as_ref(),
                names: ("token", "token_env"),
                required: true,
            },
            lookup_env,
        );
        if let Some(secret) = secret {
            if secret.len() < 16 {
                c.at(
                    t.span(),
                    key,
                    "API tokens must be at least 16 characters long",
                );
            } else {
                api_tokens.push(ApiToken {
                    name: raw_t.name.clone(),
                    secret,
                });
            }
        }
    }
    api_tokens
}

#[cfg(test)]
mod line_tests {
    use super::line_col;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }
}
