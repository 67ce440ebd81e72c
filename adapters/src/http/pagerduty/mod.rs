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
//! - `directory`: what the directory endpoints share (query filter, references, zones, windows).
//! - `services`, `policies`, `users`: the configured things; `schedules`: layers and the rendered
//!   final schedule; `oncalls`: who is on call per policy level; `overrides`: taking the pager;
//!   `maintenance`: maintenance windows.

mod directory;
mod error;
mod incident_parts;
mod incidents;
mod maintenance;
mod oncalls;
mod overrides;
mod policies;
mod refs;
mod request;
mod schedules;
mod services;
mod users;
mod view;

use axum::Router;
use axum::routing::{delete, get};

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
        .merge(directory_routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed);
    Router::new().nest(refs::PREFIX, api)
}

/// The directory and on-call endpoints: services, escalation policies, schedules (with their
/// overrides), on-calls, users, maintenance windows.
fn directory_routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(services::list))
        .route("/services/{id}", get(services::show))
        .route("/escalation_policies", get(policies::list))
        .route("/escalation_policies/{id}", get(policies::show))
        .route("/schedules", get(schedules::list))
        .route("/schedules/{id}", get(schedules::show))
        .route(
            "/schedules/{id}/overrides",
            get(overrides::list).post(overrides::create),
        )
        .route("/oncalls", get(oncalls::list))
        .route("/users", get(users::list))
        .route("/users/{id}", get(users::show))
        .route(
            "/maintenance_windows",
            get(maintenance::list).post(maintenance::create),
        )
        .route(
            "/maintenance_windows/{id}",
            get(maintenance::show).delete(maintenance::delete),
        )
        .route(
            "/schedules/{id}/overrides/{override_id}",
            delete(overrides::delete),
        )
}
