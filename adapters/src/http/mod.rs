//! The HTTP edge: monitors send events in, tools read and change incidents, operators probe health.
//!
//! Every reply is JSON (except `/metrics`, the TwiML Twilio asks for, and postmortem drafts in
//! Markdown). Bad input gets a 4xx whose body says what was wrong; nothing is written unless the
//! whole request is valid; a 202/200 for an event is sent only after the event is committed.
//!
//! # Layout
//! - `error`: JSON error replies (PagerDuty's shape for event endpoints, a plain one for the API).
//! - `body`: reading and size-limiting request bodies, field-by-field JSON validation.
//! - `events_v2`, `events_v1`, `change`, `alertmanager`: the ingest endpoints.
//! - `auth`: bearer tokens for the API.
//! - `api`: `/api/v1/…`; `api_oncall` (`/oncall`, `/overrides`) and `api_maintenance`
//!   (`/maintenance`) beside it, `api_fields` for their JSON bodies; `api_postmortem`
//!   (`/incidents/{n}/postmortem.md`, Markdown) and `api_reports` (`/reports/summary`).
//! - `api_heartbeats`: `/api/v1/heartbeats` — cron jobs' check-ins (keyed by the heartbeat's own
//!   secret in the path, no bearer token) and the list.
//! - `integrations_email`: `POST /integrations/email/{key}` — a raw mail, through the service's
//!   email rules; `api_email`: `/api/v1/email/log`, what became of each mail.
//! - `pagerduty`: `/pagerduty/v2/…`, the PagerDuty REST API v2 subset tools use.
//! - `ops`: `/healthz`, `/readyz`, `/metrics`.
//! - `ratelimit`: per-integration-key throttling.
//! - `metrics`: counters and gauges.
//!
//! Twilio's webhooks (`/twilio/…`) live in [`crate::telephony`] and are merged in here.

mod alertmanager;
mod api;
mod api_email;
mod api_fields;
mod api_heartbeats;
mod api_maintenance;
mod api_oncall;
mod api_postmortem;
mod api_reports;
mod auth;
mod body;
mod change;
pub(crate) mod error;
mod events_v1;
mod events_v2;
mod integrations_email;
mod metrics;
mod ops;
mod opsgenie;
mod page;
mod pagerduty;
mod ratelimit;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use firebell_engine::Engine;

pub use metrics::Metrics;
pub use ratelimit::RateLimits;

/// PagerDuty's limit on one event's body.
pub const MAX_EVENT_BYTES: usize = 512 * 1024;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub limits: Arc<RateLimits>,
    pub metrics: Arc<Metrics>,
    /// The Slack Events API routes' handler, when a signing secret is configured.
    pub slack: Option<crate::slack::SlackEvents>,
    /// The Discord interactions endpoint's handler, when a public key is configured.
    pub discord: Option<crate::discord::DiscordEndpoint>,
    /// Twilio's webhooks are checked against its auth token and the public URL; a status
    /// callback fails over to Vonage when it is configured.
    pub providers: Arc<crate::telephony::Providers>,
    /// The largest mail `POST /integrations/email/{key}` takes (`[email] max_size`).
    pub mail_max_size: usize,
}

impl AppState {
    pub fn new(engine: Engine) -> Self {
        let limits = Arc::new(RateLimits::from_config(engine.config()));
        Self {
            engine,
            limits,
            metrics: Arc::new(Metrics::new()),
            slack: None,
            discord: None,
            providers: Arc::default(),
            mail_max_size: crate::email_inbound::config::max_size(None),
        }
    }

    pub fn with_providers(mut self, providers: crate::telephony::Providers) -> Self {
        self.providers = Arc::new(providers);
        self
    }

    pub fn with_mail_max_size(mut self, max_size: usize) -> Self {
        self.mail_max_size = max_size;
        self
    }

    pub fn with_discord(mut self, discord: Option<crate::discord::DiscordEndpoint>) -> Self {
        self.discord = discord;
        self
    }

    pub fn with_slack(mut self, slack: Option<crate::slack::SlackEvents>) -> Self {
        self.slack = slack;
        self
    }
}

/// Parses and validates an Events API v2 body exactly as `POST /v2/enqueue` does, without touching
/// the database: the ceiling the durable path is measured against (see `benches/`).
pub fn parse_event_v2(body: &[u8]) -> Result<(), Vec<String>> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    match events_v2::parse(&value) {
        Ok(_) => Ok(()),
        Err(error::EventError::Invalid(errors)) => Err(errors),
        Err(other) => Err(vec![format!("{other:?}")]),
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let mail_max = state.mail_max_size;
    Router::new()
        .route("/v2/enqueue", post(events_v2::enqueue))
        .route("/v2/change/enqueue", post(change::enqueue))
        .route(
            "/generic/2010-04-15/create_event.json",
            post(events_v1::create_event),
        )
        .route(
            "/integrations/alertmanager/{key}",
            post(alertmanager::webhook),
        )
        .merge(opsgenie::routes())
        .merge(pagerduty::routes())
        .merge(api::routes())
        .merge(api_heartbeats::routes())
        .merge(integrations_email::routes(mail_max))
        .merge(api_email::routes())
        .merge(crate::telephony::routes())
        .merge(crate::slack::events::routes())
        .merge(crate::discord::interactions::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        // Bodies are read as bytes by our own extractor, which enforces the limit and answers
        // with a JSON 413; axum's default (2 MB) must not cut in first with a plain-text reply.
        .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES + 1))
        .with_state(state)
}
