//! Test support shared by the integration tests: fresh databases on both backends, a standard
//! config, and (in `app`) the real application started in-process on port 0.
//!
//! # Layout
//! - `db`: [`TestDb`] — a fresh SQLite file or a fresh PostgreSQL schema per test.
//! - `app`: [`TestApp`] — the real application on port 0 with a manual clock and a console.
//! - `fixtures`: the standard test config and recorded payloads from `tests/fixtures`.
//! - `fake_telephony`, `fake_smtp`: fake Twilio + Vonage and SMTP servers on 127.0.0.1.
//! - `fake_slack`: a fake Slack Web API + Socket Mode, and builders for what Slack sends.
//! - `fake_discord`: a fake Discord REST API + gateway, and builders for what Discord sends.
//! - `fake_receiver`: a webhook receiver that records requests and fails or hangs on demand.
//! - `process`: the real `firebell` binary as a separate process (replicas, `kill -9`, `SIGTERM`).
//! - `proxy`: a TCP proxy to the database that can go silent (a network partition).
//! - `pagerduty_schema`: checks bodies against PagerDuty's published OpenAPI schemas.

pub mod app;
pub mod db;
pub mod fake_discord;
pub mod fake_receiver;
pub mod fake_slack;
pub mod fake_smtp;
pub mod fake_telephony;
pub mod fixtures;
pub mod pagerduty_schema;
pub mod process;
pub mod proxy;

pub use app::{TestApp, t0};
pub use db::{Backend, TestDb, backends};
