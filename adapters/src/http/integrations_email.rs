//! `POST /integrations/email/{key}` — one raw RFC 5322 message as the body, for mail that reaches
//! firebell through something other than its SMTP listener: a postfix pipe
//! (`| curl --data-binary @- …`), or a mail gateway's webhook. `{key}` is one of the service's
//! integration keys (checked as every integration checks them: constant time, then the key's
//! rate limit). The service's email rules apply exactly as for SMTP; the 202 is sent once the
//! outcome — event or discard — is committed, and every refusal is in the mail log.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use firebell_engine::ServiceName;
use firebell_engine::email::{MailVia, ReceivedMail, RefusedMail};
use serde_json::json;
use tracing::warn;

use super::AppState;
use crate::email_inbound::parse::parse;

/// The route, with a body limit of the configured `max_size` (not the 512 KB of events).
pub(crate) fn routes(max_size: usize) -> Router<AppState> {
    Router::new().route(
        "/integrations/email/{key}",
        post(receive).layer(DefaultBodyLimit::max(max_size.saturating_add(1))),
    )
}

async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = match state.route(&key, StatusCode::TOO_MANY_REQUESTS) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let max = state.mail_max_size;
    let bytes = match body {
        Ok(b) if b.len() <= max => b,
        Ok(_) => return too_large(&state, &service, max).await,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large(&state, &service, max).await;
        }
        Err(e) => {
            return invalid(
                StatusCode::BAD_REQUEST,
                format!("could not read the request body: {e}"),
            );
        }
    };
    if bytes.is_empty() {
        return invalid(
            StatusCode::BAD_REQUEST,
            "the body is empty: POST the raw message, e.g. `curl --data-binary @alert.eml …`",
        );
    }
    let mail = match parse(&bytes, None) {
        Ok(m) => m,
        Err(e) => {
            refuse(&state, &service, bytes.len(), e.0).await;
            return invalid(StatusCode::BAD_REQUEST, e.0);
        }
    };
    let received = ReceivedMail {
        via: MailVia::Http,
        recipient: None,
        size: bytes.len(),
        mail: &mail,
    };
    match state.engine.receive_mail(&service, &received).await {
        Ok(entry) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "status": "success",
                "message": "Mail processed",
                "outcome": entry.outcome,
                "incident": entry.incident,
                "dedup_key": entry.dedup_key,
                "reason": entry.reason,
            })),
        )
            .into_response(),
        Err(e) => super::error::EventError::Engine(e).into_response(),
    }
}

async fn too_large(state: &AppState, service: &ServiceName, max: usize) -> Response {
    let why = format!("the message is larger than the limit of {max} bytes ([email] max_size)");
    refuse(state, service, max, &why).await;
    invalid(StatusCode::PAYLOAD_TOO_LARGE, why)
}

/// Records a refusal in the mail log; the client gets its 4xx whether or not that worked.
async fn refuse(state: &AppState, service: &ServiceName, size: usize, reason: &str) {
    let refused = RefusedMail {
        via: MailVia::Http,
        service: Some(service),
        recipient: None,
        sender: "",
        subject: "",
        size,
        reason,
    };
    if let Err(e) = state.engine.refuse_mail(&refused).await {
        warn!(error = %e, reason, "could not record a refused mail");
    }
}

fn invalid(status: StatusCode, why: impl Into<String>) -> Response {
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "Message is too large"
    } else {
        "Message is invalid"
    };
    (
        status,
        Json(json!({"status": "invalid message", "message": message, "errors": [why.into()]})),
    )
        .into_response()
}
