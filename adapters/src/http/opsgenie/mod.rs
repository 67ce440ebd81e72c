//! Opsgenie's Alert API, the part monitors call: anything that can notify Opsgenie — Prometheus
//! Alertmanager's `opsgenie_configs`, a script on the Alert API — can page firebell by changing
//! its API URL.
//!
//! - `POST /v2/alerts`: create. `alias` is the dedup key (none: every create is an alert of its
//!   own); `priority` P1–P5 becomes the severity.
//! - `POST /v2/alerts/{identifier}/acknowledge`, `/close`, `/notes`: `identifierType=alias` names
//!   the alert by its alias, `id` (Opsgenie's default) by firebell's incident number.
//! - `GET|POST /v2/heartbeats/{name}/ping`: a firebell heartbeat's check-in.
//!
//! Alerts are authenticated by `Authorization: GenieKey <integration key>` (a service's key, as
//! on the Events API), pings by the heartbeat's own key. Answers are Opsgenie's:
//! `202 {"result": "Request will be processed", "took": …, "requestId": …}`, and errors
//! `{"message": …, "errors": {field: problem}, "took": …, "requestId": …}` — never a 5xx for
//! a bad request.
//!
//! # Layout
//! - here: routes, authentication, the actions on one alert.
//! - `alert`: the create body, checked field by field.
//! - `heartbeat`: heartbeat pings.
//! - `reply`: Opsgenie's answer and error shapes.

mod alert;
mod heartbeat;
mod reply;

use std::collections::HashMap;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use firebell_engine::{
    Actor, AlertKind, Channel, DedupKey, Incident, IncidentNumber, NewAlert, ServiceName,
};
use serde_json::{Map, Value};

use super::AppState;
use super::body::redacted;
use super::error::EventError;
use reply::{Accepted, OgError};

/// Longest note (Opsgenie's own limit is 25,000 characters; ours is the engine's).
const USER_MAX: usize = 100;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/alerts", post(create))
        .route(
            "/v2/alerts/{identifier}/acknowledge",
            post(act::<ACKNOWLEDGE>),
        )
        .route("/v2/alerts/{identifier}/close", post(act::<CLOSE>))
        .route("/v2/alerts/{identifier}/notes", post(note))
        .route(
            "/v2/heartbeats/{name}/ping",
            get(heartbeat::ping).post(heartbeat::ping),
        )
}

/// The key of `Authorization: GenieKey <key>`, or a 401 that says how to send it.
pub(super) fn genie_key(headers: &HeaderMap) -> Result<&str, &'static str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or("missing `Authorization: GenieKey <key>` header")?
        .to_str()
        .map_err(|_| "the Authorization header is not valid text")?;
    value
        .strip_prefix("GenieKey ")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or("use `Authorization: GenieKey <key>`")
}

/// The service whose integration key the caller sent (compared in constant time), after the
/// key's rate limit (429 over it, as Opsgenie).
fn service_of(state: &AppState, headers: &HeaderMap, t: Instant) -> Result<ServiceName, OgError> {
    let key = genie_key(headers).map_err(|m| OgError::unauthorized(m, t))?;
    state
        .route(key, StatusCode::TOO_MANY_REQUESTS)
        .map_err(|e| match e {
            EventError::Throttled(_) => OgError::throttled(t),
            _ => OgError::unauthorized(
                "the GenieKey is not the integration key of any service (check the service's \
                 integration_keys in firebell.toml)",
                t,
            ),
        })
}

/// `POST /v2/alerts`.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Accepted, OgError> {
    let t = Instant::now();
    let service = service_of(&state, &headers, t)?;
    let raw = reply::json_object(body, t)?;
    let kind = alert::parse(&raw).map_err(|errors| OgError::invalid(errors, t))?;
    let event = NewAlert {
        service,
        kind,
        actor: Actor::new("Opsgenie API", Channel::Events),
        raw: redacted(Value::Object(raw), "apiKey"),
    };
    let outcome = state
        .engine
        .ingest(event)
        .await
        .map_err(|e| OgError::engine(e, t))?;
    state.metrics.ingested("opsgenie", &outcome);
    Ok(Accepted::new(t))
}

