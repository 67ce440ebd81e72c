//! Reports posted to chat: pictures of how the on-call week went.
//!
//! The engine computes the numbers; this module only draws them, so the same report can be
//! uploaded to Slack, Discord or e-mail without each adapter knowing how a chart is made.

pub mod chart;
mod digest;
mod series;

pub use digest::digest_chart;
pub use series::chart_data;
