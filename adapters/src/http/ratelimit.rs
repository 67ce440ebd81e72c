//! Per-integration-key throttling, as PagerDuty does (429 on v2, 403 on v1). Each key gets a
//! GCRA limiter allowing `events_per_minute` with a burst of the same size, so a monitor that
//! flushes a backlog at once is accepted while a runaway loop is held back.

use std::collections::HashMap;
use std::num::NonZeroU32;

use axum::http::StatusCode;
use firebell_engine::{Config, ServiceName};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::AppState;
use super::error::EventError;

pub struct RateLimits {
    by_key: HashMap<String, DefaultDirectRateLimiter>,
}

impl RateLimits {
    pub fn from_config(config: &Config) -> Self {
        let mut by_key = HashMap::new();
        for s in config.services.values() {
            let per_minute = NonZeroU32::new(s.events_per_minute).unwrap_or(NonZeroU32::MIN);
            for k in &s.integration_keys {
                by_key.insert(
                    k.as_str().to_owned(),
                    RateLimiter::direct(Quota::per_minute(per_minute)),
                );
            }
        }
        Self { by_key }
    }

    /// Takes one event's worth of budget; `false` when the key is over its rate.
    fn allow(&self, key: &str) -> bool {
        self.by_key.get(key).is_none_or(|l| l.check().is_ok())
    }
}

impl AppState {
    /// The service an integration key belongs to (compared in constant time), after the key's rate
    /// limit; `throttled` is the status to answer when over it (429 for v2, 403 for v1).
    pub(crate) fn route(
        &self,
        key: &str,
        throttled: StatusCode,
    ) -> Result<ServiceName, EventError> {
        let Some(service) = self.engine.config().service_for_key(key) else {
            self.metrics.rejected("unknown_key");
            return Err(EventError::Invalid(vec![
                "the integration key does not belong to any service (check the service's integration_keys in firebell.toml)".to_owned(),
            ]));
        };
        if !self.limits.allow(key) {
            self.metrics.rejected("throttled");
            return Err(EventError::Throttled(throttled));
        }
        Ok(service.name.clone())
    }
}
