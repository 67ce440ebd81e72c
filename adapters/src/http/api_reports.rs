//! `GET /api/v1/reports/summary?since=&until=&service=&team=&format=json|csv|md|png`: the
//! manager summary for a period (default: the last 7 days), as JSON, CSV, Markdown, or the
//! incidents-per-day chart as a PNG. The same figures as `!report` and the scheduled digests.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use firebell_engine::reports::{Period, SummaryQuery};
use serde::Deserialize;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::reports::chart;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/summary", get(summary))
}

#[derive(Deserialize)]
struct Params {
    since: Option<String>,
    until: Option<String>,
    service: Option<String>,
    team: Option<String>,
    format: Option<String>,
}

/// The longest period one request may ask for.
const MAX_DAYS: i64 = 366;

/// An RFC 3339 time (`2026-11-16T00:00:00Z`) or a date (`2026-11-16`, midnight UTC).
fn instant(name: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.to_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_default());
    }
    Err(ApiError::bad_request(format!(
        "`{name}` must be a date (2026-11-16) or an RFC 3339 time (2026-11-16T09:00:00Z), not `{text}`"
    )))
}

async fn summary(
    State(state): State<AppState>,
    _c: Caller,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let now = state.engine.clock().now();
    let until = match &p.until {
        Some(t) => instant("until", t)?,
        None => now,
    };
    let since = match &p.since {
        Some(t) => instant("since", t)?,
        None => until - Duration::days(7),
    };
    if since >= until {
        return Err(ApiError::unprocessable("`since` must be before `until`"));
    }
    if until - since > Duration::days(MAX_DAYS) {
        return Err(ApiError::unprocessable(format!(
            "a report covers at most {MAX_DAYS} days; ask for a shorter period"
        )));
    }
    let format = p.format.as_deref().unwrap_or("json");
    if !["json", "csv", "md", "png"].contains(&format) {
        return Err(ApiError::bad_request(format!(
            "unknown format `{format}` — use json, csv, md or png"
        )));
    }
    let config = state.engine.config();
    let service = match &p.service {
        None => None,
        Some(name) => Some(
            config
                .service(name)
                .map(|s| s.name.clone())
                .ok_or_else(|| {
                    ApiError::unprocessable(format!(
                        "unknown service `{name}` — services: {}",
                        config.service_names().join(", ")
                    ))
                })?,
        ),
    };
    let query = SummaryQuery {
        period: Period { since, until },
        service,
        team: p.team,
    };
    let report = state.engine.report(&query).await?;
    Ok(match format {
        "csv" => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report.to_csv(),
        )
            .into_response(),
        "md" => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            report.to_markdown(),
        )
            .into_response(),
        "png" => {
            let data = crate::reports::chart_data(&report.chart(), since, until);
            let (w, h) = chart::DEFAULT_SIZE;
            let png = chart::render_png(&data, w, h)
                .map_err(|e| ApiError::unprocessable(format!("could not draw the chart: {e}")))?;
            ([(header::CONTENT_TYPE, "image/png")], png).into_response()
        }
        _ => axum::Json(report).into_response(),
    })
}
