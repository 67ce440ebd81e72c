//! firebell's engine: the domain of incident management, with no HTTP or chat code.
//!
//! Alerts come in through [`Engine::ingest`] (group-committed, durable before the caller hears
//! back), open or deduplicate incidents, and queue notifications in a transactional outbox that
//! [`notify::run_outbox_worker`] delivers through a [`notify::Notifier`] an adapter provides.
//! People act on incidents through [`Engine::acknowledge`], [`Engine::resolve`] and
//! [`Engine::add_note`]; every change lands on the incident's timeline with actor and channel.
//! The timer worker ([`escalation::tick::run_timer_worker`]) pages people level by level until
//! someone acknowledges; every step is a row with a due time, claimed in the transaction that
//! acts on it.
//!
//! # Layout
//! - `clock`: injected time ([`SystemClock`], [`ManualClock`]).
//! - `ids`, `kinds`: parsed identifiers and closed enums.
//! - `config`: the validated `firebell.toml`.
//! - `alert`, `incident`: the values that flow through the engine.
//! - `ingest`: the group-commit queue.
//! - `engine`: the inbound API.
//! - `notify`: the outbound port and the outbox worker.
//! - `schedule`: who is on call, computed from layers and overrides (pure).
//! - `oncall`: who is on call now, and overrides (the `!oncall` / `!override` API).
//! - `escalation`: the paging ladder — pure decisions, notification rules and urgency, and the
//!   durable timer worker that runs levels, page steps, ack timeouts, auto-resolve, handoffs.
//! - `maintenance`: windows that silence matching triggers, and their notices.
//! - `email`: inbound mail — PagerDuty-style rules (pure), the event a mail becomes, the mail log.
//! - `heartbeats`: dead man's switches — jobs that must check in, and the incident when they miss.
//! - `postmortem`: blameless postmortem drafts written from an incident's timeline.
//! - `duration`: durations people type (`2h30m`).
//! - `store`: SQLite and PostgreSQL persistence behind one type.
//! - `replay`: replay protection for inbound requests (Twilio sids, Slack event ids).
//! - `retention`: what is forgotten and when (the mail log, expired replay ids).
//! - `webhooks`: outbound webhooks — which changes are events, and their PagerDuty-shaped bodies.
//! - `error`: user-facing vs internal errors.
//! - `wording`: people and spans of time as firebell writes them for readers.

pub mod chat;
pub mod config;
pub mod digest;
pub mod domain;
pub mod email;
pub mod engine;
pub mod escalation;
pub mod heartbeats;
mod ingest;
#[cfg(test)]
mod layers;
pub mod leader;
pub mod maintenance;
pub mod notify;
pub mod oncall;
pub mod postmortem;
pub mod replay;
pub mod reports;
mod retention;
pub mod store;

// Other crates name the domain modules from the crate root.
pub use domain::{alert, clock, duration, error, ids, incident, kinds, schedule, wording};

pub use alert::{AlertKind, Ingested, NewAlert, TriggerPayload};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use engine::{ChangeEvent, Engine};
pub use error::{EngineError, UserError};
pub use ids::{DedupKey, IncidentNumber, PhoneNumber, RoutingKey, ServiceName, UserId};
pub use incident::{Incident, IncidentFilter, TimelineEntry, TimelineKind};
pub use kinds::{Actor, Channel, ContactMethod, EventAction, IncidentStatus, Severity, Urgency};
pub use postmortem::Postmortem;
pub use store::{Store, WriteGate};
