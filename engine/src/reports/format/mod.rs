//! The report as text: every figure flattened into rows (section, figure, key, current,
//! previous) that the CSV, Markdown and chat renderings share, and the per-day chart series.
//!
//! # Layout
//! - `mod.rs`: [`Row`], number and duration wording, [`ChartSeries`].
//! - `compare`: the one walk: every figure beside the same figure of the period before.
//! - `rows`: every figure of a report as rows.
//! - `csv`: one row per figure.
//! - `markdown`: the full report in tables.
//! - `chat`: a compact message (at most [`CHAT_MAX_CHARS`]).

mod chat;
mod compare;
mod csv;
mod markdown;
mod rows;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Report;

pub use chat::CHAT_MAX_CHARS;
#[cfg(test)]
pub(super) use rows::rows;

/// The per-day series a chart is drawn from (the current period; every UTC day it touches).
/// Deserializable too, for notifications that carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartSeries {
    pub days: Vec<NaiveDate>,
    /// Incidents opened per day, per service that had any in the period (by name).
    pub services: Vec<(String, Vec<u32>)>,
    /// Mean time to acknowledge of each day's incidents, in minutes.
    pub mtta_minutes: Vec<Option<f64>>,
    /// Mean time to resolve of each day's incidents, in minutes.
    pub mttr_minutes: Vec<Option<f64>>,
}

impl Report {
    /// The report as CSV with a header line and one row per figure. Columns:
    /// - `section`: `incidents`, `alerts`, `mtta`, `mttr`, `escalations`, `notifications`,
    ///   `interruptions`, `on_call`, `noisiest`, `noise`, `teams`, `days`;
    /// - `figure`: what is counted (`opened`, `opened_by_service`, `median_minutes`, `sent`,
    ///   `sleep`, `hours`, …); durations are in minutes, on-call time in hours;
    /// - `key`: the service, severity, urgency, contact method, person, `service/dedup key`,
    ///   team, or `date` / `date/service` the figure is about; empty for a total;
    /// - `current`: the value for the period;
    /// - `previous`: the value for the period before it (for `days`, the same day of it);
    ///   empty when there is none (nothing acknowledged to time, a key not among the previous
    ///   top ten);
    /// - `change`: `current - previous`, empty when either is.
    ///
    /// Numbers are plain (integers, or at most two decimals with a dot); a key a spreadsheet
    /// would run as a formula gets a leading `'`.
    pub fn to_csv(&self) -> String {
        csv::render(&rows::rows(self))
    }

    /// The full report in Markdown tables, each figure with its change against the previous
    /// period.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }

    /// A compact summary for a chat message: at most [`CHAT_MAX_CHARS`] characters, light
    /// Markdown only (`*bold*`, `` `code` ``).
    pub fn to_chat(&self) -> String {
        chat::render(self)
    }

    /// The current period's per-day series.
    pub fn chart(&self) -> ChartSeries {
        let days = &self.current.days;
        let names: BTreeSet<&String> = days.iter().flat_map(|d| d.opened.keys()).collect();
        ChartSeries {
            days: days.iter().map(|d| d.date).collect(),
            services: names
                .into_iter()
                .map(|name| {
                    let counts = days
                        .iter()
                        .map(|d| d.opened.get(name).copied().unwrap_or(0))
                        .collect();
                    (name.clone(), counts)
                })
                .collect(),
            mtta_minutes: days.iter().map(|d| d.mtta_minutes).collect(),
            mttr_minutes: days.iter().map(|d| d.mttr_minutes).collect(),
        }
    }
}

/// What a figure counts, for how its values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Count,
    Minutes,
    Hours,
    PerWeek,
    /// 1 or 0.
    Flag,
}

/// One figure of the report: a value for the period and for the previous one.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub section: &'static str,
    pub figure: String,
    /// Which service, person, method, … the figure is about; empty for a total.
    pub key: String,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    pub unit: Unit,
}

/// A number as written in the CSV: integers plainly, others with at most two decimals.
pub(super) fn number(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        let s = format!("{rounded:.2}");
        s.trim_end_matches('0').to_owned()
    }
}

/// "42s", "4m 30s", "2h 05m", "3d 4h": a duration for people, from seconds.
pub(super) fn human(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 if s.is_multiple_of(60) => format!("{}m", s / 60),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A value for people in its unit (durations are given in minutes).
pub(super) fn show(v: Option<f64>, unit: Unit) -> String {
    match (v, unit) {
        (None, _) => "—".to_owned(),
        (Some(m), Unit::Minutes) => human(m * 60.0),
        (Some(h), Unit::Hours) => format!("{}h", number((h * 10.0).round() / 10.0)),
        (Some(w), Unit::PerWeek) => number((w * 10.0).round() / 10.0),
        (Some(f), Unit::Flag) => (if f > 0.0 { "yes" } else { "no" }).to_owned(),
        (Some(c), Unit::Count) => number(c),
    }
}

/// The change from `previous` to `current` for people: "+3 (+33%)", "-2 (-20%)", "+4 (new)",
/// "±0", "+1m 30s"; "—" when either is missing.
pub(super) fn change(current: Option<f64>, previous: Option<f64>, unit: Unit) -> String {
    let (Some(c), Some(p)) = (current, previous) else {
        return "—".to_owned();
    };
    let d = c - p;
    if d.abs() < 1e-9 {
        return "±0".to_owned();
    }
    let sign = if d > 0.0 { "+" } else { "-" };
    match unit {
        Unit::Minutes => format!("{sign}{}", human(d.abs() * 60.0)),
        Unit::Flag => (if c > 0.0 { "now over" } else { "now under" }).to_owned(),
        Unit::Count if p == 0.0 => format!("{sign}{} (new)", number(d.abs())),
        Unit::Count => format!(
            "{sign}{} ({sign}{:.0}%)",
            number(d.abs()),
            (d.abs() / p * 100.0)
        ),
        Unit::Hours | Unit::PerWeek => format!("{sign}{}", show(Some(d.abs()), unit)),
    }
}
