//! Escalation, the use cases the timer worker ([`crate::timer`]) runs — start due levels and fire
//! due page steps (`due`, one incident's step in `ladder`), and the sweeps (ack timeout,
//! auto-resolve, handoffs, maintenance notices) — and the engine calls behind `!escalate` and
//! provider status callbacks (`api`). What to do next is decided in
//! [`crate::domain::escalation`]; this module loads, asks, and writes in one transaction.

pub(crate) mod api;
mod due;
mod ladder;
mod sweeps;

pub use api::{Escalation, PageStatus, Resend};
pub(crate) use due::escalate_due;
pub(crate) use sweeps::run as sweep;
