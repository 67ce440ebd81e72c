//! Maintenance windows, the use cases: open, list and end windows, and announce their phases to
//! the room. What a window is and what it matches is domain ([`crate::domain::maintenance`]).

pub(crate) mod api;

pub use crate::domain::maintenance::{
    MaintenanceWindow, Matcher, WindowRequest, max_duration, warning_ahead,
};
pub(crate) use api::announce;
