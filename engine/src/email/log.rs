//! The mail log: one row per mail (and per service it was for) with what became of it —
//! triggered #N, deduplicated, resolved, dropped, suppressed, discarded by the filter or the
//! fallback, or refused and why — so an admin can see why a rule did or did not fire. Discards
//! and refusals are recorded, never silent.

use serde::Serialize;

use crate::domain::clock::Timestamp;
use crate::domain::page::Page;
use crate::store::{C, sql};

/// Every outcome label, for filters that check their input.
pub const MAIL_OUTCOMES: &[&str] = &[
    "triggered",
    "deduplicated",
    "resolved",
    "dropped",
    "suppressed",
    "discarded",
    "refused",
];

/// How a mail arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailVia {
    /// The SMTP listener.
    Smtp,
    /// `POST /integrations/email/{key}`.
    Http,
}

impl MailVia {
    pub fn as_str(self) -> &'static str {
        match self {
            MailVia::Smtp => "smtp",
            MailVia::Http => "http",
        }
    }
}

/// One row as written.
#[derive(Debug, Clone)]
pub(crate) struct NewRow<'a> {
    pub via: MailVia,
    pub service: Option<&'a str>,
    pub recipient: Option<&'a str>,
    pub sender: &'a str,
    pub subject: &'a str,
    pub message_id: Option<&'a str>,
    pub size: i64,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub rule: Option<i64>,
    pub dedup_key: Option<&'a str>,
    pub incident: Option<i64>,
}

pub(crate) async fn insert(
    c: &mut C<'_>,
    row: &NewRow<'_>,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sql!(
        one(i64,),
        c.reborrow(),
        "INSERT INTO email_log (received_at, via, service, recipient, sender, subject, message_id, \
         size, outcome, reason, rule, dedup_key, incident_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        now,
        row.via.as_str(),
        row.service,
        row.recipient,
        row.sender,
        row.subject,
        row.message_id,
        row.size,
        row.outcome,
        row.reason,
        row.rule,
        row.dedup_key,
        row.incident
    )?;
    Ok(id)
}

/// Deletes up to `limit` of the oldest mail log rows received before `cutoff`, through the
/// `received_at` index. A read first, so the usual case (nothing old) takes no write lock.
pub(crate) async fn delete_older_than(
    c: &mut C<'_>,
    cutoff: Timestamp,
    limit: i64,
) -> Result<u64, sqlx::Error> {
    let any = sql!(
        optional(i64,),
        c.reborrow(),
        "SELECT id FROM email_log WHERE received_at < $1 ORDER BY received_at LIMIT 1",
        cutoff
    )?;
    if any.is_none() {
        return Ok(0);
    }
    sql!(execute c.reborrow(),
        "DELETE FROM email_log WHERE id IN \
         (SELECT id FROM email_log WHERE received_at < $1 ORDER BY received_at LIMIT $2)",
        cutoff, limit)
}

/// Newest first, one keyset [`Page`]; `service`/`outcome` empty for all.
pub(crate) async fn list(
    c: &mut C<'_>,
    service: &str,
    outcome: &str,
    page: Page,
) -> Result<Vec<MailLogEntry>, sqlx::Error> {
    sql!(all MailLogEntry, c.reborrow(),
        "SELECT id, received_at, via, service, recipient, sender, subject, message_id, size, outcome, \
         reason, rule, dedup_key, incident_id FROM email_log \
         WHERE ($1 = '' OR service = $1) AND ($2 = '' OR outcome = $2) AND id < $4 \
         ORDER BY id DESC LIMIT $3",
        service, outcome, page.limit, page.before_or_max())
}

/// One entry of the mail log, as the API shows it and as it is read from its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MailLogEntry {
    pub id: i64,
    #[serde(serialize_with = "Timestamp::rfc3339")]
    pub received_at: Timestamp,
    pub via: String,
    /// `None` for a mail refused before it could be routed (an unknown address).
    pub service: Option<String>,
    pub recipient: Option<String>,
    #[sqlx(rename = "sender")]
    pub from: String,
    pub subject: String,
    pub message_id: Option<String>,
    pub size: i64,
    /// One of [`MAIL_OUTCOMES`].
    pub outcome: String,
    /// Why, in words: `rule 2`, `filter: …`, `no open incident …`, `message larger than …`.
    pub reason: Option<String>,
    /// The rule that decided, counted from 1.
    pub rule: Option<i64>,
    pub dedup_key: Option<String>,
    #[sqlx(rename = "incident_id")]
    pub incident: Option<i64>,
}