/// Which alert a path names: `identifierType=alias` (the dedup key) or `id` (the default, as in
/// Opsgenie: firebell's incident number).
enum Identifier {
    Alias(DedupKey),
    Number(IncidentNumber),
}

fn identifier(
    raw: &str,
    query: &HashMap<String, String>,
    t: Instant,
) -> Result<Identifier, OgError> {
    let kind = query.get("identifierType").map_or("id", String::as_str);
    match kind {
        "alias" => DedupKey::parse(raw)
            .map(Identifier::Alias)
            .map_err(|e| OgError::field("identifier", e.to_string(), t)),
        "id" => IncidentNumber::parse(raw)
            .map(Identifier::Number)
            .map_err(|_| {
                OgError::field(
                    "identifier",
                    format!(
                        "`{}` is not a firebell incident number; with identifierType=id the \
                         identifier is the incident number (42), or use identifierType=alias",
                        reply::shown(raw)
                    ),
                    t,
                )
            }),
        other => Err(OgError::field(
            "identifierType",
            format!(
                "`{}` is not supported: use alias or id (firebell's incident number)",
                reply::shown(other)
            ),
            t,
        )),
    }
}

/// The incident an identifier names, in the caller's service.
async fn incident_of(
    state: &AppState,
    service: &ServiceName,
    id: &Identifier,
    t: Instant,
) -> Result<Incident, OgError> {
    let found = match id {
        Identifier::Number(n) => state.engine.incident(*n).await,
        Identifier::Alias(key) => state.engine.incident_for_key(service, key).await,
    };
    let incident = found.map_err(|e| OgError::engine(e, t))?;
    if &incident.service != service {
        return Err(OgError::not_found(
            format!(
                "incident {} belongs to another service than this GenieKey's",
                incident.number
            ),
            t,
        ));
    }
    Ok(incident)
}

/// The body of acknowledge, close and notes: who (`user`) and an optional `note`.
struct ActionBody {
    actor: Actor,
    note: Option<String>,
}

fn action_body(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
    t: Instant,
) -> Result<ActionBody, OgError> {
    let raw = reply::json_object_or_empty(body, t)?;
    let mut errors = Map::new();
    let text = |key: &str, max: usize, errors: &mut Map<String, Value>| match raw.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.insert(
                key.into(),
                format!("must be at most {max} characters").into(),
            );
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.insert(key.into(), "must be a string".into());
            None
        }
    };
    let user = text("user", USER_MAX, &mut errors);
    let note = text("note", firebell_engine::engine::MAX_NOTE_CHARS, &mut errors);
    if !errors.is_empty() {
        return Err(OgError::invalid(errors, t));
    }
    // A configured user (by id or email) acts as themselves; anyone else under the given name.
    let config = state.engine.config();
    let name = match user {
        Some(u) => config
            .users
            .values()
            .find(|c| c.id.as_str() == u || c.email.as_deref() == Some(u.as_str()))
            .map_or(u, |c| c.id.as_str().to_owned()),
        None => "Opsgenie API".to_owned(),
    };
    Ok(ActionBody {
        actor: Actor::new(name, Channel::Api),
        note,
    })
}

/// A request about one alert, checked: whose key, which alert, who acts, with what note.
struct OnAlert {
    /// When it arrived, for `took`.
    t: Instant,
    service: ServiceName,
    id: Identifier,
    query: HashMap<String, String>,
    actor: Actor,
    note: Option<String>,
}

impl FromRequest<AppState> for OnAlert {
    type Rejection = OgError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, OgError> {
        let t = Instant::now();
        let (mut parts, body) = req.into_parts();
        let identifier = Path::<String>::from_request_parts(&mut parts, state).await;
        let query = Query::<HashMap<String, String>>::from_request_parts(&mut parts, state).await;
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), state).await;
        on_alert(state, &headers, identifier, query, body, t)
    }
}

