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

include!("../../../../engine/src/config/tests/shared.rs");

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
