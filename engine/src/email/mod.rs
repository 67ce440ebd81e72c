//! Inbound email, the use case: every service has an address, and PagerDuty-style rules turn the
//! mails sent to it into events. The adapters decode the mail (SMTP listener,
//! `POST /integrations/email/{key}`); the pure decision and the event it becomes are domain
//! ([`crate::domain::email`]); here the event is ingested through the normal durable path, and
//! the mail log records every mail and its outcome — discards and refusals included.
//!
//! # Layout
//! - `log`: the mail log table, its entries, and the retention delete.
//! - `mod.rs`: the engine's inbound API for mail ([`Engine::receive_mail`](crate::Engine::receive_mail), …).

pub mod log;

use tracing::error;

pub use crate::domain::email::{DecidedBy, Decision, Discard, EmailRules, Mail, Part};
pub use log::{MAIL_OUTCOMES, MailLogEntry, MailVia};

use crate::ctx::Ctx;
use crate::domain::alert::Ingested;
use crate::domain::clock::Timestamp;
use crate::domain::email::mail::truncate_chars;
use crate::domain::email::{event, rules};
use crate::domain::error::EngineError;
use crate::domain::ids::ServiceName;
use crate::domain::page::Page;
use log::NewRow;

/// A decoded mail addressed to one service.
#[derive(Debug, Clone, Copy)]
pub struct ReceivedMail<'a> {
    pub via: MailVia,
    /// The envelope recipient it came in for (SMTP); `None` over HTTP.
    pub recipient: Option<&'a str>,
    /// The raw message size in bytes.
    pub size: usize,
    pub mail: &'a Mail,
}

/// A mail turned away before any rule saw it (too large, unparseable, unknown address).
#[derive(Debug, Clone, Copy)]
pub struct RefusedMail<'a> {
    pub via: MailVia,
    pub service: Option<&'a ServiceName>,
    pub recipient: Option<&'a str>,
    pub sender: &'a str,
    pub subject: &'a str,
    pub size: usize,
    pub reason: &'a str,
}

/// Longest subject kept in the mail log.
const LOG_SUBJECT_CHARS: usize = 1024;

/// Applies `service`'s email rules to one mail: ingests the event it becomes (durably, through
/// the normal ingest path) or records the discard, and returns the mail log entry.
///
/// An `Err` means nothing was committed, so the sender should retry (SMTP 451). If the event
/// was committed but its log row could not be written, the event stands and the failure is
/// logged: a retry would only add an alert to the incident.
#[tracing::instrument(skip_all, fields(service = %service))]
pub async fn receive_mail(
    ctx: &Ctx,
    service: &ServiceName,
    received: &ReceivedMail<'_>,
) -> Result<MailLogEntry, EngineError> {
    let mail = received.mail;
    let decision = rules::decide(ctx.config().email.rules(service), mail);
    let (outcome, reason, rule, ingested) = match event::alert(service, mail, &decision) {
        None => {
            let reason = match decision {
                Decision::Discard(Discard::Filter) => {
                    "filter: the mail did not pass the service's email filter"
                }
                _ => "fallback: no rule matched and the fallback is `discard`",
            };
            ("discarded", reason.to_owned(), None, None)
        }
        Some(alert) => {
            let by = match &decision {
                Decision::Trigger { by, .. } | Decision::Resolve { by, .. } => *by,
                Decision::Discard(_) => DecidedBy::Default,
            };
            let out = ctx.ingest(alert).await?;
            let (outcome, reason) = describe(&out, by);
            let rule = match by {
                DecidedBy::Rule(n) => Some(n as i64),
                _ => None,
            };
            (outcome, reason, rule, Some(out))
        }
    };
    let subject = truncate_chars(&mail.subject, LOG_SUBJECT_CHARS);
    let row = NewRow {
        via: received.via,
        service: Some(service.as_str()),
        recipient: received.recipient,
        sender: &mail.from,
        subject,
        message_id: mail.message_id.as_deref(),
        size: received.size as i64,
        outcome,
        reason: Some(&reason),
        rule,
        dedup_key: ingested.as_ref().map(|i| i.dedup_key().as_str()),
        incident: ingested
            .as_ref()
            .and_then(Ingested::number)
            .map(|n| n.get()),
    };
    let now = Timestamp::now(ctx.clock());
    let id = match write_mail_row(ctx, &row, now).await {
        Ok(id) => id,
        Err(e) if ingested.is_some() => {
            error!(error = %e, outcome, "the event is committed but its mail log row could not be written");
            0
        }
        Err(e) => return Err(e),
    };
    Ok(entry(id, now, &row))
}

