//! The report as CSV, one row per figure, for spreadsheets. Columns:
//! - `section`: `incidents`, `alerts`, `mtta`, `mttr`, `escalations`, `notifications`,
//!   `interruptions`, `on_call`, `noisiest`, `noise`, `teams`, `days`;
//! - `figure`: what is counted (`opened`, `opened_by_service`, `median_minutes`, `sent`, …);
//!   durations are in minutes, on-call time in hours;
//! - `key`: the service, severity, urgency, contact method, person, `service/dedup key`, team, or
//!   `date` / `date/service` the figure is about; empty for a total;
//! - `current`: the value for the period;
//! - `previous`: the value for the period before it (the same day of it, for `days`); empty
//!   when there is none (no acknowledged incident to time, a key not among the previous top ten);
//! - `change`: `current - previous`, empty when either is.
//!
//! Numbers are plain: integers, or at most two decimals with a dot. A key that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`) gets a leading `'`.

use super::{Row, number};

pub(super) const HEADER: [&str; 6] = ["section", "figure", "key", "current", "previous", "change"];

pub(super) fn render(rows: &[Row]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cell = |v: Option<f64>| v.map(number).unwrap_or_default();
    // Writing to memory cannot fail, and every record has the header's six fields.
    let _ = w.write_record(HEADER);
    for r in rows {
        let change = match (r.current, r.previous) {
            (Some(c), Some(p)) => number(c - p),
            _ => String::new(),
        };
        let _ = w.write_record([
            r.section,
            &r.figure,
            &inert(&r.key),
            &cell(r.current),
            &cell(r.previous),
            &change,
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Defuses spreadsheet formulas in text that came from monitors (dedup keys) or the config.
fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}
