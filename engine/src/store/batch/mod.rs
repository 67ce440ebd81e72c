//! Batch ingest's rows: a batch of events costs a constant number of statements, whatever its
//! size.
//!
//! Each statement is a round trip (to SQLite's worker thread, or over the network to PostgreSQL),
//! and per-event round trips were what a batch cost (profiled: SQLite's own execution was 2% of
//! the time). So: [`find`] loads the open incidents for every key in the batch in one query, the
//! ingest use case plans what each event does without I/O
//! ([`plan`](crate::domain::ingest_plan::plan)), and [`write`] writes the result with a few bulk
//! statements. Repeated alerts for one incident become one update of its alert count per batch,
//! not one per alert.
//!
//! # Layout
//! - `mod.rs`: the batch item, what the lookup found, and the dispatch to the backend.
//! - `sqlite`: lookup and writes through `json_each`.
//! - `postgres`: lookup and writes through `unnest`, under per-key advisory locks.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::collections::HashMap;

use super::C;
use crate::domain::alert::NewAlert;
use crate::domain::clock::Timestamp;
use crate::domain::ids::DedupKey;
use crate::domain::ingest_plan::{Open, Plan};
use crate::domain::kinds::Actor;

/// One event of the batch: the alert, its key (generated before queueing when absent) and room.
pub(crate) struct Item<'a> {
    pub alert: &'a NewAlert,
    pub key: DedupKey,
    pub room: &'a str,
}

/// What the store found for a batch's keys: their open incidents, by (service, dedup key); and,
/// on SQLite, the highest incident number (new ones follow it).
pub(crate) struct Found {
    open: Vec<((String, String), Open)>,
    max_id: i64,
}

impl Found {
    /// The open incidents, as the planner takes them.
    pub(crate) fn open(&self) -> HashMap<(&str, &str), Open> {
        self.open
            .iter()
            .map(|((s, k), o)| ((s.as_str(), k.as_str()), *o))
            .collect()
    }
}

/// The open incidents for the batch's keys (on PostgreSQL, with the keys locked until commit).
pub(crate) async fn find(c: &mut C<'_>, items: &[Item<'_>]) -> Result<Found, sqlx::Error> {
    match c {
        C::Sqlite(conn) => sqlite::find(conn, items).await,
        C::Pg(conn) => postgres::find(conn, items).await,
    }
}

/// Writes the planned incidents; the new incidents' numbers, in the plan's order.
pub(crate) async fn write(
    c: &mut C<'_>,
    items: &[Item<'_>],
    plan: &Plan,
    found: &Found,
    now: Timestamp,
) -> Result<Vec<i64>, sqlx::Error> {
    match c {
        C::Sqlite(conn) => sqlite::write(conn, items, plan, found, now).await,
        C::Pg(conn) => postgres::write(conn, items, plan, now).await,
    }
}

/// The batch's distinct (service, dedup key) pairs, sorted.
fn distinct_keys<'a>(items: &'a [Item<'_>]) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.alert.service.as_str(), i.key.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Actor name and channel, or NULLs.
fn who(a: Option<&Actor>) -> (Option<String>, Option<&'static str>) {
    a.map_or((None, None), |a| {
        (Some(a.name.clone()), Some(a.channel.as_str()))
    })
}
