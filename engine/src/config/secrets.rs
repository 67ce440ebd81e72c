//! Secrets in the config: a value that is never printed, and the one way a table gives one —
//! a literal key or a key naming an environment variable. Shared by the engine's tables (API
//! tokens, heartbeats, webhooks) and the edges' (Twilio, Vonage, SMTP).

use std::fmt;
use std::ops::Range;

use toml::Spanned;

use super::Collector;

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

/// Looks up an environment variable holding a secret (`std::env::var` in production).
pub type LookupEnv<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where a secret may come from: a literal key or one naming an environment variable.
pub struct SecretField<'a> {
    /// The table's dotted key, e.g. `providers.twilio`.
    pub key: &'a str,
    /// The table, for "give exactly one of" errors.
    pub span: Range<usize>,
    pub literal: Option<&'a Spanned<String>>,
    pub env: Option<&'a Spanned<String>>,
    /// The two key names, e.g. (`auth_token`, `auth_token_env`).
    pub names: (&'a str, &'a str),
    /// Whether one of the two must be given (otherwise neither is fine, and gives `None`).
    pub required: bool,
}

/// The secret's value; `None` when it is missing (reported) or optional and not given.
pub fn secret(
    c: &mut Collector<'_>,
    f: SecretField<'_>,
    lookup_env: LookupEnv<'_>,
) -> Option<String> {
    let (lit, env) = f.names;
    match (f.literal, f.env) {
        (Some(value), None) => Some(value.get_ref().clone()),
        (None, Some(var)) => match lookup_env(var.get_ref()) {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                c.at(
                    var.span(),
                    format!("{}.{env}", f.key),
                    format!("environment variable `{}` is not set", var.get_ref()),
                );
                None
            }
        },
        (None, None) if !f.required => None,
        _ => {
            let quantity = if f.required { "exactly" } else { "at most" };
            c.at(
                f.span,
                f.key,
                format!("give {quantity} one of `{lit}` (literal) or `{env}` (environment variable name)"),
            );
            None
        }
    }
}
