//! Twilio's webhooks: SMS replies, key presses during a call, and delivery status. Every request
//! must carry a valid `X-Twilio-Signature` before anything is read from it; a forged or unsigned
//! request gets a JSON 403 and changes nothing.
//!
//! # Layout
//! - `mod.rs`: [`routes`], the signed-webhook extractor, TwiML and JSON replies.
//! - `sms`: `POST /twilio/sms` — `4`, `ACK 42`, `RESOLVE 42`, `ESCALATE 42`.
//! - `voice`: `POST /twilio/voice?incident=42` — digits 4, 6, 5.
//!
//! Replies and key presses act only on incidents the person was paged about by SMS or call;
//! a number no user has gets an empty answer; a request delivered twice (same `MessageSid`, or
//! `CallSid` and key) acts once ([`firebell_engine::replay`]).
//! - `status`: `POST /twilio/status` — delivery and call outcomes onto the timeline.

mod sms;
mod status;
mod voice;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use firebell_engine::EngineError;
use firebell_engine::error::log_internal;
use serde_json::json;
use tracing::warn;

use super::signature;
use crate::http::AppState;

/// Twilio's webhook bodies are a few hundred bytes; anything near this is not Twilio.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// The webhook routes, for the HTTP router to merge.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/twilio/sms", post(sms::reply))
        .route("/twilio/voice", post(voice::digits))
        .route("/twilio/status", post(status::callback))
}

/// A webhook whose signature checked out: its form parameters and query.
pub(crate) struct Signed {
    params: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Signed {
    /// A form parameter (`From`, `Body`, `Digits`, `MessageSid`, …).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        find(&self.params, name)
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        find(&self.query, name)
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl FromRequest<AppState> for Signed {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(twilio) = &state.providers.twilio else {
            return Err(json_error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Twilio is not configured on this firebell (no [providers.twilio])",
            ));
        };
        let Some(public_url) = state.providers.public_url.as_deref() else {
            return Err(json_error(
                StatusCode::NOT_FOUND,
                "not_found",
                "Twilio webhooks need providers.public_url, the URL Twilio signs its requests for",
            ));
        };
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned());
        let query = parse_pairs(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
        let presented = req
            .headers()
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = axum::body::to_bytes(req.into_body(), MAX_WEBHOOK_BYTES)
            .await
            .map_err(|e| {
                json_error(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    &format!("could not read the request body: {e}"),
                )
            })?;
        let Some(presented) = presented else {
            warn!(path = %path_and_query, "Twilio webhook without a signature");
            return Err(forbidden("missing X-Twilio-Signature header"));
        };
        let params = parse_pairs(&body)
            .map_err(|e| forbidden(&format!("the body is not a form Twilio would sign: {e}")))?;
        let url = format!("{}{}", public_url.trim_end_matches('/'), path_and_query);
        if !signature::is_valid(twilio.auth_token.expose(), &url, &params, &presented) {
            warn!(%url, "Twilio webhook with a bad signature");
            return Err(forbidden(
                "X-Twilio-Signature does not match this request (check providers.public_url and the Twilio auth token)",
            ));
        }
        Ok(Signed { params, query })
    }
}

fn parse_pairs(bytes: &[u8]) -> Result<Vec<(String, String)>, serde_urlencoded::de::Error> {
    serde_urlencoded::from_bytes(bytes)
}

pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": code, "message": message})),
    )
        .into_response()
}

fn forbidden(message: &str) -> Response {
    json_error(StatusCode::FORBIDDEN, "forbidden", message)
}

/// A TwiML document with the content type Twilio expects.
pub(crate) fn twiml(xml: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{xml}"),
    )
        .into_response()
}

/// An empty TwiML document: Twilio sends nothing and hangs up. For strangers and replays, whom
/// firebell does not pay to answer.
pub(crate) fn no_reply() -> Response {
    twiml("<Response/>".to_owned())
}

/// What to tell a person whose request the engine turned down: its own words for their mistakes,
/// a reference for ours (logged here with the cause chain).
pub(crate) fn explain(e: &EngineError) -> String {
    match e.user_message() {
        Some(message) => message.to_owned(),
        None => format!(
            "firebell could not do that just now (ref {}); try again or use chat",
            log_internal(e, "Twilio webhook failed")
        ),
    }
}
