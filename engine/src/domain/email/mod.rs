//! Inbound email as values and pure decisions: the decoded mail, PagerDuty-style rules over it,
//! and the event a decision becomes. Receiving, ingesting and logging mail are the use case
//! (`crate::email`).
//!
//! # Layout
//! - `mail`: a decoded mail and the parts rules look at.
//! - `predicate`: `contains`, `exactly`, `regex`, `not`; all-of / any-of conditions.
//! - `extract`: the incident key and extra fields, by regex or `between`.
//! - `subject`: the built-in behaviour — one incident per subject, recovery subjects resolve.
//! - `rules`: a service's rules and [`rules::decide`].
//! - `event`: a decision → the [`NewAlert`](crate::domain::alert::NewAlert) the engine ingests.

pub mod event;
pub mod extract;
pub mod mail;
pub mod predicate;
pub mod rules;
pub mod subject;

pub use mail::{Mail, Part};
pub use rules::{DecidedBy, Decision, Discard, EmailRules};
