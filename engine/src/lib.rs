//! firebell's engine: the domain of incident management, with no HTTP or chat code.
//!
//! Alerts come in through [`Engine::ingest`](crate::Engine::ingest) (group-committed, durable before the caller hears
//! back), open or deduplicate incidents, and queue notifications in a transactional outbox that
//! [`Engine::run_outbox_worker`](crate::Engine::run_outbox_worker) delivers through a [`notify::Notifier`] an adapter provides.
//! People act on incidents through [`Engine::acknowledge`](crate::Engine::acknowledge), [`Engine::resolve`](crate::Engine::resolve) and
//! [`Engine::add_note`](crate::Engine::add_note); every change lands on the incident's timeline with actor and channel.
//! The timer worker ([`Engine::run_timer_worker`](crate::Engine::run_timer_worker)) pages people level by level until
//! someone acknowledges; every step is a row with a due time, claimed in the transaction that
//! acts on it.
//!
//! # Layout, in layers
//! Each layer imports only from itself and the layers below; `layers.rs` (a test) keeps it so.
//! - **domain** (`domain`): values and pure decisions — ids, kinds, [`clock::Timestamp`] and the
//!   injected clock, alerts, incidents, notifications, the ingest plan, `next_step`, notification
//!   rules, schedules (`on_call_at`), maintenance matching, heartbeat deadlines, email rules,
//!   webhook bodies, wording, user-facing vs internal errors. With it, `config`: the validated
//!   engine tables of `firebell.toml` (each adapter owns and checks its own table; `bot` composes
//!   them behind one error collector).
//! - **store** (`store`): SQLite and PostgreSQL rows in and out behind one type, the outbox, the
//!   SQLite write gate, the nudges that wake workers after a commit.
//! - **ingest** (`ingest`): the group-commit queues and their writers.
//! - **ctx** (`ctx`): [`ctx::Ctx`], what every use case works in — the store, the clock, the
//!   config, the ingest queues and the nudges that wake the workers.
//! - **use cases**, free functions over the `Ctx`, one module per area: `actions` (acknowledge,
//!   resolve, notes, reading incidents), `records` (change events, the alert log, stats),
//!   `deliveries`, `timer` (the worker that runs whatever is due), `escalation` (levels, page
//!   steps, the sweeps, `!escalate`), `maintenance`, `heartbeats`, `email` (inbound mail and its
//!   log), `oncall` (`!oncall` / `!override`), `postmortem`, `reports`, `digest`, `replay` (replay
//!   protection for inbound requests), `retention`, `search` (PagerDuty-shaped reads), `notify` (the outbound port and the outbox
//!   worker), `leader`, `chat` (chat cards and storm bundles).
//! - **facade** (`engine`): [`Engine`], the inbound port — every verb is one call into its use
//!   case.

mod actions;
pub mod chat;
pub mod config;
pub mod ctx;
mod deliveries;
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
mod records;
pub mod replay;
pub mod reports;
mod retention;
mod search;
pub mod store;
pub mod timer;

// Other crates name the domain modules from the crate root.
pub use domain::{alert, clock, duration, error, ids, incident, kinds, page, schedule, wording};

pub use alert::{AlertKind, Ingested, NewAlert, TriggerPayload};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use engine::{ChangeEvent, Engine};
pub use error::{EngineError, UserError};
pub use ids::{DedupKey, IncidentNumber, PhoneNumber, RoutingKey, ServiceName, UserId};
pub use incident::{
    Incident, IncidentFilter, IncidentOrder, IncidentPage, IncidentSearch, NumberedEntry,
    TimelineEntry, TimelineKind,
};
pub use kinds::{
    Actor, Channel, ChatPlatform, ContactMethod, EventAction, IncidentStatus, Severity, Urgency,
};
pub use page::Page;
pub use postmortem::Postmortem;
pub use store::search::IncidentAlert;
pub use store::{Store, WriteGate};
