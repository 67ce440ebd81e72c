//! What became of an incident's notifications: the outbox rows read back for the API and tests.

use chrono::{DateTime, Utc};

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::ids::IncidentNumber;
use crate::store::outbox;

/// One outbox row for an incident, for the API and tests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Delivery {
    pub room: String,
    /// `room` for a post to the room; `chat`, `sms`, `voice` or `email` for a page or notice to
    /// `recipient`; `hook` for a webhook to the subscription named `recipient`.
    pub method: String,
    pub recipient: Option<String>,
    /// Which provider carried it (`twilio`, `vonage`, …), once delivered.
    pub provider: Option<String>,
    pub notification: Option<crate::domain::notification::Notification>,
    pub attempts: i64,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// Delivery records for an incident's notifications: (room, kind, attempts, delivered?, error).
pub async fn deliveries(ctx: &Ctx, n: IncidentNumber) -> Result<Vec<Delivery>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let rows = outbox::for_incident(&mut conn.c(), n.get()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Delivery {
            room: r.room,
            method: r.method,
            recipient: r.recipient,
            provider: r.provider,
            notification: serde_json::from_str(&r.notification).ok(),
            attempts: r.attempts,
            delivered_at: r.delivered_at.map(Timestamp::datetime),
            failed_at: r.failed_at.map(Timestamp::datetime),
            last_error: r.last_error,
        })
        .collect())
}
