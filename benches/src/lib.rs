//! Ingest load benchmark for firebell's `POST /v2/enqueue` (PagerDuty Events API v2).
//!
//! The question it answers: how many events per second does firebell accept durably, and at what
//! latency and CPU cost, on SQLite, on PostgreSQL and as two replicas — side by side with
//! Prometheus Alertmanager 0.25 taking the same alerts, and with the ceiling of parsing and
//! validating the same bodies without a database. `benches/compare.sh` runs every scenario; the
//! `loadgen` binary does one run (or serves the ceiling, or fakes Slack) and prints one greppable
//! line.
//!
//! The load is closed-loop: N keep-alive HTTP/1.1 connections, each with exactly one request in
//! flight, sending the next as soon as the previous answer arrived (or, with a rate, open-loop on
//! a fixed schedule). Latency is measured from sending a request to having read its whole reply,
//! recorded for every request, and merged across connections. A warm-up second is not counted.
//! Anything but `202 Accepted` (`200` from Alertmanager) is an error, counted and printed.
//!
//! Everything is bound to loopback: the generator refuses targets other than `127.0.0.1`, and the
//! ceiling server and the fake Slack refuse to listen elsewhere.
//!
//! # Layout
//! - `target`: the `http://127.0.0.1:PORT/path` a run is aimed at (loopback only).
//! - `event`: realistic alert bodies (PagerDuty v2 or Alertmanager); distinct, one or 100 keys.
//! - `client`: one connection's closed (or paced, open) loop and the run that drives N of them.
//! - `stats`: per-connection histograms and counts, merged into the result line.
//! - `parse_only`: the ceiling server (`parse_event_v2`, no database).
//! - `fake_slack`: a slow Slack Web API and webhook receiver that counts what firebell sends.

pub mod client;
pub mod event;
pub mod fake_slack;
pub mod parse_only;
pub mod stats;
pub mod target;
