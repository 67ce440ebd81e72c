//! Two audiences for errors. A [`UserError`] is shown verbatim to whoever asked ("incident #42 is
//! already resolved"). Anything else is an [`EngineError::Internal`]: logged with its cause chain,
//! while the user sees only a short [`Reference`] ([`log_internal`] does both, once).

use std::fmt;

/// A message meant for the person who asked: what was wrong and, where possible, what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(String);

impl UserError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The request cannot be done as asked; the message is for the user.
    #[error("{0}")]
    User(#[from] UserError),
    /// The thing asked about does not exist (maps to 404 over HTTP).
    #[error("{0}")]
    NotFound(String),
    /// The store failed; not the user's fault.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A group-committed batch failed; every event in it gets this (the cause is logged once).
    #[error("database error: {0}")]
    Batch(String),
    /// The engine is shutting down or its ingest queue is gone.
    #[error("firebell is shutting down")]
    Unavailable,
}

impl EngineError {
    pub fn user(msg: impl Into<String>) -> Self {
        Self::User(UserError::new(msg))
    }

    /// What the person who asked may read verbatim: a user error's message, or what was not
    /// found. `None` for internal failures, which are logged ([`log_internal`]) and shown only
    /// by their reference.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            Self::User(u) => Some(u.message()),
            Self::NotFound(m) => Some(m),
            _ => None,
        }
    }
}

impl From<sqlx::migrate::MigrateError> for EngineError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Database(sqlx::Error::Migrate(Box::new(e)))
    }
}

/// The errors behind `e`, starting with `e` itself: the one walk of a `source()` chain.
pub fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

/// `outer: inner: innermost` on one line, so a log line or a delivery failure names the root
/// cause. A cause whose text the line already holds (wrappers that repeat their source) is
/// left out.
pub fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    for cause in causes(e).skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// The short id a person quotes when something internal failed: four hex digits, different
/// from one error to the next. Enough to find the log line among those around the time they
/// report it, short enough to read out over the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(String);

impl Reference {
    fn new() -> Self {
        use std::hash::BuildHasher;
        let seed =
            std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now());
        Self(format!("{:04x}", seed & 0xffff))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Logs an internal failure once, with its whole cause chain and a fresh [`Reference`], and
/// returns the reference: the only part of the failure the person who asked gets to see.
/// `what` says what failed ("chat command failed").
pub fn log_internal(e: &(dyn std::error::Error + 'static), what: &str) -> Reference {
    let reference = Reference::new();
    tracing::error!(%reference, error = %cause_chain(e), "{what}");
    reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(&'static str, Option<std::io::Error>);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn the_cause_chain_names_every_cause_once() {
        let e = Wrapper("database error", Some(std::io::Error::other("disk full")));
        assert_eq!(cause_chain(&e), "database error: disk full");
        let e = Wrapper(
            "error sending request: connection refused",
            Some(std::io::Error::other("connection refused")),
        );
        assert_eq!(cause_chain(&e), "error sending request: connection refused");
        assert_eq!(causes(&e).count(), 2);
    }

    #[test]
    fn a_reference_is_four_hex_digits() {
        let e = Wrapper("database error", None);
        let reference = log_internal(&e, "test failure");
        assert_eq!(reference.as_str().len(), 4);
        assert!(reference.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    }
}
