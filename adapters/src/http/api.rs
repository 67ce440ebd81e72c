//! `/api/v1`: read incidents with their timelines, acknowledge and resolve them, read the alert log
//! and change events. Bearer-token authenticated; errors are `{"error": code, "message": text}`.
//! On-call, overrides and maintenance windows live beside it (`api_oncall`, `api_maintenance`)
//! and are merged into [`routes`].

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use firebell_engine::{Actor, Channel, Incident, IncidentFilter, IncidentNumber, IncidentStatus};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::page::{Key, Paging};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents", get(list))
        .route("/api/v1/incidents/{n}", get(show))
        .route("/api/v1/incidents/{n}/acknowledge", post(acknowledge))
        .route("/api/v1/incidents/{n}/resolve", post(resolve))
        .route("/api/v1/incidents/{n}/notes", post(note))
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/changes", get(changes))
        .route("/api/v1/services", get(services))
        .merge(super::api_oncall::routes())
        .merge(super::api_maintenance::routes())
        .merge(super::api_postmortem::routes())
        .merge(super::api_reports::routes())
}

/// An incident as the API shows it: PagerDuty-like field names, RFC 3339 times or null.
#[derive(Serialize)]
struct IncidentView {
    id: i64,
    number: i64,
    service: String,
    dedup_key: String,
    title: String,
    source: Option<String>,
    severity: &'static str,
    status: &'static str,
    alert_count: i64,
    created_at: DateTime<Utc>,
    last_alert_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<String>,
    acknowledged_via: Option<&'static str>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<String>,
    resolved_via: Option<&'static str>,
    details: Value,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> Self {
        IncidentView {
            id: i.number.get(),
            number: i.number.get(),
            service: i.service.to_string(),
            dedup_key: i.dedup_key.to_string(),
            title: i.title,
            source: i.source,
            severity: i.severity.as_str(),
            status: i.status.as_str(),
            alert_count: i.alert_count,
            created_at: i.created_at,
            last_alert_at: i.last_alert_at,
            acknowledged_at: i.acknowledged_at,
            acknowledged_by: i.acknowledged_by,
            acknowledged_via: i.acknowledged_via.map(Channel::as_str),
            resolved_at: i.resolved_at,
            resolved_by: i.resolved_by,
            resolved_via: i.resolved_via.map(Channel::as_str),
            details: i.details,
        }
    }
}

pub(super) type Params = Query<HashMap<String, String>>;

/// A text query parameter; empty counts as absent, as it always has for these filters.
pub(super) fn text<'q>(q: &'q HashMap<String, String>, name: &str) -> Option<&'q str> {
    q.get(name).map(String::as_str).filter(|s| !s.is_empty())
}

pub(super) fn only_params(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match q.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::bad_request(format!(
            "unknown query parameter `{k}` (allowed: {})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// `GET /api/v1/incidents?status=&service=&limit=&cursor=`: newest first (by number), paged.
async fn list(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["status", "service", "limit", "cursor"])?;
    let mut filter = IncidentFilter::default();
    if let Some(statuses) = q.get("status").filter(|s| !s.is_empty()) {
        for s in statuses.split(',') {
            let status = s
                .trim()
                .parse::<IncidentStatus>()
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            if !filter.statuses.contains(&status) {
                filter.statuses.push(status);
            }
        }
    }
    if let Some(name) = q.get("service").filter(|s| !s.is_empty()) {
        let service = state.engine.config().service(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown service `{name}` (services: {})",
                state.engine.config().service_names().join(", ")
            ))
        })?;
        filter.service = Some(service.name.clone());
    }
    let mut statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    statuses.sort_unstable();
    let service = filter.service.as_ref().map_or("", |s| s.as_str());
    let paging = Paging::newest_first(
        "/api/v1/incidents",
        &q,
        &[("service", service), ("status", &statuses.join(","))],
    )?;
    filter.limit = Some(paging.fetch());
    let before = paging.page().before.and_then(IncidentNumber::positive);
    let incidents = state.engine.incidents_before(&filter, before).await?;
    let (incidents, next) = paging.finish(incidents, |i| Key::Id(i.number.get()));
    let views: Vec<IncidentView> = incidents.into_iter().map(Into::into).collect();
    Ok(Json(json!({"incidents": views, "next_cursor": next})))
}

fn number(s: &str) -> Result<IncidentNumber, ApiError> {
    IncidentNumber::parse(s).map_err(|e| ApiError::bad_request(e.to_string()))
}

async fn show(
    State(state): State<AppState>,
    _c: Caller,
    Path(n): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = number(&n)?;
    let incident = state.engine.incident(n).await?;
    let timeline = state.engine.timeline(n).await?;
    let notifications = state.engine.deliveries(n).await?;
    Ok(Json(
        json!({"incident": IncidentView::from(incident), "timeline": timeline, "notifications": notifications}),
    ))
}

