//! `/maintenance_windows`: firebell's maintenance windows in PagerDuty's shape. PagerDuty's windows
//! cover services; firebell's may also cover a host or a label, and such windows list with no
//! services (their description says what they match). firebell opens a window from now, so a
//! start in the future is refused; one window covers one service.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use firebell_engine::Config;
use firebell_engine::ServiceName;
use firebell_engine::domain::duration::HumanDuration;
use firebell_engine::domain::maintenance::{MaintenanceWindow, Matcher, WindowRequest};
use serde_json::{Map, Value, json};

use super::directory::{known_ids, matches, service_ref, user_ref};
use super::error::PdError;
use super::refs::Links;
use super::request::{Pd, PdJson, PdPath, PdQuery, Writer, parse_time};
use crate::http::AppState;

/// How far ahead of now a "start now" may be (clocks differ; the window opens now).
fn start_slack() -> Duration {
    Duration::seconds(60)
}

/// Filters: `filter` (past, future, ongoing, open, all), `service_ids[]`, `query`, pagination.
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let config = state.engine.config();
    let now = state.engine.clock().now();
    let keep: fn(&MaintenanceWindow, DateTime<Utc>) -> bool = match q.one("filter") {
        None | Some("all") => |_, _| true,
        Some("past") => |w, now| w.ends_at <= now,
        Some("future") => |w, now| w.starts_at > now,
        Some("ongoing") => |w, now| w.is_active(now),
        Some("open") => |w, now| w.ends_at > now,
        Some(other) => {
            return Err(PdError::invalid(format!(
                "`filter` must be past, future, ongoing, open or all, not `{other}`"
            )));
        }
    };
    let names = config.service_names();
    let services = known_ids(
        &q,
        "service_ids",
        &|id| config.service(id).is_some(),
        &names,
    )?;
    let chosen: Vec<MaintenanceWindow> = state
        .engine
        .all_maintenance_windows()
        .await?
        .into_iter()
        .filter(|w| keep(w, now))
        .filter(|w| {
            services.is_empty()
                || matches!(&w.matcher, Matcher::Service(s) if services.contains(&s.as_str()))
        })
        .filter(|w| matches(&q, &[&description(w)]))
        .collect();
    let (page, wrapper) = paging.slice(chosen);
    let links = Links { base: &pd.base };
    let items = page.iter().map(|w| window(&links, config, w)).collect();
    Ok(Json(wrapper.reply("maintenance_windows", items)))
}

/// `{"maintenance_window": {"start_time", "end_time", "description", "services": [one]}}`.
pub(crate) async fn create(
    State(state): State<AppState>,
    w: Writer,
    body: PdJson,
) -> Result<Response, PdError> {
    let m = body.wrapped("maintenance_window")?;
    let config = state.engine.config();
    let now = state.engine.clock().now();
    let service = one_service(config, m)?;
    let start = time_field(m, "start_time")?;
    let end = time_field(m, "end_time")?;
    if start > now + start_slack() {
        return Err(PdError::invalid(format!(
            "`start_time` {start} is in the future: firebell opens maintenance windows from now \
             only; send the current time (or a past one) and open it when it should start"
        )));
    }
    if end <= now {
        return Err(PdError::invalid("`end_time` must be in the future"));
    }
    let description = match m.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => Some(d.as_str()),
        Some(_) => return Err(PdError::invalid("`description` must be a string")),
    };
    let request = WindowRequest {
        matcher: Matcher::Service(service),
        duration: minutes_until(now, end),
        reason: description,
        room: None,
    };
    let opened = state.engine.start_maintenance(request, &w.actor).await?;
    let links = Links { base: &w.pd.base };
    let reply = json!({"maintenance_window": window(&links, config, &opened)});
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let found = state.engine.maintenance_window(window_id(&id)?).await?;
    let links = Links { base: &pd.base };
    let config = state.engine.config();
    Ok(Json(
        json!({"maintenance_window": window(&links, config, &found)}),
    ))
}

/// A window's id: firebell's window number.
fn window_id(id: &str) -> Result<i64, PdError> {
    id.parse().map_err(|_| {
        PdError::not_found(format!(
            "no maintenance window `{id}`: ids are numbers such as \"7\""
        ))
    })
}

/// Ends a window now (PagerDuty's delete of an ongoing window); 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    w: Writer,
    PdPath(id): PdPath,
) -> Result<StatusCode, PdError> {
    let n = window_id(&id)?;
    state.engine.end_maintenance(n, &w.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The whole minutes from `now` to `end`, rounded up (firebell's windows last whole minutes).
pub(crate) fn minutes_until(now: DateTime<Utc>, end: DateTime<Utc>) -> HumanDuration {
    let secs = (end - now).num_seconds().max(1);
    HumanDuration::from_minutes((secs + 59) / 60)
}

pub(crate) fn time_field(m: &Map<String, Value>, key: &str) -> Result<DateTime<Utc>, PdError> {
    match m.get(key) {
        Some(Value::String(s)) => parse_time(key, s).map_err(|_| {
            PdError::invalid(format!(
                "`{key}` must be an ISO 8601 time such as 2026-03-08T09:00:00Z, not `{s}`"
            ))
        }),
        _ => Err(PdError::invalid(format!(
            "`{key}` is required: an ISO 8601 time"
        ))),
    }
}

fn one_service(config: &Config, m: &Map<String, Value>) -> Result<ServiceName, PdError> {
    let Some(Value::Array(list)) = m.get("services") else {
        return Err(PdError::invalid(
            "`services` is required: [{\"id\": …, \"type\": \"service_reference\"}]",
        ));
    };
    let [one] = list.as_slice() else {
        return Err(PdError::invalid(format!(
            "a firebell maintenance window covers exactly one service, not {}: create one window per service",
            list.len()
        )));
    };
    let id = one.get("id").and_then(Value::as_str).unwrap_or_default();
    config.service(id).map(|s| s.name.clone()).ok_or_else(|| {
        PdError::invalid(format!(
            "`services[0].id`: no service `{id}` (services: {})",
            config.service_names().join(", ")
        ))
    })
}

/// The reason given, else what the window matches.
fn description(w: &MaintenanceWindow) -> String {
    w.reason.clone().unwrap_or_else(|| w.matcher.to_string())
}

fn window(links: &Links, config: &Config, w: &MaintenanceWindow) -> Value {
    let id = w.id.to_string();
    let text = description(w);
    let mut m = links.entity("maintenance_window", &id, &text);
    let services: Vec<Value> = match &w.matcher {
        Matcher::Service(s) => vec![service_ref(links, config, s.as_str())],
        _ => Vec::new(),
    };
    let by = config
        .user(&w.created_by)
        .map(|_| user_ref(links, config, &w.created_by));
    let fields = json!({
        "sequence_number": w.id,
        "start_time": w.starts_at,
        "end_time": w.ends_at,
        "description": text,
        "created_by": by,
        "services": services,
        "teams": [],
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}
