//! Config loading: what a valid file becomes, and for each mistake a user can make, the error
//! `firebell check` prints (file, line, key, and what would be valid).

use super::validate::ConfigError;
use super::*;

mod demo;
mod discord;
mod email;
mod lookups;
mod oncall;
mod oncall_errors;
mod providers;
mod references;
mod schedules;
mod secrets_and_reporting;
mod slack;

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

/// Every on-call feature at once: contacts and ladders, two schedules, a policy paging them,
/// urgency and timeouts, and all three providers with secrets from the environment ([`env`]).
pub(super) const ONCALL: &str = r#"
[providers]
public_url = "https://firebell.example.com/"

[providers.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_env = "FIREBELL_TWILIO_AUTH_TOKEN"
from = "+15005550006"

[providers.vonage]
api_key = "abcd1234"
api_secret_env = "FIREBELL_VONAGE_API_SECRET"
from = "firebell"

[providers.smtp]
host = "smtp.example.com"
username = "pager"
password_env = "FIREBELL_SMTP_PASSWORD"
from = "firebell <pager@example.com>"

[rooms.ops]
slack = "C0OPS"

[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
phone = "+14155550101"
email = "alice@example.com"
notify.high = { voice = 5, chat = 0, email = 2, sms = 2 }
notify.low = { email = 0, chat = 0 }

[users.bob]
name = "Bob Brown"
phone = "+14155550102"

[users.carol]
name = "Carol Chen"
email = "carol@example.com"

[schedules.primary]
timezone = "Europe/Berlin"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-03-02T09:00"

[schedules.secondary]
timezone = "UTC"
[[schedules.secondary.layers]]
users = ["carol"]
rotation = "1w"
start = "2026-03-02T09:00"

[escalation_policies.default]
levels = [
  { targets = ["schedule:primary"], delay_minutes = 15 },
  { targets = ["bob", "secondary"], delay_minutes = 15 },
  { targets = ["user:carol"] },
]
repeat = 1

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "default"
urgency = "support-hours"
support_hours = { timezone = "Europe/Berlin", days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "17:00" }
ack_timeout = "1h"
auto_resolve = "4h"

[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
urgency = "by-severity"
ack_timeout = "off"
"#;

/// The provider secrets [`ONCALL`] reads from the environment.
pub(super) fn env(name: &str) -> Option<String> {
    let value = match name {
        "FIREBELL_TWILIO_AUTH_TOKEN" => "twilio-auth-token",
        "FIREBELL_VONAGE_API_SECRET" => "vonage-api-secret",
        "FIREBELL_SMTP_PASSWORD" => "smtp-password",
        _ => return None,
    };
    Some(value.to_owned())
}

/// `ONCALL` with `from` replaced by `to` (fails if `from` is not in it).
pub(super) fn oncall_with(from: &str, to: &str) -> String {
    assert!(
        ONCALL.contains(from),
        "`{from}` is not in the on-call config"
    );
    ONCALL.replacen(from, to, 1)
}

/// The single error `text` produces with [`env`]'s secrets.
pub(super) fn only_oncall_error(text: &str) -> ConfigError {
    let mut errs = Config::parse(text, FILE, &env)
        .expect_err("config should have been rejected")
        .0;
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

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
