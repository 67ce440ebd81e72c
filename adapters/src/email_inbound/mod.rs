//! Inbound email: the SMTP listener and the MIME parsing shared with
//! `POST /integrations/email/{key}` (in [`crate::http`]). The rules, the event a mail becomes and
//! the mail log are the engine's ([`firebell_engine::email`]); this module only speaks SMTP and
//! decodes messages. (Outbound email pages are [`crate::email`].)
//!
//! # Layout
//! - `config`: `[email]`'s listener keys → [`EmailListener`].
//! - `parse`: raw RFC 5322 bytes → the decoded [`firebell_engine::email::Mail`].
//! - `smtp`: the listener, one session per connection, STARTTLS.

pub mod config;
pub mod parse;
mod smtp;

pub use config::EmailListener;
pub use smtp::SmtpListener;
