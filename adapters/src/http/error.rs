//! JSON error replies. Event endpoints answer in PagerDuty's shape
//! (`{"status":"invalid event","message":"Event object is invalid","errors":[…]}`) so existing
//! integrations parse them; the API uses `{"error": code, "message": text}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use firebell_engine::EngineError;
use firebell_engine::error::log_internal;
use serde_json::json;

/// A rejected event, in PagerDuty's wording.
#[derive(Debug)]
pub(crate) enum EventError {
    Invalid(Vec<String>),
    TooLarge,
    Throttled(StatusCode),
    Engine(EngineError),
}

impl IntoResponse for EventError {
    fn into_response(self) -> Response {
        match self {
            EventError::Invalid(errors) => (
                StatusCode::BAD_REQUEST,
                Json(json!({"status": "invalid event", "message": "Event object is invalid", "errors": errors})),
            )
                .into_response(),
            EventError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(json!({
                    "status": "invalid event",
                    "message": "Event object is too large",
                    "errors": [format!("the request body exceeds {} bytes", super::MAX_EVENT_BYTES)],
                })),
            )
                .into_response(),
            EventError::Throttled(status) => (
                status,
                Json(json!({
                    "status": "throttle exceeded",
                    "message": "Requests for this service are arriving too quickly. Please retry later.",
                })),
            )
                .into_response(),
            EventError::Engine(e) => engine_error(e),
        }
    }
}

impl From<EngineError> for EventError {
    fn from(e: EngineError) -> Self {
        EventError::Engine(e)
    }
}

/// An API error.
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }

    /// Well-formed, but naming something that does not exist or cannot be (an unknown schedule,
    /// a duration of `1x`): 422, so clients can tell it from malformed JSON (400).
    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "unprocessable",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(json!({"error": self.code, "message": self.message})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::User(u) => Self {
                status: StatusCode::CONFLICT,
                code: "conflict",
                message: u.to_string(),
            },
            EngineError::NotFound(m) => Self {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: m,
            },
            other => {
                let (status, message) = internal(&other);
                Self {
                    status,
                    code: "unavailable",
                    message,
                }
            }
        }
    }
}

/// Logs an internal error once with its cause chain and returns a short reference for the client.
fn internal(e: &EngineError) -> (StatusCode, String) {
    let reference = log_internal(e, "request failed");
    // Never 500: the request may well succeed on retry (database back, restart finished).
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("temporarily unable to process the request (ref {reference}); retry later"),
    )
}

fn engine_error(e: EngineError) -> Response {
    match e {
        EngineError::User(u) => EventError::Invalid(vec![u.to_string()]).into_response(),
        EngineError::NotFound(m) => EventError::Invalid(vec![m]).into_response(),
        other => {
            let (status, message) = internal(&other);
            (
                status,
                Json(json!({"status": "unavailable", "message": message})),
            )
                .into_response()
        }
    }
}

pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "not_found", "message": format!("no such endpoint: {}", uri.path())})),
    )
        .into_response()
}

pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({"error": "method_not_allowed", "message": format!("{method} is not allowed on {}", uri.path())})),
    )
        .into_response()
}
