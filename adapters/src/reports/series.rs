//! The engine's per-day report series → the chart's input, with a title naming the period.

use chrono::{DateTime, Utc};
use firebell_engine::reports::ChartSeries;

use super::chart::ChartData;

pub fn chart_data(series: &ChartSeries, since: DateTime<Utc>, until: DateTime<Utc>) -> ChartData {
    ChartData {
        title: format!(
            "Incidents per day, {} – {} (UTC)",
            since.format("%Y-%m-%d"),
            until.format("%Y-%m-%d")
        ),
        days: series.days.clone(),
        services: series.services.clone(),
        mtta_minutes: series.mtta_minutes.clone(),
        mttr_minutes: series.mttr_minutes.clone(),
    }
}
