//! `/api/v1/oncall` and `/api/v1/overrides`: who has the pager, and swaps of it, for dashboards
//! and scripts. The same engine calls as `!oncall` and `!override`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use firebell_engine::duration::HumanDuration;
use firebell_engine::oncall::{OnCallNow, OverrideRecord, max_override};
use firebell_engine::{Actor, Channel, Config, UserId};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::{Params, only_params, text};
use super::api_fields::{id, object, string};
use super::auth::Caller;
use super::error::ApiError;
use super::page::{Key, Paging};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/oncall", get(oncall))
        .route("/api/v1/overrides", get(list).post(create))
        .route("/api/v1/overrides/{id}", delete(cancel))
}

/// A configured person: `{"id": "bob", "name": "Bob Brown"}` (the id alone if no longer configured).
#[derive(Serialize)]
struct UserView {
    id: String,
    name: String,
}

impl UserView {
    fn of(config: &Config, id: &UserId) -> Self {
        UserView {
            id: id.to_string(),
            name: config
                .user(id.as_str())
                .map_or_else(|| id.to_string(), |u| u.name.clone()),
        }
    }
}

#[derive(Serialize)]
struct OnCallView {
    schedule: String,
    user: Option<UserView>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    next: Option<UserView>,
    override_id: Option<i64>,
}

impl OnCallView {
    fn of(config: &Config, o: OnCallNow) -> Self {
        OnCallView {
            user: o.user.as_ref().map(|u| UserView::of(config, u)),
            next: o.next.as_ref().map(|u| UserView::of(config, u)),
            schedule: o.schedule,
            since: o.since,
            until: o.until,
            override_id: o.override_id,
        }
    }
}

#[derive(Serialize)]
struct OverrideView {
    id: i64,
    schedule: String,
    user: UserView,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    created_by: String,
    cancelled: bool,
}

impl OverrideView {
    fn of(config: &Config, o: OverrideRecord) -> Self {
        OverrideView {
            user: UserView::of(config, &o.user),
            id: o.id,
            schedule: o.schedule,
            start: o.start,
            end: o.end,
            created_by: o.created_by,
            cancelled: o.cancelled,
        }
    }
}

/// `?schedule=NAME` (a schedule, or a service for the schedules it pages): 400 naming the choices
/// when it is neither.
fn schedule_param(
    state: &AppState,
    q: &HashMap<String, String>,
) -> Result<Option<String>, ApiError> {
    let Some(name) = q.get("schedule").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    state
        .engine
        .schedules_named(Some(name))
        .map_err(|e| ApiError::bad_request(e.message()))?;
    Ok(Some(name.clone()))
}

async fn oncall(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["schedule"])?;
    let name = schedule_param(&state, &q)?;
    let config = state.engine.config();
    let now = state.engine.on_call(name.as_deref()).await?;
    let views: Vec<OnCallView> = now.into_iter().map(|o| OnCallView::of(config, o)).collect();
    Ok(Json(json!({"oncall": views})))
}

async fn list(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["schedule", "limit", "cursor"])?;
    let config = state.engine.config();
    let schedule = text(&q, "schedule");
    if let Some(s) = schedule
        && !config.schedules.contains_key(s)
    {
        return Err(ApiError::bad_request(unknown_schedule(config, s)));
    }
    let filters = [("schedule", schedule.unwrap_or(""))];
    let paging = Paging::newest_first("/api/v1/overrides", &q, &filters)?;
    let list = state.engine.overrides_page(schedule, paging.page()).await?;
    let (list, next) = paging.finish(list, |o| Key::Id(o.id));
    let views: Vec<OverrideView> = list
        .into_iter()
        .map(|o| OverrideView::of(config, o))
        .collect();
    Ok(Json(json!({"overrides": views, "next_cursor": next})))
}

const EXAMPLE: &str = r#"{"schedule": "primary", "user": "bob", "duration": "2h"}"#;

async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let m = object(&body, &["schedule", "user", "duration"], EXAMPLE)?;
    let schedule = string(&m, "schedule", true, 200)?.unwrap_or_default();
    let user = string(&m, "user", true, 200)?.unwrap_or_default();
    let duration = string(&m, "duration", true, 50)?.unwrap_or_default();
    let config = state.engine.config();
    if !config.schedules.contains_key(&schedule) {
        return Err(ApiError::unprocessable(unknown_schedule(config, &schedule)));
    }
    let user = config.user(&user).map(|u| u.id.clone()).ok_or_else(|| {
        let ids: Vec<&str> = config.users.keys().map(UserId::as_str).collect();
        ApiError::unprocessable(format!("unknown user `{user}` (users: {})", ids.join(", ")))
    })?;
    let duration = HumanDuration::parse(&duration, max_override())
        .map_err(|e| ApiError::unprocessable(e.message()))?;
    let o = state
        .engine
        .create_override(&schedule, &user, duration, &Actor::new(who, Channel::Api))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"override": OverrideView::of(config, o)})),
    ))
}

async fn cancel(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id(&raw, "override")?;
    let o = state
        .engine
        .cancel_override(id, &Actor::new(who, Channel::Api))
        .await?;
    Ok(Json(
        json!({"override": OverrideView::of(state.engine.config(), o)}),
    ))
}

fn unknown_schedule(config: &Config, name: &str) -> String {
    let names: Vec<&str> = config.schedules.keys().map(String::as_str).collect();
    format!(
        "unknown schedule `{name}` (schedules: {})",
        if names.is_empty() {
            "none configured".to_owned()
        } else {
            names.join(", ")
        }
    )
}
