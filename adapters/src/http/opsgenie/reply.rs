//! Opsgenie's answers: `202 {"result", "took", "requestId"}` for a request taken, and
//! `{"message", "errors", "took", "requestId"}` for one refused, so Opsgenie clients and
//! Alertmanager's logs read them as they would Opsgenie's.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use firebell_engine::EngineError;
use firebell_engine::error::log_internal;
use serde_json::{Map, Value, json};

use super::super::MAX_EVENT_BYTES;

/// Seconds since the request arrived, as Opsgenie's `took`.
fn took(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A request taken: applied and committed before this answer.
pub(super) struct Accepted {
    result: &'static str,
    took: f64,
}

impl Accepted {
    pub(super) fn new(t: Instant) -> Self {
        Self {
            result: "Request will be processed",
            took: took(t),
        }
    }

    /// A heartbeat ping's answer.
    pub(super) fn pong(t: Instant) -> Self {
        Self {
            result: "PONG - Heartbeat received",
            took: took(t),
        }
    }
}

impl IntoResponse for Accepted {
    fn into_response(self) -> Response {
        let body = json!({"result": self.result, "took": self.took, "requestId": request_id()});
        (StatusCode::ACCEPTED, Json(body)).into_response()
    }
}

/// A request refused, in Opsgenie's shape.
#[derive(Debug)]
pub(super) struct OgError {
    status: StatusCode,
    message: String,
    errors: Option<Map<String, Value>>,
    took: f64,
}

impl OgError {
    fn new(status: StatusCode, message: impl Into<String>, t: Instant) -> Self {
        Self {
            status,
            message: message.into(),
            errors: None,
            took: took(t),
        }
    }

    pub(super) fn unauthorized(message: impl Into<String>, t: Instant) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message, t)
    }

    pub(super) fn bad_request(message: impl Into<String>, t: Instant) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, t)
    }

    /// Over the key's rate: retry later.
    pub(super) fn throttled(t: Instant) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Requests for this service are arriving too quickly. Please retry later.",
            t,
        )
    }

    pub(super) fn not_found(message: impl Into<String>, t: Instant) -> Self {
        Self::new(StatusCode::NOT_FOUND, message, t)
    }

    /// Fields that are wrong, each with what would be right (422, as Opsgenie).
    pub(super) fn invalid(errors: Map<String, Value>, t: Instant) -> Self {
        Self {
            errors: Some(errors),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Request body is not processable. Please check the errors.",
                t,
            )
        }
    }

    pub(super) fn field(key: &str, problem: impl Into<String>, t: Instant) -> Self {
        let mut errors = Map::new();
        errors.insert(key.to_owned(), Value::String(problem.into()));
        Self::invalid(errors, t)
    }

    pub(super) fn engine(e: EngineError, t: Instant) -> Self {
        match e {
            EngineError::User(u) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, u.to_string(), t),
            EngineError::NotFound(m) => Self::not_found(m, t),
            other => {
                // Never a 500: the request may well succeed on retry (database back).
                let reference = log_internal(&other, "opsgenie request failed");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "temporarily unable to process the request (ref {reference}); retry later"
                    ),
                    t,
                )
            }
        }
    }
}

impl IntoResponse for OgError {
    fn into_response(self) -> Response {
        let mut body =
            json!({"message": self.message, "took": self.took, "requestId": request_id()});
        if let Some(errors) = self.errors {
            body["errors"] = Value::Object(errors);
        }
        (self.status, Json(body)).into_response()
    }
}

/// The body as a JSON object: 413 when too large, 400 when not JSON, 422 when not an object.
pub(super) fn json_object(
    body: Result<Bytes, BytesRejection>,
    t: Instant,
) -> Result<Map<String, Value>, OgError> {
    let bytes = body.map_err(|e| {
        OgError::new(
            StatusCode::BAD_REQUEST,
            format!("could not read the request body: {e}"),
            t,
        )
    })?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(OgError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body exceeds {MAX_EVENT_BYTES} bytes"),
            t,
        ));
    }
    parse_object(&bytes, t)
}

/// As [`json_object`], with an empty body read as `{}` (acknowledge and close need none).
pub(super) fn json_object_or_empty(
    body: Result<Bytes, BytesRejection>,
    t: Instant,
) -> Result<Map<String, Value>, OgError> {
    match body {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Ok(Map::new()),
        other => json_object(other, t),
    }
}

fn parse_object(bytes: &[u8], t: Instant) -> Result<Map<String, Value>, OgError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(OgError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object, e.g. {\"message\": \"Disk full on db-01\"}",
            t,
        )),
        Err(e) => Err(OgError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
            t,
        )),
    }
}

/// Caller-supplied text quoted back in a message: at most 100 characters.
pub(super) fn shown(s: &str) -> String {
    match s.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}
