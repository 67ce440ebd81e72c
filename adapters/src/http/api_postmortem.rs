//! `GET /api/v1/incidents/{n}/postmortem.md`: the incident's blameless postmortem draft as
//! Markdown, ready to paste into a wiki or commit next to the runbooks. The same draft as
//! `!postmortem`; an open incident gets the draft so far, which says so at the top. Errors are
//! the API's JSON ones.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use firebell_engine::IncidentNumber;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/incidents/{n}/postmortem.md", get(markdown))
}

async fn markdown(
    State(state): State<AppState>,
    _c: Caller,
    Path(n): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let n = IncidentNumber::parse(&n).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let draft = state.engine.postmortem(n).await?;
    let filename = format!("postmortem-{}.md", n.get());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        draft.markdown,
    ))
}