fn on_alert(
    state: &AppState,
    headers: &HeaderMap,
    identifier_raw: Ident,
    query: Params,
    body: Result<Bytes, BytesRejection>,
    t: Instant,
) -> Result<OnAlert, OgError> {
    let service = service_of(state, headers, t)?;
    let (identifier_raw, query) = path_and_query(identifier_raw, query, t)?;
    let id = identifier(&identifier_raw, &query, t)?;
    let ActionBody { actor, note } = action_body(state, body, t)?;
    Ok(OnAlert {
        t,
        service,
        id,
        query,
        actor,
        note,
    })
}

/// What `act` does, as its route's const parameter.
const ACKNOWLEDGE: bool = false;
const CLOSE: bool = true;

/// Acknowledge or close: by alias through ingest, as a monitor's event (durable before the 202,
/// and a close for an alert already gone changes nothing, as Opsgenie); by id on the incident,
/// as a person's action.
async fn act<const CLOSES: bool>(
    State(state): State<AppState>,
    OnAlert {
        t,
        service,
        id,
        query,
        actor,
        note,
    }: OnAlert,
) -> Result<Accepted, OgError> {
    let e = |e| OgError::engine(e, t);
    match id {
        Identifier::Alias(dedup_key) => {
            let kind = if CLOSES {
                AlertKind::Resolve {
                    dedup_key: dedup_key.clone(),
                }
            } else {
                AlertKind::Acknowledge {
                    dedup_key: dedup_key.clone(),
                }
            };
            let event = NewAlert {
                service: service.clone(),
                kind,
                actor: actor.clone(),
                raw: serde_json::json!(query),
            };
            state.engine.ingest(event).await.map_err(e)?;
            if let Some(note) = note
                && let Ok(i) = state.engine.incident_for_key(&service, &dedup_key).await
            {
                state
                    .engine
                    .add_note(i.number, &actor, &note)
                    .await
                    .map_err(e)?;
            }
        }
        Identifier::Number(n) => {
            let incident = incident_of(&state, &service, &Identifier::Number(n), t).await?;
            if CLOSES {
                let note = note.as_deref();
                state
                    .engine
                    .resolve(incident.number, &actor, note)
                    .await
                    .map_err(e)?;
            } else {
                state
                    .engine
                    .acknowledge(incident.number, &actor)
                    .await
                    .map_err(e)?;
                if let Some(note) = &note {
                    state
                        .engine
                        .add_note(incident.number, &actor, note)
                        .await
                        .map_err(e)?;
                }
            }
        }
    }
    Ok(Accepted::new(t))
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;
pub(super) type Ident = Result<Path<String>, PathRejection>;

/// The path's identifier and the query, or a 400 in Opsgenie's shape.
fn path_and_query(
    identifier: Ident,
    query: Params,
    t: Instant,
) -> Result<(String, HashMap<String, String>), OgError> {
    let bad = |e: String| OgError::bad_request(e, t);
    let Path(identifier) = identifier.map_err(|e| bad(e.body_text()))?;
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    Ok((identifier, query))
}

/// `POST /v2/alerts/{identifier}/notes`: `{"note": …, "user": …}` on the incident's timeline.
async fn note(
    State(state): State<AppState>,
    OnAlert {
        t,
        service,
        id,
        actor,
        note,
        ..
    }: OnAlert,
) -> Result<Accepted, OgError> {
    let Some(note) = note else {
        return Err(OgError::field(
            "note",
            "a note needs text: {\"note\": \"…\"}",
            t,
        ));
    };
    let incident = incident_of(&state, &service, &id, t).await?;
    state
        .engine
        .add_note(incident.number, &actor, &note)
        .await
        .map_err(|e| OgError::engine(e, t))?;
    Ok(Accepted::new(t))
}
