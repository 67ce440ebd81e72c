//! Pages and status notices by SMS and voice call. SMS goes through Twilio and falls over to
//! Vonage within the same delivery when Twilio is down or refuses; a number that cannot receive
//! SMS at all is reported as a permanent failure instead of being retried for hours.

use std::collections::HashMap;

use super::{TWILIO, VONAGE};
use async_trait::async_trait;
use firebell_engine::Config;
use firebell_engine::kinds::ContactMethod;
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use firebell_engine::{Incident, PhoneNumber};
use tracing::{error, warn};

use super::config::Providers;
use super::provider::{Failure, SendError, http_client};
use super::text;
use super::twilio::TwilioClient;
use super::vonage::VonageClient;

/// Delivers person-addressed rows whose method is `sms` or `voice`.
#[derive(Debug, Clone)]
pub struct TelephonyNotifier {
    twilio: Option<TwilioClient>,
    vonage: Option<VonageClient>,
    public_url: Option<String>,
    /// User id → display name, for "acknowledged by Bob Brown".
    names: HashMap<String, String>,
}

impl TelephonyNotifier {
    /// `None` when neither Twilio nor Vonage is configured (nobody can be texted or called).
    pub fn from_config(p: &Providers, config: &Config) -> Option<TelephonyNotifier> {
        if p.twilio.is_none() && p.vonage.is_none() {
            return None;
        }
        let http = match http_client() {
            Ok(h) => h,
            Err(e) => {
                error!(error = %e, "cannot build the HTTP client for Twilio/Vonage; SMS and calls are off");
                return None;
            }
        };
        let public_url = p
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned());
        Some(TelephonyNotifier {
            twilio: p
                .twilio
                .as_ref()
                .map(|t| TwilioClient::new(http.clone(), t, public_url.as_deref())),
            vonage: p.vonage.as_ref().map(|v| VonageClient::new(http, v)),
            public_url,
            names: config
                .users
                .values()
                .map(|u| (u.id.as_str().to_owned(), u.name.clone()))
                .collect(),
        })
    }

    async fn sms(
        &self,
        to: &PhoneNumber,
        body: &str,
        failover_from: Option<&str>,
    ) -> Result<Delivered, NotifyError> {
        let twilio = self
            .twilio
            .as_ref()
            .filter(|_| failover_from != Some(TWILIO));
        let Some(twilio) = twilio else {
            let Some(vonage) = &self.vonage else {
                return Err(NotifyError::permanent(match failover_from {
                    Some(from) => {
                        format!("no second SMS provider after {from} (Vonage is not configured)")
                    }
                    None => "no SMS provider is configured (providers.twilio or providers.vonage)"
                        .to_owned(),
                }));
            };
            return vonage
                .send_sms(to, body)
                .await
                .map(|id| delivered(id, VONAGE, None))
                .map_err(to_notify_error);
        };
        let first = match twilio.send_sms(to, body).await {
            Ok(sid) => return Ok(delivered(sid, TWILIO, None)),
            Err(e) => e,
        };
        let Some(vonage) = self
            .vonage
            .as_ref()
            .filter(|_| first.failure != Failure::BadNumber)
        else {
            return Err(to_notify_error(first));
        };
        warn!(error = %first, "Twilio failed; sending the SMS through Vonage");
        match vonage.send_sms(to, body).await {
            Ok(id) => Ok(delivered(
                id,
                VONAGE,
                Some(format!("Twilio failed: {first}; sent through Vonage")),
            )),
            Err(second) => {
                let message = format!("Twilio failed: {first}; Vonage failed: {second}");
                let retry =
                    first.failure == Failure::Retryable || second.failure == Failure::Retryable;
                Err(if retry {
                    NotifyError::retryable(message)
                } else {
                    NotifyError::permanent(message)
                })
            }
        }
    }

    async fn call(&self, to: &PhoneNumber, twiml: &str) -> Result<Delivered, NotifyError> {
        let Some(twilio) = &self.twilio else {
            return Err(NotifyError::permanent(
                "voice calls need Twilio, and providers.twilio is not configured",
            ));
        };
        twilio
            .call(to, twiml)
            .await
            .map(|sid| delivered(sid, TWILIO, None))
            .map_err(to_notify_error)
    }

    /// The SMS text for a row, or why there is none.
    fn sms_text(&self, incident: &Incident, n: &Notification) -> Result<String, NotifyError> {
        match n {
            Notification::Paged { .. } => Ok(text::page_sms(incident.into())),
            Notification::StatusNotice { status, actor } => Ok(text::notice_sms(
                incident.number,
                *status,
                actor,
                &self.names,
            )),
            other => Err(not_for_phones(other)),
        }
    }

    /// The TwiML for a call, or why there is none.
    fn twiml(&self, incident: &Incident, n: &Notification) -> Result<String, NotifyError> {
        let twiml =
            match n {
                Notification::Paged { .. } => {
                    text::page_twiml(incident.into(), self.public_url.as_deref())
                }
                Notification::StatusNotice { status, actor } => text::say_twiml(
                    &text::notice_spoken(incident.number, *status, actor, &self.names),
                ),
                other => return Err(not_for_phones(other)),
            };
        if twiml.chars().count() > text::TWIML_MAX_CHARS {
            return Err(NotifyError::permanent(format!(
                "the call's TwiML is {} characters, over Twilio's limit of {}",
                twiml.chars().count(),
                text::TWIML_MAX_CHARS
            )));
        }
        Ok(twiml)
    }
}

#[async_trait]
impl Notifier for TelephonyNotifier {
    #[tracing::instrument(skip_all, fields(outbox = msg.outbox_id))]
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let Some(r) = &msg.recipient else {
            return Err(NotifyError::permanent(
                "SMS and calls go to a person; this row is a room post",
            ));
        };
        let Some(incident) = &msg.incident else {
            return Err(NotifyError::permanent(
                "the incident this page is about no longer exists",
            ));
        };
        let Some(phone) = &r.user.phone else {
            return Err(NotifyError::permanent(format!(
                "{} ({}) has no phone number configured",
                r.user.name, r.user.id
            )));
        };
        match r.method {
            ContactMethod::Sms => {
                let body = self.sms_text(incident, &msg.notification)?;
                let failover_from = match &msg.notification {
                    Notification::Paged { failover_from, .. } => failover_from.as_deref(),
                    _ => None,
                };
                self.sms(phone, &body, failover_from).await
            }
            ContactMethod::Voice => {
                let twiml = self.twiml(incident, &msg.notification)?;
                self.call(phone, &twiml).await
            }
            other => Err(NotifyError::permanent(format!(
                "the telephony notifier sends SMS and calls, not {other}"
            ))),
        }
    }
}

fn delivered(id: String, provider: &str, note: Option<String>) -> Delivered {
    Delivered {
        external_ref: Some(id),
        provider: Some(provider.to_owned()),
        note,
    }
}

fn to_notify_error(e: SendError) -> NotifyError {
    match e.failure {
        Failure::Retryable => NotifyError::retryable(e.message),
        Failure::Refused | Failure::BadNumber => NotifyError::permanent(e.message),
    }
}

fn not_for_phones(n: &Notification) -> NotifyError {
    let kind = serde_json::to_value(n)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "this".to_owned());
    NotifyError::permanent(format!(
        "a `{kind}` notification is not sent by SMS or call (only pages and status notices are)"
    ))
}
