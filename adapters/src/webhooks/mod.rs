//! Outbound webhooks: sends the outbox's webhook rows (`[webhooks.NAME]`) to their receivers.
//!
//! The body was rendered and fixed by the engine when the change committed; this sends those
//! exact bytes with PagerDuty's headers — `X-PagerDuty-Signature: v1=<hex HMAC-SHA256>` when the
//! subscription has a secret, `X-Webhook-Id` (the event id, the same on every retry, for
//! de-duplication) and `X-Webhook-Subscription` (its name) — and reports whether a failure is
//! worth retrying ([`outcome`]). Each request is bounded by the subscription's `timeout`;
//! redirects are not followed.
//!
//! # Layout
//! - `mod.rs`: [`WebhookNotifier`], the engine's [`Notifier`] for webhook rows.
//! - `sign`: the signature header.
//! - `outcome`: answers and transport errors → delivered, retry, or give up.

pub mod outcome;
pub mod sign;

use std::collections::BTreeMap;

use async_trait::async_trait;
use firebell_engine::Config;
use firebell_engine::config::Webhook;
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use reqwest::header::{CONTENT_TYPE, LOCATION};

pub const SIGNATURE_HEADER: &str = "X-PagerDuty-Signature";
pub const ID_HEADER: &str = "X-Webhook-Id";
pub const SUBSCRIPTION_HEADER: &str = "X-Webhook-Subscription";

pub struct WebhookNotifier {
    http: reqwest::Client,
    hooks: BTreeMap<String, Webhook>,
}

impl WebhookNotifier {
    /// `None` when no webhook is configured.
    pub fn from_config(config: &Config) -> Result<Option<WebhookNotifier>, reqwest::Error> {
        if config.webhooks.is_empty() {
            return Ok(None);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("firebell/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Some(WebhookNotifier {
            http,
            hooks: config.webhooks.clone(),
        }))
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let Notification::Webhook {
            subscription,
            event_id,
            body,
            ..
        } = &msg.notification
        else {
            return Err(NotifyError::permanent("not a webhook"));
        };
        let Some(hook) = self.hooks.get(subscription) else {
            return Err(NotifyError::permanent(format!(
                "webhook `{subscription}` is no longer configured"
            )));
        };
        let mut req = self
            .http
            .post(&hook.url)
            .timeout(hook.timeout)
            .header(CONTENT_TYPE, "application/json")
            .header(ID_HEADER, event_id)
            .header(SUBSCRIPTION_HEADER, subscription)
            .body(body.clone());
        if let Some(secret) = &hook.secret {
            req = req.header(
                SIGNATURE_HEADER,
                sign::signature(secret.expose(), body.as_bytes()),
            );
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| outcome::transport(e, hook.timeout))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(Delivered::default());
        }
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut read = Vec::new();
        while read.len() < outcome::MAX_BODY {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = outcome::MAX_BODY - read.len();
                    read.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                _ => break,
            }
        }
        Err(outcome::refused(status, location.as_deref(), &read))
    }
}
