//! `GET /api/v1/email/log?service=&outcome=&limit=&cursor=`: the mail log, newest first (paged) — every mail
//! received by SMTP or `POST /integrations/email/{key}` and what became of it (triggered #N,
//! deduplicated, resolved, dropped, suppressed, discarded by the filter or the fallback, refused
//! and why), so whoever writes the rules can see which one fired.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use firebell_engine::email::MAIL_OUTCOMES;
use serde_json::{Value, json};

use super::AppState;
use super::api::{Params, only_params, text};
use super::auth::Caller;
use super::error::ApiError;
use super::page::{Key, Paging};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/email/log", get(log))
}

async fn log(
    State(state): State<AppState>,
    _c: Caller,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    only_params(&q, &["service", "outcome", "limit", "cursor"])?;
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
    let (service, outcome) = (text(&q, "service"), text(&q, "outcome"));
    let filters = [
        ("service", service.unwrap_or("")),
        ("outcome", outcome.unwrap_or("")),
    ];
    let paging = Paging::newest_first("/api/v1/email/log", &q, &filters)?;
    let mails = state
        .engine
        .mail_log(service, outcome, paging.page())
        .await?;
    let (mails, next) = paging.finish(mails, |m| Key::Id(m.id));
    Ok(Json(json!({ "mails": mails, "next_cursor": next })))
}
