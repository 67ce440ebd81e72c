//! The PagerDuty REST API v2, the subset tools use (pdpyras, the `pagerduty` Python package,
//! go-pagerduty, Backstage's plugin, scripts), mounted at `/pagerduty/v2`: a client switches by
//! setting its base URL to `http(s)://<firebell>/pagerduty/v2` and its token to a firebell API
//! token. Authenticated by `Authorization: Token token=<firebell API token>`; writes name the
//! acting person with `From: <email of a firebell user>`. Replies are PagerDuty's shapes: wrapped
//! entities, references, classic `limit/offset/more/total` pagination (offset + limit ≤ 10,000),
//! and `{"error": {"message", "code", "errors"}}`.
//!
//! # Layout
//! - `request`: the extractors (token, `From:`, query arrays, paging, bodies).
//! - `error`: PagerDuty's error body and codes.
//! - `refs`: references and the id mapping; `view`: the incident's shape.
//! - `incidents`: `/incidents`, one and in bulk; `incident_parts`: its notes, log entries, alerts.

mod error;
mod incident_parts;
mod incidents;
mod refs;
mod request;
mod view;

use axum::Router;
use axum::routing::get;

use super::AppState;

pub(crate) fn routes() -> Router<AppState> {
    let api = Router::new()
        .route(
            "/incidents",
            get(incidents::list).put(incidents::update_many),
        )
        .route(
            "/incidents/{id}",
            get(incidents::show).put(incidents::update),
        )
        .route(
            "/incidents/{id}/notes",
            get(incident_parts::notes).post(incident_parts::add_note),
        )
        .route(
            "/incidents/{id}/log_entries",
            get(incident_parts::log_entries),
        )
        .route("/incidents/{id}/alerts", get(incident_parts::alerts))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed);
    Router::new().nest(refs::PREFIX, api)
}
