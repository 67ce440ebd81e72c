//! Escalation, the use cases: the durable timer worker (`tick`: level starts, page steps), its
//! sweeps (ack timeout, auto-resolve, handoffs, maintenance notices), and the engine calls behind
//! `!page` and the pages list (`api`). What to do next is decided in
//! [`crate::domain::escalation`]; this module loads, asks, and writes in one transaction.

mod api;
mod ladder;
mod sweeps;
pub mod tick;

pub use api::{Escalation, PageStatus, Resend};
