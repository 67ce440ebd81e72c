//! Config loading: what a valid file becomes, and for each mistake a user can make, the error
//! `firebell check` prints (file, line, key, and what would be valid).

use super::validate::ConfigError;
use super::*;

mod lookups;
mod references;
mod schedules;
mod secrets_and_reporting;

pub(super) const FILE: &str = "firebell.toml";
pub(super) const WEB_KEY: &str = "R0UT1NGKEY0000000000000000000000";
pub(super) const DB_KEY: &str = "DBKEY000000000000000000000000001";
pub(super) const TOKEN: &str = "test-token-0123456789abcdef";

/// Shaped like the integration-test fixture: two services in one room, three users, one policy.
pub(super) const VALID: &str = r#"
[console]
user = "alice"

[api]
tokens = [{ name = "ci", token = "test-token-0123456789abcdef" }]

[rooms.ops]
slack = "C0OPS"
discord = "100000000000000001"

[rooms.dba]
slack = "C0DBA"

[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
slack = "U0ALICE"
discord = "200000000000000001"

[users.bob]
name = "Bob Brown"
timezone = "America/New_York"
slack = "U0BOB"

[users.carol]
name = "Carol Chen"

[escalation_policies.default]
levels = [{ targets = ["alice"], delay_minutes = 15 }, { targets = ["bob", "carol"], delay_minutes = 15 }]
repeat = 1

[services.web]
description = "Public website"
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "default"
events_per_minute = 100000

[services.db]
description = "Primary database"
integration_keys = ["DBKEY000000000000000000000000001"]
room = "dba"
"#;

pub(super) fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, FILE, &|_| None)
}

pub(super) fn errors(text: &str) -> Vec<ConfigError> {
    parse(text).expect_err("config should have been rejected").0
}

/// The single error `text` produces (fails if there are none or several).
pub(super) fn only_error(text: &str) -> ConfigError {
    let mut errs = errors(text);
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

/// `VALID` with `from` replaced by `to` (fails if `from` is not in it, so a typo here cannot turn
/// a test into one that checks the valid file).
pub(super) fn valid_with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "`{from}` is not in the valid config");
    VALID.replacen(from, to, 1)
}

/// 1-based number of the first line of `text` containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
        + 1
}