/// The optional JSON body of acknowledge/resolve/notes: `{"note": "…"}`.
fn note_of(body: &Bytes, required: bool) -> Result<Option<String>, ApiError> {
    if body.is_empty() {
        return if required {
            Err(ApiError::bad_request(
                "send a JSON body {\"note\": \"text\"}",
            ))
        } else {
            Ok(None)
        };
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(m) = v else {
        return Err(ApiError::bad_request(
            "the body must be a JSON object such as {\"note\": \"text\"}",
        ));
    };
    if let Some(k) = m.keys().find(|k| *k != "note") {
        return Err(ApiError::bad_request(format!(
            "unknown field `{k}` (allowed: note)"
        )));
    }
    match m.get("note") {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 4096 => {
            Ok(Some(s.clone()))
        }
        _ => Err(ApiError::bad_request(
            "`note` must be a non-empty string of at most 4096 characters",
        )),
    }
}

/// A change to incident `N` by the API's caller (`POST /incidents/N/…`), with the request body.
/// Extracted in the order the handlers always checked: the token, the path, the body, then
/// whether `N` is an incident number.
struct Acting {
    actor: Actor,
    n: IncidentNumber,
    body: Bytes,
}

impl FromRequest<AppState> for Acting {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Caller(who) = Caller::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(n) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            actor: Actor::new(who, Channel::Api),
            n: number(&n).map_err(IntoResponse::into_response)?,
            body,
        })
    }
}

async fn acknowledge(
    State(state): State<AppState>,
    Acting { actor, n, body }: Acting,
) -> Result<Json<Value>, ApiError> {
    let note = note_of(&body, false)?;
    let incident = state.engine.acknowledge(n, &actor).await?;
    if let Some(note) = note {
        state.engine.add_note(n, &actor, &note).await?;
    }
    Ok(Json(json!({"incident": IncidentView::from(incident)})))
}

async fn resolve(
    State(state): State<AppState>,
    Acting { actor, n, body }: Acting,
) -> Result<Json<Value>, ApiError> {
    let note = note_of(&body, false)?;
    let incident = state.engine.resolve(n, &actor, note.as_deref()).await?;
    Ok(Json(json!({"incident": IncidentView::from(incident)})))
}

async fn note(
    State(state): State<AppState>,
    Acting { actor, n, body }: Acting,
) -> Result<Json<Value>, ApiError> {
    let text = note_of(&body, true)?.unwrap_or_default();
    let incident = state.engine.add_note(n, &actor, &text).await?;
    Ok(Json(json!({"incident": IncidentView::from(incident)})))
}

async fn alerts(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["service", "outcome", "limit", "cursor"])?;
    if let Some(o) = q.get("outcome")
        && !firebell_engine::alert::OUTCOMES.contains(&o.as_str())
    {
        return Err(ApiError::bad_request(format!(
            "unknown outcome `{o}` (one of: {})",
            firebell_engine::alert::OUTCOMES.join(", ")
        )));
    }
    let (service, outcome) = (text(&q, "service"), text(&q, "outcome"));
    let filters = [
        ("service", service.unwrap_or("")),
        ("outcome", outcome.unwrap_or("")),
    ];
    let paging = Paging::newest_first("/api/v1/alerts", &q, &filters)?;
    let log = state
        .engine
        .alert_log(service, outcome, paging.page())
        .await?;
    let (log, next) = paging.finish(log, |a| Key::Id(a.id));
    Ok(Json(json!({"alerts": log, "next_cursor": next})))
}

async fn changes(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["service", "limit", "cursor"])?;
    let service = text(&q, "service");
    let filters = [("service", service.unwrap_or(""))];
    let paging = Paging::newest_first("/api/v1/changes", &q, &filters)?;
    let changes = state.engine.changes(service, paging.page()).await?;
    let (changes, next) = paging.finish(changes, |c| Key::Id(c.id));
    Ok(Json(json!({"changes": changes, "next_cursor": next})))
}

/// `GET /api/v1/services?limit=&cursor=`: the configured services, by name, paged.
async fn services(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["limit", "cursor"])?;
    let paging = Paging::by_name("/api/v1/services", &q, &[])?;
    let all: Vec<_> = state.engine.config().services.values().collect();
    let (page, next) = paging.of_named(all, |s| s.name.as_str());
    let services: Vec<Value> = page
        .into_iter()
        .map(|s| {
            json!({
                "name": s.name.as_str(),
                "description": s.description,
                "room": s.room,
                "escalation_policy": s.escalation_policy,
                "events_per_minute": s.events_per_minute,
            })
        })
        .collect();
    Ok(Json(json!({"services": services, "next_cursor": next})))
}
