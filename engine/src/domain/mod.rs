//! The domain: values and pure decisions, with no storage, no I/O and no wording for a platform.
//!
//! Everything above (config, store, the use cases, the `Engine`) imports from here; nothing here
//! imports from them (the layering test in `crate::layers` keeps it so).

pub mod alert;
pub mod clock;
pub mod duration;
pub mod email;
pub mod error;
pub mod escalation;
pub mod heartbeat;
pub mod ids;
pub mod incident;
pub mod ingest_plan;
pub mod kinds;
pub mod maintenance;
pub mod notification;
pub mod notification_rules;
pub mod page;
pub mod schedule;
pub mod webhook;
pub mod wording;
