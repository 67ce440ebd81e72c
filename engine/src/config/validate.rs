//! Raw file → [`Config`]: checks every reference, key format, time zone and secret, and collects
//! all problems with their locations instead of stopping at the first.

use std::collections::BTreeMap;

use super::raw::RawConfig;
use super::*;

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

pub(super) fn collect(
    c: &mut Collector<'_>,
    file: &str,
    lookup_env: LookupEnv<'_>,
    edges: &Edges,
) -> Option<Config> {
    let raw: RawConfig = c.read()?;
    let rooms = rooms(&raw);
    let users = super::users::validate(c, &raw.users, &edges.carriers);
    let schedules = super::schedules::validate(c, &raw.schedules, &users);
    let schedule_names: Vec<&String> = raw.schedules.keys().collect();
    let policies = super::policies::validate(c, &raw.escalation_policies, &users, &schedule_names);
    let services = super::services::validate(c, &raw.services, &rooms, &policies);
    let reports = super::reports::validate(c, &raw.reports, &rooms, &services);
    let heartbeats = super::heartbeats::validate(c, &raw.heartbeats, &services, lookup_env);
    let webhooks = super::webhooks::validate(c, &raw.webhooks, &services, lookup_env);
    let email = super::email::validate(c, raw.email.as_ref(), &raw.services);

    let console_user = console_user(c, &raw, &users);
    let api_tokens = api_tokens(c, &raw, lookup_env);

    Some(Config {
        source: file.to_owned(),
        console: ConsoleConfig { user: console_user },
        api_tokens,
        rooms,
        users,
        services,
        escalation_policies: policies,
        schedules,
        public_url: edges.public_url.clone(),
        reports,
        heartbeats,
        webhooks,
        email,
    })
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
fn api_tokens(c: &mut Collector<'_>, raw: &RawConfig, lookup_env: LookupEnv<'_>) -> Vec<ApiToken> {
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