/// Records a mail turned away before the rules, with the reason the sender was given.
pub async fn refuse_mail(
    ctx: &Ctx,
    refused: &RefusedMail<'_>,
) -> Result<MailLogEntry, EngineError> {
    let row = NewRow {
        via: refused.via,
        service: refused.service.map(ServiceName::as_str),
        recipient: refused.recipient,
        sender: refused.sender,
        subject: truncate_chars(refused.subject, LOG_SUBJECT_CHARS),
        message_id: None,
        size: refused.size as i64,
        outcome: "refused",
        reason: Some(refused.reason),
        rule: None,
        dedup_key: None,
        incident: None,
    };
    let now = Timestamp::now(ctx.clock());
    let id = write_mail_row(ctx, &row, now).await?;
    Ok(entry(id, now, &row))
}

/// The mail log, newest first; `service` and `outcome` narrow it.
pub async fn mail_log(
    ctx: &Ctx,
    service: Option<&str>,
    outcome: Option<&str>,
    page: Page,
) -> Result<Vec<MailLogEntry>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(log::list(
        &mut conn.c(),
        service.unwrap_or(""),
        outcome.unwrap_or(""),
        page,
    )
    .await?)
}

async fn write_mail_row(ctx: &Ctx, row: &NewRow<'_>, now: Timestamp) -> Result<i64, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(log::insert(&mut conn.c(), row, now).await?)
}

/// The mail log's outcome label and reason for what ingest did.
fn describe(out: &Ingested, by: DecidedBy) -> (&'static str, String) {
    let by = match by {
        DecidedBy::Rule(n) => format!("rule {n}"),
        DecidedBy::Default => "no rules: one incident per subject".to_owned(),
        DecidedBy::Fallback => "no rule matched: the fallback triggers".to_owned(),
    };
    match out {
        Ingested::Created { number, .. } => ("triggered", format!("{by}; opened {number}")),
        Ingested::Deduplicated { number, .. } => {
            ("deduplicated", format!("{by}; added to open {number}"))
        }
        Ingested::Acknowledged { number, .. } => ("acknowledged", format!("{by}; {number}")),
        Ingested::Resolved { number, .. } => ("resolved", format!("{by}; resolved {number}")),
        Ingested::Dropped { reason, .. } => ("dropped", format!("{by}; {reason}")),
        Ingested::Suppressed { window, .. } => (
            "suppressed",
            format!("{by}; under maintenance window {window}"),
        ),
    }
}

fn entry(id: i64, now: Timestamp, row: &NewRow<'_>) -> MailLogEntry {
    MailLogEntry {
        id,
        received_at: now,
        via: row.via.as_str().to_owned(),
        service: row.service.map(str::to_owned),
        recipient: row.recipient.map(str::to_owned),
        from: row.sender.to_owned(),
        subject: row.subject.to_owned(),
        message_id: row.message_id.map(str::to_owned),
        size: row.size,
        outcome: row.outcome.to_owned(),
        reason: row.reason.map(str::to_owned),
        rule: row.rule,
        dedup_key: row.dedup_key.map(str::to_owned),
        incident: row.incident,
    }
}
