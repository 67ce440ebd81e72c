//! Config loading: what a valid file becomes, and for each mistake a user can make, the error
//! `firebell check` prints (file, line, key, and what would be valid). The edges' tables are
//! tested with their adapters, and the whole file (the demo, the README's example) in `bot`.

use super::ConfigError;
use super::*;

mod email;
mod lookups;
mod oncall;
mod oncall_errors;
mod references;
mod schedules;
mod secrets_and_reporting;

pub(super) const FILE: &str = "firebell.toml";
pub(super) const WEB_KEY: &str = "R0UT1NGKEY0000000000000000000000";
pub(super) const DB_KEY: &str = "DBKEY000000000000000000000000001";
pub(super) const TOKEN: &str = "test-token-0123456789abcdef";

/// Shaped like the integration-test fixture: two services in one room, three users, one policy.
pub(super) const VALID: &str = include_str!("valid.toml");

include!("shared.rs");

/// What `bot` tells the engine about `text`'s `[providers]` table (its telephony adapter reads
/// it), so these tests read a file with providers as `firebell check` does.
pub(super) fn edges_of(text: &str) -> Edges {
    let table = toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| t.get("providers")?.as_table().cloned())
        .unwrap_or_default();
    let has = |name: &str| table.contains_key(name);
    Edges {
        carriers: Carriers::of(has("twilio"), has("vonage"), has("smtp")),
        public_url: table
            .get("public_url")
            .and_then(|u| u.as_str())
            .map(|u| u.trim_end_matches('/').to_owned()),
    }
}

/// `text` parsed with secrets from `lookup_env`, told about its providers ([`edges_of`]).
pub(super) fn parse_env(text: &str, lookup_env: LookupEnv<'_>) -> Result<Config, ConfigErrors> {
    Config::parse_with(text, FILE, lookup_env, &edges_of(text))
}

/// The single error `text` produces with [`env`]'s secrets.
pub(super) fn only_oncall_error(text: &str) -> ConfigError {
    let mut errs = parse_env(text, &env)
        .expect_err("config should have been rejected")
        .0;
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

pub(super) fn parse(text: &str) -> Result<Config, ConfigErrors> {
    parse_env(text, &|_| None)
}

/// `VALID` with `from` replaced by `to` (fails if `from` is not in it, so a typo here cannot turn
/// a test into one that checks the valid file).
pub(super) fn valid_with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "`{from}` is not in the valid config");
    VALID.replacen(from, to, 1)
}
