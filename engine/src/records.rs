//! What firebell records besides incidents: change events, the alert log, and the gauges for
//! `/metrics`.

use chrono::{DateTime, Utc};

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::ids::ServiceName;
use crate::domain::kinds::IncidentStatus;
use crate::domain::page::Page;
pub use crate::store::queries::AlertLogEntry;
use crate::store::{outbox, queries};

/// A change event (deploy, config change): recorded against its service, never pages.
#[derive(Debug, Clone)]
pub struct ChangeEvent {
    pub service: ServiceName,
    pub summary: String,
    pub source: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedChange {
    pub id: i64,
    pub service: String,
    pub summary: String,
    pub source: Option<String>,
    pub timestamp: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// Gauges for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub incidents_by_status: Vec<(IncidentStatus, i64)>,
    pub outbox_depth: i64,
}

pub async fn record_change(ctx: &Ctx, change: ChangeEvent) -> Result<i64, EngineError> {
    let now = ctx.clock().now();
    let happened = Timestamp::from(change.timestamp.unwrap_or(now));
    let mut tx = ctx.store().begin().await?;
    let id = queries::record_change(
        &mut tx.c(),
        change.service.as_str(),
        &change.summary,
        change.source.as_deref(),
        happened,
        &change.raw,
        Timestamp::from(now),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn changes(
    ctx: &Ctx,
    service: Option<&str>,
    page: Page,
) -> Result<Vec<RecordedChange>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let rows = queries::changes(&mut conn.c(), service.unwrap_or(""), page).await?;
    Ok(rows
        .into_iter()
        .map(|r| RecordedChange {
            id: r.id,
            service: r.service,
            summary: r.summary,
            source: r.source,
            timestamp: r.happened_at.datetime(),
            payload: r.payload.0,
        })
        .collect())
}

pub async fn alert_log(
    ctx: &Ctx,
    service: Option<&str>,
    outcome: Option<&str>,
    page: Page,
) -> Result<Vec<AlertLogEntry>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(queries::alert_log(
        &mut conn.c(),
        service.unwrap_or(""),
        outcome.unwrap_or(""),
        page,
    )
    .await?)
}

pub async fn stats(ctx: &Ctx) -> Result<Stats, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let by_status = queries::count_by_status(&mut conn.c()).await?;
    let outbox_depth = outbox::depth(&mut conn.c()).await?;
    let incidents_by_status = IncidentStatus::ALL
        .iter()
        .map(|s| {
            (
                *s,
                by_status
                    .iter()
                    .find(|(name, _)| name == s.as_str())
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    Ok(Stats {
        incidents_by_status,
        outbox_depth,
    })
}

/// ", 3 min ago" style suffix.
pub fn human_ago(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=59 => format!(", {s} s ago"),
        60..=3599 => format!(", {} min ago", s / 60),
        3600..=86_399 => format!(", {} h {} min ago", s / 3600, (s % 3600) / 60),
        _ => format!(", {} d ago", s / 86_400),
    }
}
