//! PagerDuty's error body, `{"error": {"message", "code", "errors"}}`, with PagerDuty's codes, so a
//! client library raises the same exception it would against PagerDuty. Never a 5xx for a bad
//! request; an internal failure is a 503 with a reference to the log line.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use firebell_engine::EngineError;
use firebell_engine::error::log_internal;
use serde_json::json;

/// PagerDuty's error codes that firebell answers with (PagerDuty's "Errors" reference).
pub(crate) mod code {
    pub const INVALID_INPUT: u32 = 2001;
    pub const ARGUMENTS_CAUSED_ERROR: u32 = 2002;
    pub const INVALID_SINCE_UNTIL: u32 = 2004;
    pub const AUTHENTICATION_FAILED: u32 = 2006;
    pub const NOT_FOUND: u32 = 2100;
    /// Acting on an incident that is already resolved.
    pub const INCIDENT_ALREADY_RESOLVED: u32 = 1001;
    pub const INTERNAL: u32 = 2000;
}

/// A rejected PagerDuty REST request.
#[derive(Debug)]
pub(crate) struct PdError {
    status: StatusCode,
    code: u32,
    message: &'static str,
    errors: Vec<String>,
}

impl PdError {
    /// 400, 2001: the request is malformed (a field of the wrong type, an unknown status, …).
    pub(crate) fn invalid(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_INPUT,
            "Invalid Input Provided",
            error,
        )
    }

    /// 400, 2002: each argument is fine but together they cannot be served (offset + limit past
    /// 10,000, since after until).
    pub(crate) fn arguments(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code::ARGUMENTS_CAUSED_ERROR,
            "Arguments Caused Error",
            error,
        )
    }

    /// 400, 2004: a `since`/`until` that is not a time.
    pub(crate) fn since_until(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_SINCE_UNTIL,
            "Invalid 'since' or 'until' Parameter Values",
            error,
        )
    }

    /// 401, 2006: no token, or one firebell does not know.
    pub(crate) fn unauthorized(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            code::AUTHENTICATION_FAILED,
            "Authentication Failed",
            error,
        )
    }

    /// 400, 1001: acknowledging or resolving an incident that is already resolved.
    pub(crate) fn already_resolved(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code::INCIDENT_ALREADY_RESOLVED,
            "Incident Already Resolved",
            error,
        )
    }

    /// 404, 2100.
    pub(crate) fn not_found(error: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "Not Found", error)
    }

    fn new(status: StatusCode, code: u32, message: &'static str, error: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message,
            errors: vec![error.into()],
        }
    }
}

impl PdError {
    /// The HTTP status it answers with (bulk replies report it per entry).
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// What was wrong, as the `errors` list of the body.
    pub(crate) fn errors(&self) -> &[String] {
        &self.errors
    }
}

impl IntoResponse for PdError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "message": self.message,
            "code": self.code,
            "errors": self.errors,
        }});
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Token"),
            );
        }
        resp
    }
}

impl From<EngineError> for PdError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::User(u) => Self::invalid(u.to_string()),
            EngineError::NotFound(m) => Self::not_found(m),
            other => {
                let reference = log_internal(&other, "PagerDuty REST request failed");
                // Never 500: the request may well succeed on retry (database back, restart done).
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::INTERNAL,
                    "Internal Error",
                    format!(
                        "temporarily unable to process the request (ref {reference}); retry later"
                    ),
                )
            }
        }
    }
}

/// Unknown paths under the PagerDuty prefix.
pub(crate) async fn not_found(uri: axum::http::Uri) -> PdError {
    PdError::not_found(format!(
        "no such endpoint: {} (firebell serves the PagerDuty REST API subset listed in its README)",
        uri.path()
    ))
}

pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    let mut e = PdError::invalid(format!("{method} is not allowed on {}", uri.path()));
    e.status = StatusCode::METHOD_NOT_ALLOWED;
    e.into_response()
}
