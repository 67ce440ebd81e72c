//! `/api/v1/heartbeats`: check-ins from cron jobs, and the list of heartbeats.
//!
//! A check-in is authenticated by the heartbeat's own key in the path, so a job needs nothing
//! but `curl -fsS https://firebell.example.com/api/v1/heartbeats/<key>`; no bearer token is
//! needed, and a bearer token never stands in for the key. An unknown key gets a JSON 404 (and
//! `curl -f` fails), whatever the method. The list is an ordinary bearer-token API call.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use firebell_engine::config::Heartbeat;
use firebell_engine::duration::HumanDuration;
use firebell_engine::heartbeats::HeartbeatView;
use serde_json::{Value, json};

use super::AppState;
use super::api::{Params, only_params};
use super::auth::Caller;
use super::error::ApiError;
use super::page::Paging;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/heartbeats", get(list))
        .route("/api/v1/heartbeats/{key}", get(check_in).post(check_in))
        .route("/api/v1/heartbeats/{key}/fail", get(fail).post(fail))
}

/// The heartbeat owning `key` (compared in constant time against every key), or a 404 that
/// says where keys come from without saying how close a guess was.
fn by_key<'c>(state: &'c AppState, key: &str) -> Result<&'c Heartbeat, ApiError> {
    state.engine.config().heartbeat_for_key(key).ok_or_else(|| {
        ApiError::not_found(
            "no heartbeat has this key — each heartbeat's key is set under \
                 [heartbeats.NAME] (`key` or `key_env`) in firebell.toml",
        )
    })
}

/// `GET|POST /api/v1/heartbeats/{key}`: the job ran. Resolves the heartbeat's incident if it
/// had missed. The body, if any, is ignored.
async fn check_in(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let hb = by_key(&state, &key)?;
    let c = state.engine.heartbeat_check_in(hb).await?;
    Ok(Json(json!({
        "name": c.name,
        "last_checkin": c.last_checkin,
        "next_due": c.next_due,
        "resolved_incident": c.resolved.map(|n| n.get()),
    })))
}

/// `GET|POST /api/v1/heartbeats/{key}/fail`: the job ran and failed. Opens the heartbeat's
/// incident at once; the body (the job's output, as text) goes into its details. A body that
/// cannot be read (over 512 KB) is noted instead: the failure must page whatever its log.
async fn fail(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let hb = by_key(&state, &key)?;
    let output = match &body {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(e) => format!("(the job's output was not kept: {e})"),
    };
    let outcome = state.engine.heartbeat_fail(hb, Some(&output)).await?;
    Ok(Json(json!({
        "name": hb.name,
        "outcome": outcome.outcome(),
        "incident": outcome.number().map(|n| n.get()),
    })))
}

/// `GET /api/v1/heartbeats?limit=&cursor=` (bearer token): every heartbeat and how it stands,
/// by name (they come from the config, so the name is their stable order), paged.
async fn list(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["limit", "cursor"])?;
    let paging = Paging::by_name("/api/v1/heartbeats", &q, &[])?;
    let all = state.engine.heartbeats().await?;
    let (page, next) = paging.of_named(all, |h| h.name.as_str());
    let heartbeats: Vec<Value> = page.iter().map(view).collect();
    Ok(Json(
        json!({ "heartbeats": heartbeats, "next_cursor": next }),
    ))
}

fn view(h: &HeartbeatView) -> Value {
    let span = |d: chrono::Duration| HumanDuration::from_minutes(d.num_minutes()).to_string();
    json!({
        "name": h.name,
        "service": h.service,
        "interval": span(h.interval),
        "grace": span(h.grace),
        "status": h.health.as_str(),
        "watched_since": h.watched_since,
        "last_checkin": h.last_checkin,
        "checkins": h.checkins,
        "next_due": h.next_due,
        "down_since": h.down_since,
        "open_incident": h.open_incident.map(|n| n.get()),
    })
}
