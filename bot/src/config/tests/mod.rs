//! The whole file, composed: each edge's table with its adapter, the demo and the README's
//! examples, and the SMTP listener beside the engine's mail rules — what `firebell check` prints
//! for each mistake (file, line, key, and what would be valid), problems of every part in one
//! list in file order.

use firebell_engine::config::ConfigError;

use super::*;

mod compose;
mod demo;
mod discord;
mod email;
mod providers;
mod slack;

pub(super) const FILE: &str = "firebell.toml";

/// Shaped like the integration-test fixture: two services in one room, three users, one policy.
pub(super) const VALID: &str = include_str!("../../../../engine/src/config/tests/valid.toml");

/// Every on-call feature at once, and all three providers with secrets from the environment
/// ([`env`]).
pub(super) const ONCALL: &str = include_str!("../../../../engine/src/config/tests/oncall.toml");

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
    let mut errs = Loaded::parse(text, FILE, &env)
        .expect_err("config should have been rejected")
        .0;
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

pub(super) fn parse(text: &str) -> Result<Loaded, ConfigErrors> {
    Loaded::parse(text, FILE, &|_| None)
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

/// 1-based number of the first line of `text` containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
        + 1
}
