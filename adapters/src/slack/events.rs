//! The Events API over HTTP (`[slack] mode = "events"`, or whenever a signing secret is set):
//! `POST /slack/events`, `/slack/interactions`, `/slack/commands`. Each request must carry a
//! valid `X-Slack-Signature` over `v0:{timestamp}:{body}` with a timestamp within five minutes
//! (slack-morphism's verifier, constant-time); anything else gets 401 and changes nothing.
//! Slack wants an answer within three seconds, so events and clicks are acknowledged at once
//! and handled after; a slash command's answer is its response.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use tracing::{debug, warn};

use crate::http::AppState;
use crate::http::error::ApiError;

use super::inbound::SlackInbound;

/// What the `/slack/*` routes need: the handler and the secret requests are signed with.
#[derive(Clone)]
pub struct SlackEvents {
    pub inbound: SlackInbound,
    verifier: SlackEventSignatureVerifier,
}

impl SlackEvents {
    pub fn new(inbound: SlackInbound, signing_secret: &str) -> Self {
        Self {
            inbound,
            verifier: SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
                signing_secret.to_owned(),
            )),
        }
    }
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/slack/events", post(events))
        .route("/slack/interactions", post(interactions))
        .route("/slack/commands", post(commands))
}

/// The verified body as text, or the response that refuses it.
fn verified<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(&'a SlackEvents, String), ApiError> {
    let Some(slack) = state.slack.as_ref() else {
        return Err(ApiError::not_found(
            "the Slack Events API is not enabled here: set FIREBELL_SLACK_BOT_TOKEN and \
             FIREBELL_SLACK_SIGNING_SECRET",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
    ) else {
        return Err(ApiError::unauthorized(
            "missing X-Slack-Signature or X-Slack-Request-Timestamp",
        ));
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(ApiError::unauthorized(
            "the body is not UTF-8, so it cannot be signed by Slack",
        ));
    };
    if let Err(e) = slack.verifier.verify(signature, text, timestamp) {
        warn!(error = %e, "rejected a Slack request with a bad or stale signature");
        return Err(ApiError::unauthorized(
            "bad or stale X-Slack-Signature (it must be signed with the app's signing secret, \
             within five minutes)",
        ));
    }
    Ok((slack, text.to_owned()))
}

async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (slack, text) = match verified(&state, &headers, &body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let event: SlackPushEvent = match serde_json::from_str(&text) {
        Ok(e) => e,
        Err(e) => return ApiError::bad_request(format!("not a Slack event: {e}")).into_response(),
    };
    match event {
        SlackPushEvent::UrlVerification(v) => {
            Json(serde_json::json!({ "challenge": v.challenge })).into_response()
        }
        SlackPushEvent::EventCallback(cb) => {
            let inbound = slack.inbound.clone();
            tokio::spawn(async move { inbound.push_event(cb).await });
            StatusCode::OK.into_response()
        }
        SlackPushEvent::AppRateLimited(r) => {
            warn!(?r, "Slack is rate-limiting the events it sends us");
            StatusCode::OK.into_response()
        }
    }
}

async fn interactions(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (slack, text) = match verified(&state, &headers, &body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let payload = serde_urlencoded::from_str::<Vec<(String, String)>>(&text)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(k, _)| k == "payload")
                .map(|(_, v)| v)
        });
    let Some(payload) = payload else {
        return ApiError::bad_request("an interaction is a form with a `payload` field")
            .into_response();
    };
    match serde_json::from_str::<SlackInteractionEvent>(&payload) {
        Ok(event) => {
            let inbound = slack.inbound.clone();
            tokio::spawn(async move { inbound.interaction(event).await });
            StatusCode::OK.into_response()
        }
        Err(e) => {
            debug!(error = %e, "unreadable interaction payload");
            ApiError::bad_request(format!("not a Slack interaction: {e}")).into_response()
        }
    }
}

async fn commands(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (slack, text) = match verified(&state, &headers, &body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match serde_urlencoded::from_str::<SlackCommandEvent>(&text) {
        Ok(event) => Json(slack.inbound.command(event).await).into_response(),
        Err(e) => ApiError::bad_request(format!("not a Slack slash command: {e}")).into_response(),
    }
}
