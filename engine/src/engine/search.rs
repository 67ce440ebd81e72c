//! The facade's PagerDuty-shaped reads: incident searches with offset pages, log entries with
//! ids, an incident's alerts.

use super::Engine;
use crate::domain::error::EngineError;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{IncidentPage, IncidentSearch, NumberedEntry};
use crate::store::search::IncidentAlert;

impl Engine {
    pub async fn search_incidents(&self, s: &IncidentSearch) -> Result<IncidentPage, EngineError> {
        crate::search::incidents(&self.ctx, s).await
    }

    pub async fn log_entries(&self, n: IncidentNumber) -> Result<Vec<NumberedEntry>, EngineError> {
        crate::search::log_entries(&self.ctx, n).await
    }

    pub async fn incident_alerts(
        &self,
        n: IncidentNumber,
    ) -> Result<Vec<IncidentAlert>, EngineError> {
        crate::search::alerts(&self.ctx, n).await
    }
}
