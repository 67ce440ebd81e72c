//! `/schedules/{id}/overrides`: list a window's overrides, and take the pager. firebell's
//! overrides start now (`!override`), so an override starting in the future is refused; its end
//! is kept to the whole minute, rounded up.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use firebell_engine::oncall::OverrideRecord;
use firebell_engine::{Config, UserId};
use serde_json::{Map, Value, json};

use super::directory::{at, check_window, time_zone, user_ref};
use super::error::PdError;
use super::maintenance::{minutes_until, time_field};
use super::refs::Links;
use super::request::{Pd, PdJson, PdPath, PdQuery, Writer};
use crate::http::AppState;

/// How far ahead of now a "start now" may be (clocks differ; the override starts now).
fn start_slack() -> Duration {
    Duration::seconds(60)
}

/// Parameters: `since` and `until` (required, as PagerDuty), `time_zone` (default UTC).
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let (Some(since), Some(until)) = (q.time("since")?, q.time("until")?) else {
        return Err(PdError::invalid(
            "`since` and `until` are required: the window to list overrides in",
        ));
    };
    check_window((since, until))?;
    let tz = time_zone(&q, Tz::UTC)?;
    let found = state.engine.overrides_between(&id, since, until).await?;
    let links = Links { base: &pd.base };
    let config = state.engine.config();
    let items: Vec<Value> = found
        .iter()
        .map(|o| render(&links, config, o, tz))
        .collect();
    Ok(Json(json!({"overrides": items})))
}

/// `{"override": {start, end, user}}` → 201 `{"override": …}`; `{"overrides": [ … ]}` → 201
/// `[{"status": 201, "override": …} | {"status": 400, "errors": […]}, …]`, one per entry.
pub(crate) async fn create(
    State(state): State<AppState>,
    w: Writer,
    PdPath(id): PdPath,
    body: PdJson,
) -> Result<Response, PdError> {
    let config = state.engine.config();
    if !config.schedules.contains_key(&id) {
        let names: Vec<&str> = config.schedules.keys().map(String::as_str).collect();
        return Err(PdError::not_found(format!(
            "no schedule `{id}` (schedules: {})",
            names.join(", ")
        )));
    }
    let links = Links { base: &w.pd.base };
    if body.0.contains_key("override") {
        let entry = body.wrapped("override")?;
        let made = take(&state, &w, &id, entry).await?;
        let reply = json!({"override": render(&links, config, &made, Tz::UTC)});
        return Ok((StatusCode::CREATED, Json(reply)).into_response());
    }
    let Some(Value::Array(entries)) = body.0.get("overrides") else {
        return Err(PdError::invalid(
            "the body must be {\"override\": {\"start\", \"end\", \"user\"}} or {\"overrides\": [ … ]}",
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (k, e) in entries.iter().enumerate() {
        let result = match e {
            Value::Object(m) => take(&state, &w, &id, m).await,
            _ => Err(PdError::invalid(format!(
                "`overrides[{k}]` must be an object"
            ))),
        };
        out.push(match result {
            Ok(made) => json!({"status": 201, "override": render(&links, config, &made, Tz::UTC)}),
            Err(e) => json!({"status": e.status().as_u16(), "errors": e.errors()}),
        });
    }
    Ok((StatusCode::CREATED, Json(Value::Array(out))).into_response())
}

/// Creates one override from its entry: the user takes the pager from now until `end`.
async fn take(
    state: &AppState,
    w: &Writer,
    schedule: &str,
    m: &Map<String, Value>,
) -> Result<OverrideRecord, PdError> {
    let now = state.engine.clock().now();
    let start = time_field(m, "start")?;
    let end = time_field(m, "end")?;
    let config = state.engine.config();
    let user: UserId = match m
        .get("user")
        .and_then(|u| u.get("id"))
        .and_then(Value::as_str)
    {
        Some(u) => config.user(u).map(|c| c.id.clone()).ok_or_else(|| {
            let ids: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
            PdError::invalid(format!(
                "`user.id`: no user `{u}` (users: {})",
                ids.join(", ")
            ))
        })?,
        None => {
            return Err(PdError::invalid(
                "`user` is required: {\"id\": …, \"type\": \"user_reference\"}",
            ));
        }
    };
    future_start(start, now)?;
    if end <= now || end <= start {
        return Err(PdError::invalid(
            "`end` must be in the future and after `start`",
        ));
    }
    Ok(state
        .engine
        .create_override(schedule, &user, minutes_until(now, end), &w.actor)
        .await?)
}

/// Cancels an override (PagerDuty's delete); 204. One that has ended is refused (400).
pub(crate) async fn delete(
    State(state): State<AppState>,
    w: Writer,
    Path((schedule, id)): Path<(String, String)>,
) -> Result<StatusCode, PdError> {
    let missing = || PdError::not_found(format!("schedule `{schedule}` has no override `{id}`"));
    let n: i64 = id.parse().map_err(|_| missing())?;
    let known = state.engine.override_record(n).await?;
    if known.as_ref().is_none_or(|o| o.schedule != schedule) {
        return Err(missing());
    }
    state.engine.cancel_override(n, &w.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn future_start(start: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), PdError> {
    if start > now + start_slack() {
        return Err(PdError::invalid(format!(
            "`start` {start} is in the future: firebell's overrides start now (as `!override` \
             does); send the current time and create it when it should start"
        )));
    }
    Ok(())
}

fn render(links: &Links, config: &Config, o: &OverrideRecord, tz: Tz) -> Value {
    json!({
        "id": o.id.to_string(),
        "start": at(o.start, tz),
        "end": at(o.end, tz),
        "user": user_ref(links, config, o.user.as_str()),
    })
}
