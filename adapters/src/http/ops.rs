//! Probes for orchestrators and monitoring.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;

/// Liveness: the process answers.
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: every ingest queue has a writer, and the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let (down, writers) = state.engine.ingest_writers_down();
    if !down.is_empty() {
        let which = down
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "message": format!(
                    "ingest writer {which} of {writers} is not running (restarting after a crash)"
                ),
                "reason": "ingest_writer_down",
            })),
        )
            .into_response();
    }
    match state.engine.store().ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "message": "database unreachable",
                    "reason": "database_unreachable",
                })),
            )
                .into_response()
        }
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let stats = match state.engine.stats().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database unreachable");
            Default::default()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(&stats),
    )
        .into_response()
}
