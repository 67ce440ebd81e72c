//! `/api/v1/maintenance`: open, list and end maintenance windows from scripts (a deploy pipeline
//! silencing a host while it restarts). The same engine calls as `!maintenance`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use firebell_engine::duration::HumanDuration;
use firebell_engine::maintenance::{MaintenanceWindow, Matcher, WindowRequest, max_duration};
use firebell_engine::{Actor, Channel};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::{Params, only_params};
use super::api_fields::{id, object, string};
use super::auth::Caller;
use super::error::ApiError;
use super::page::{Key, Paging};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/maintenance", get(list).post(create))
        .route("/api/v1/maintenance/{id}", get(show).delete(end))
}

/// A window as the API shows it. `matcher` is in the form a POST takes (`web-01`,
/// `service:web`, `env=prod`); `matches` says the same in words.
#[derive(Serialize)]
struct WindowView {
    id: i64,
    matcher: String,
    matches: String,
    reason: Option<String>,
    room: Option<String>,
    created_by: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_by: Option<String>,
    suppressed: i64,
    active: bool,
}

impl WindowView {
    fn of(w: MaintenanceWindow, now: DateTime<Utc>) -> Self {
        WindowView {
            active: w.is_active(now),
            matcher: as_typed(&w.matcher),
            matches: w.matcher.to_string(),
            id: w.id,
            reason: w.reason,
            room: w.room,
            created_by: w.created_by,
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            ended_by: w.ended_by,
            suppressed: w.suppressed,
        }
    }
}

fn as_typed(m: &Matcher) -> String {
    match m {
        Matcher::Host(h) => h.clone(),
        Matcher::Service(s) => format!("service:{s}"),
        Matcher::Label { key, value } => format!("{key}={value}"),
    }
}

/// `GET /api/v1/maintenance?limit=&cursor=`: windows still running, newest first, paged.
async fn list(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["limit", "cursor"])?;
    let paging = Paging::newest_first("/api/v1/maintenance", &q, &[])?;
    let windows = state.engine.maintenance_page(paging.page()).await?;
    let (windows, next) = paging.finish(windows, |w| Key::Id(w.id));
    let now = state.engine.clock().now();
    let windows: Vec<WindowView> = windows
        .into_iter()
        .map(|w| WindowView::of(w, now))
        .collect();
    Ok(Json(json!({"windows": windows, "next_cursor": next})))
}

async fn show(
    State(state): State<AppState>,
    _c: Caller,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let w = state
        .engine
        .maintenance_window(id(&raw, "maintenance window")?)
        .await?;
    let now = state.engine.clock().now();
    Ok(Json(json!({"window": WindowView::of(w, now)})))
}

const EXAMPLE: &str = r#"{"matcher": "web-01", "duration": "1h", "reason": "kernel upgrade"}"#;

async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let m = object(&body, &["matcher", "duration", "reason", "room"], EXAMPLE)?;
    let matcher = string(&m, "matcher", true, 300)?.unwrap_or_default();
    let duration = string(&m, "duration", true, 50)?.unwrap_or_default();
    let reason = string(&m, "reason", false, 500)?;
    let room = string(&m, "room", false, 200)?;
    let config = state.engine.config();
    let matcher =
        Matcher::parse(&matcher, config).map_err(|e| ApiError::unprocessable(e.message()))?;
    let duration = HumanDuration::parse(&duration, max_duration())
        .map_err(|e| ApiError::unprocessable(e.message()))?;
    if let Some(r) = &room
        && !config.rooms.contains_key(r)
    {
        let rooms: Vec<&str> = config.rooms.keys().map(String::as_str).collect();
        return Err(ApiError::unprocessable(format!(
            "unknown room `{r}` (rooms: {})",
            rooms.join(", ")
        )));
    }
    let w = state
        .engine
        .start_maintenance(
            WindowRequest {
                matcher,
                duration,
                reason: reason.as_deref(),
                room: room.as_deref(),
            },
            &Actor::new(who, Channel::Api),
        )
        .await?;
    let now = state.engine.clock().now();
    Ok((
        StatusCode::CREATED,
        Json(json!({"window": WindowView::of(w, now)})),
    ))
}

async fn end(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let w = state
        .engine
        .end_maintenance(
            id(&raw, "maintenance window")?,
            &Actor::new(who, Channel::Api),
        )
        .await?;
    let now = state.engine.clock().now();
    Ok(Json(json!({"window": WindowView::of(w, now)})))
}
