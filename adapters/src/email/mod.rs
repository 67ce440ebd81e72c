//! Pages and status notices by email, over SMTP. A relay that says "try later" (4xx, a dropped
//! connection, a timeout) gets the row retried by the outbox; one that says "never" (5xx: no
//! such mailbox, relaying denied) gives the row up with the server's words on the timeline.
//!
//! # Layout
//! - `config`: `[providers.smtp]` → [`Smtp`].
//! - `mod.rs`: [`EmailNotifier`] — the transport per `providers.smtp` and error classification.
//! - `render`: subject and plain-text body.

pub mod config;
mod render;

pub use config::{Smtp, SmtpTls};

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use firebell_engine::Config;
use firebell_engine::error::cause_chain;
use firebell_engine::kinds::ContactMethod;
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tracing::error;

/// A relay that has not finished a command in this long is treated as down (retryable).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Delivers person-addressed rows whose method is `email`.
#[derive(Clone)]
pub struct EmailNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
    /// User id → display name, for "acknowledged by Bob Brown".
    names: HashMap<String, String>,
}

impl std::fmt::Debug for EmailNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailNotifier")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl EmailNotifier {
    /// `None` when `providers.smtp` is not configured (or its TLS setup cannot be built, which
    /// is logged).
    pub fn from_config(smtp: Option<&Smtp>, config: &Config) -> Option<EmailNotifier> {
        let smtp = smtp?;
        let transport = match transport(smtp) {
            Ok(t) => t,
            Err(e) => {
                error!(host = %smtp.host, error = %e, "cannot set up SMTP; email pages are off");
                return None;
            }
        };
        Some(EmailNotifier {
            transport,
            from: smtp.from.clone(),
            names: config
                .users
                .values()
                .map(|u| (u.id.as_str().to_owned(), u.name.clone()))
                .collect(),
        })
    }

    fn message(&self, msg: &Outgoing) -> Result<Message, NotifyError> {
        let Some(r) = &msg.recipient else {
            return Err(NotifyError::permanent(
                "email goes to a person; this row is a room post",
            ));
        };
        if r.method != ContactMethod::Email {
            return Err(NotifyError::permanent(format!(
                "the email notifier sends email, not {}",
                r.method
            )));
        }
        let Some(incident) = &msg.incident else {
            return Err(NotifyError::permanent(
                "the incident this email is about no longer exists",
            ));
        };
        let Some(address) = &r.user.email else {
            return Err(NotifyError::permanent(format!(
                "{} ({}) has no email address configured",
                r.user.name, r.user.id
            )));
        };
        let address: Address = address.trim().parse().map_err(|e| {
            NotifyError::permanent(format!(
                "`{address}` (the email of {}) is not a valid address: {e}",
                r.user.id
            ))
        })?;
        let from: Mailbox = self.from.parse().map_err(|e| {
            NotifyError::permanent(format!(
                "providers.smtp.from `{}` is not a valid sender: {e}",
                self.from
            ))
        })?;
        let (subject, body) = match &msg.notification {
            Notification::Paged { level, urgency, .. } => (
                render::page_subject(incident),
                render::page_body(incident, &r.user.name, *level, *urgency),
            ),
            Notification::StatusNotice { status, actor } => (
                render::notice_subject(incident, *status, actor, &self.names),
                render::notice_body(incident, *status, actor, &self.names),
            ),
            _ => {
                return Err(NotifyError::permanent(
                    "only pages and status notices are sent by email",
                ));
            }
        };
        // One Message-ID per outbox row, the same on every retry: a resend after a success that
        // was never recorded (the at-least-once edge) is the same mail to systems that drop
        // duplicates by it. The incident's creation time keeps ids apart across databases.
        let message_id = format!(
            "<firebell-{}.{}.{}@{}>",
            incident.number.get(),
            msg.outbox_id,
            incident.created_at.timestamp_micros(),
            from.email.domain()
        );
        Message::builder()
            .from(from)
            .message_id(Some(message_id))
            .to(Mailbox::new(Some(r.user.name.clone()), address))
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| NotifyError::permanent(format!("could not build the email: {e}")))
    }
}

#[async_trait]
impl Notifier for EmailNotifier {
    #[tracing::instrument(skip_all, fields(outbox = msg.outbox_id))]
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let message = self.message(msg)?;
        match self.transport.send(message).await {
            Ok(resp) => Ok(Delivered {
                external_ref: None,
                provider: Some("smtp".to_owned()),
                note: resp
                    .first_line()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| format!("relay said {} {}", resp.code(), l.trim())),
            }),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// The SMTP transport for `providers.smtp`: implicit TLS, STARTTLS (required, never downgraded)
/// or plain for a local relay.
fn transport(
    smtp: &Smtp,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let builder = match smtp.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
    }
    Ok(builder.build())
}

/// 5xx answers are final; 4xx, timeouts, lost connections and TLS trouble are worth a retry.
fn classify(e: &lettre::transport::smtp::Error) -> NotifyError {
    let message = format!("SMTP: {}", cause_chain(e));
    if e.is_permanent() {
        NotifyError::permanent(message)
    } else {
        NotifyError::retryable(message)
    }
}
