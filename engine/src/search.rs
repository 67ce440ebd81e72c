//! Reading incidents the way PagerDuty's REST API does: a search with several services and
//! statuses, a window and an order, one offset page at a time; an incident's log entries with
//! ids; the alerts it received.

use crate::ctx::Ctx;
use crate::domain::error::EngineError;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{IncidentPage, IncidentSearch, NumberedEntry};
use crate::store::search::{self, IncidentAlert};

pub async fn incidents(ctx: &Ctx, s: &IncidentSearch) -> Result<IncidentPage, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(search::incidents(&mut conn.c(), s).await?)
}

/// Incident `n`'s timeline with entry ids, oldest first; `NotFound` for an unknown incident.
pub async fn log_entries(ctx: &Ctx, n: IncidentNumber) -> Result<Vec<NumberedEntry>, EngineError> {
    crate::actions::incident(ctx, n).await?;
    let mut conn = ctx.store().conn().await?;
    Ok(search::timeline(&mut conn.c(), n).await?)
}

/// The events incident `n` received, oldest first; `NotFound` for an unknown incident.
pub async fn alerts(ctx: &Ctx, n: IncidentNumber) -> Result<Vec<IncidentAlert>, EngineError> {
    crate::actions::incident(ctx, n).await?;
    let mut conn = ctx.store().conn().await?;
    Ok(search::alerts(&mut conn.c(), n).await?)
}
