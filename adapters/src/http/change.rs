//! `POST /v2/change/enqueue` — PagerDuty change events: deploys and config changes, recorded on the
//! service for context during incidents. They never open an incident or page anyone.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use firebell_engine::ChangeEvent;
use serde_json::{Value, json};

use super::AppState;
use super::body::{Check, json_body, redacted};
use super::error::EventError;
use super::events_v2::SUMMARY_MAX;

pub(crate) async fn enqueue(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), EventError> {
    let raw = json_body(body)?;
    let mut c = Check::default();
    let Some(m) = c.object(&raw, "the change event") else {
        return Err(c.into_error());
    };
    c.only_keys(m, "", &["routing_key", "payload", "links", "images"]);
    let key = c.string(m, "", "routing_key", true, 32);
    c.object_list(m, "", "links", "href");
    let mut summary = None;
    let mut source = None;
    let mut timestamp = None;
    match m.get("payload") {
        Some(p) => {
            if let Some(p) = c.object(p, "'payload'") {
                c.only_keys(
                    p,
                    "payload",
                    &["summary", "source", "timestamp", "custom_details"],
                );
                summary = c.string(p, "payload", "summary", true, SUMMARY_MAX);
                source = c.string(p, "payload", "source", false, 1024);
                timestamp = c.timestamp(p, "payload", "timestamp");
            }
        }
        None => c.fail("'payload' is missing (a change event needs payload.summary)"),
    }
    if let Err(e) = c.finish() {
        state.metrics.rejected("invalid");
        return Err(e);
    }
    let (Some(key), Some(summary)) = (key, summary) else {
        return Err(EventError::Invalid(vec![
            "the change event is incomplete".to_owned(),
        ]));
    };
    let service = state.route(&key, StatusCode::TOO_MANY_REQUESTS)?;
    let change = ChangeEvent {
        service,
        summary,
        source,
        timestamp,
        raw: redacted(raw, "routing_key"),
    };
    state.engine.record_change(change).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"status": "success", "message": "Change event processed"})),
    ))
}
