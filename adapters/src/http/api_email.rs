//! `GET /api/v1/email/log?service=&outcome=&limit=`: the mail log, newest first — every mail
//! received by SMTP or `POST /integrations/email/{key}` and what became of it (triggered #N,
//! deduplicated, resolved, dropped, suppressed, discarded by the filter or the fallback, refused
//! and why), so whoever writes the rules can see which one fired.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use firebell_engine::email::MAIL_OUTCOMES;
use serde_json::{Value, json};

use super::AppState;
use super::api::{Params, only_params};
use super::auth::Caller;
use super::error::ApiError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/email/log", get(log))
}

async fn log(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["service", "outcome", "limit"])?;
    let config = state.engine.config();
    if let Some(s) = q.get("service")
        && config.service(s).is_none()
    {
        return Err(ApiError::unprocessable(format!(
            "unknown service `{s}` (services: {})",
            config.service_names().join(", ")
        )));
    }
    if let Some(o) = q.get("outcome")
        && !MAIL_OUTCOMES.contains(&o.as_str())
    {
        return Err(ApiError::bad_request(format!(
            "unknown outcome `{o}` (one of: {})",
            MAIL_OUTCOMES.join(", ")
        )));
    }
    let limit = match q.get("limit") {
        None => 100,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit `{s}` must be a whole number from 1 to 1000"))
            })?,
    };
    let mails = state
        .engine
        .mail_log(
            q.get("service").map(String::as_str),
            q.get("outcome").map(String::as_str),
            limit,
        )
        .await?;
    Ok(Json(json!({ "mails": mails })))
}
