//! `POST /discord/interactions`: Discord's HTTP interactions endpoint, for slash commands and
//! buttons when the application's "Interactions Endpoint URL" points here. Every request must
//! carry a valid Ed25519 signature (`X-Signature-Ed25519` over `X-Signature-Timestamp` ‖ body,
//! by serenity's verifier) with a timestamp within five minutes; anything else gets 401 and
//! changes nothing. PING is answered with PONG, as Discord checks when the URL is saved.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use serenity::all::Interaction;
use serenity::interactions_endpoint::Verifier;
use tracing::warn;

use super::inbound::DiscordInbound;
use crate::http::AppState;
use crate::http::error::ApiError;

/// How old (or how far ahead) a signed request may be.
const FRESH_SECONDS: i64 = 300;

#[derive(Clone)]
pub struct DiscordEndpoint {
    pub inbound: DiscordInbound,
    verifier: std::sync::Arc<Verifier>,
}

impl DiscordEndpoint {
    /// `None` when the key is not 32 bytes of hex (the config has checked it already).
    pub fn new(inbound: DiscordInbound, public_key_hex: &str) -> Option<Self> {
        let bytes: Vec<u8> = (0..public_key_hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(public_key_hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?;
        let key: [u8; 32] = bytes.try_into().ok()?;
        let verifier = Verifier::try_new(key).ok()?;
        Some(Self {
            inbound,
            verifier: std::sync::Arc::new(verifier),
        })
    }
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/discord/interactions", post(interactions))
}

async fn interactions(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(discord) = state.discord.as_ref() else {
        return ApiError::not_found(
            "the Discord interactions endpoint is not enabled here: set FIREBELL_DISCORD_TOKEN \
             and FIREBELL_DISCORD_PUBLIC_KEY",
        )
        .into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return ApiError::unauthorized("missing X-Signature-Ed25519 or X-Signature-Timestamp")
            .into_response();
    };
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|ts| (chrono::Utc::now().timestamp() - ts).abs() <= FRESH_SECONDS);
    if !fresh
        || discord
            .verifier
            .verify(signature, timestamp, &body)
            .is_err()
    {
        warn!("rejected a Discord interaction with a bad or stale signature");
        return ApiError::unauthorized(
            "bad or stale X-Signature-Ed25519 (it must be signed with the application's key, \
             within five minutes)",
        )
        .into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            return ApiError::bad_request(format!("not a Discord interaction: {e}"))
                .into_response();
        }
    };
    let inbound = &discord.inbound;
    let answer: Value = match &interaction {
        Interaction::Ping(_) => json!({ "type": 1 }),
        _ => match inbound.interaction(&interaction).await {
            Some(answer) => answer,
            None => {
                return ApiError::bad_request(
                    "firebell answers /firebell and its own buttons only",
                )
                .into_response();
            }
        },
    };
    Json(answer).into_response()
}
