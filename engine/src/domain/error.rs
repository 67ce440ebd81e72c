//! Two audiences for errors. A [`UserError`] is shown verbatim to whoever asked ("incident #42 is
//! already resolved"). Anything else is an [`EngineError::Internal`]: logged with its cause chain,
//! while the user sees only a short reference.

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
}

impl From<sqlx::migrate::MigrateError> for EngineError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Database(sqlx::Error::Migrate(Box::new(e)))
    }
}
