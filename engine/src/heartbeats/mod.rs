//! Heartbeats, the use cases: check-ins and failures reported over HTTP (`api`) and the timer's
//! sweep that opens an incident when one is missed (`sweep`). The deadline math is domain
//! ([`crate::domain::heartbeat`]).

pub(crate) mod api;
mod sweep;

pub use crate::domain::heartbeat::{Health, Watch};
pub use api::{CheckIn, HeartbeatView, MAX_OUTPUT_CHARS};
pub(crate) use sweep::{next_due, sweep};
