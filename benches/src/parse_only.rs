//! The parse-only ceiling: a server whose `POST /v2/enqueue` does everything the real endpoint does
//! before the database — read the body, parse and validate it with the same code
//! (`parse_event_v2`) — and answers with the same JSON, but stores nothing. The gap between this
//! and a durable scenario is the cost of durability.
//!
//! It reads the dedup key for its reply with a second, borrowing pass over the body (serde skips
//! every other field); the real endpoint takes it from the engine's outcome instead.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use firebell_adapters::http::{MAX_EVENT_BYTES, parse_event_v2};
use serde::Deserialize;
use serde_json::json;

/// Serves until SIGINT/SIGTERM or until `max_lifetime` has passed, whichever comes first.
pub async fn serve(listen: SocketAddr, max_lifetime: Duration) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    eprintln!("parse-only ceiling listening on http://{listen}/v2/enqueue");
    axum::serve(listener, router())
        .with_graceful_shutdown(stop_signal(max_lifetime))
        .await
        .context("serving")
}

pub fn router() -> Router {
    Router::new()
        .route("/v2/enqueue", post(enqueue))
        .route("/healthz", get(|| async { "ok" }))
        // As in firebell: our handler answers oversize bodies itself.
        .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES + 1))
}

async fn enqueue(body: Bytes) -> Response {
    if body.len() > MAX_EVENT_BYTES {
        let errors = [format!("the request body exceeds {MAX_EVENT_BYTES} bytes")];
        let reply = json!({"status": "invalid event", "message": "Event object is too large", "errors": errors});
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(reply)).into_response();
    }
    if let Err(errors) = parse_event_v2(&body) {
        let reply = json!({"status": "invalid event", "message": "Event object is invalid", "errors": errors});
        return (StatusCode::BAD_REQUEST, axum::Json(reply)).into_response();
    }
    let reply =
        json!({"status": "success", "message": "Event processed", "dedup_key": dedup_key(&body)});
    (StatusCode::ACCEPTED, axum::Json(reply)).into_response()
}

#[derive(Deserialize)]
struct KeyOnly<'a> {
    #[serde(borrow)]
    dedup_key: Option<Cow<'a, str>>,
}

/// The event's dedup key, or a fresh one as firebell generates for a trigger without one.
fn dedup_key(body: &[u8]) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    match serde_json::from_slice::<KeyOnly>(body) {
        Ok(KeyOnly { dedup_key: Some(k) }) => k.into_owned(),
        _ => format!("parse-only-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
    }
}

/// SIGINT, SIGTERM or `max_lifetime`, whichever comes first: a bench server never outlives a
/// script that forgot it.
pub(crate) async fn stop_signal(max_lifetime: Duration) {
    let term = async {
        #[cfg(unix)]
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
        _ = tokio::time::sleep(max_lifetime) => eprintln!("lifetime over, stopping"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "benchkey000000000000000000000001";

    #[test]
    fn the_reply_carries_the_events_dedup_key() {
        let body = crate::event::trigger(KEY, "disk-db-01", crate::event::SUMMARY, 7);
        assert_eq!(dedup_key(body.as_bytes()), "disk-db-01");
        assert!(dedup_key(br#"{"event_action":"trigger"}"#).starts_with("parse-only-"));
    }
}
