//! Ingest load benchmark for firebell's `POST /v2/enqueue` (PagerDuty Events API v2).
//!
//! The question it answers: how many events per second does firebell accept durably, and at what
//! latency, on SQLite and on PostgreSQL — compared with the ceiling of parsing and validating the
//! same bodies without a database. `benches/ingest.sh` runs every scenario; the `loadgen` binary
//! does one run (or serves the ceiling) and prints one greppable line.
//!
//! The load is closed-loop: N keep-alive HTTP/1.1 connections, each with exactly one request in
//! flight, sending the next as soon as the previous answer arrived. Latency is measured from
//! sending a request to having read its whole reply, recorded for every request, and merged
//! across connections. A warm-up second is not counted. Anything but `202 Accepted` is an error,
//! counted and printed.
//!
//! Everything is bound to loopback: the generator refuses targets other than `127.0.0.1`, and the
//! ceiling server refuses to listen elsewhere.
//!
//! # Layout
//! - `target`: the `http://127.0.0.1:PORT/path` a run is aimed at (loopback only).
//! - `event`: realistic trigger bodies; distinct or repeated dedup keys.
//! - `client`: one connection's closed loop and the run that drives N of them.
//! - `stats`: per-connection histograms and counts, merged into the result line.
//! - `parse_only`: the ceiling server (`parse_event_v2`, no database).

pub mod client;
pub mod event;
pub mod parse_only;
pub mod stats;
pub mod target;
