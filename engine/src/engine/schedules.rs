//! The facade's reads of schedules and maintenance over time windows (PagerDuty's rendered
//! schedules, on-calls over a window, override and maintenance histories).

use chrono::{DateTime, Utc};

use super::Engine;
use crate::domain::error::EngineError;
use crate::domain::maintenance::MaintenanceWindow;
use crate::oncall::{OverrideRecord, RenderedSchedule};

impl Engine {
    /// `schedule`'s final timeline over `[from, to)`, overrides applied as `!oncall` applies
    /// them, and the overrides touching the window.
    pub async fn render_schedule(
        &self,
        schedule: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<RenderedSchedule, EngineError> {
        crate::oncall::render_schedule(&self.ctx, schedule, from, to).await
    }

    /// Overrides of `schedule` overlapping `[from, to)`, cancelled ones left out.
    pub async fn overrides_between(
        &self,
        schedule: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OverrideRecord>, EngineError> {
        crate::oncall::overrides_between(&self.ctx, schedule, from, to).await
    }

    /// One override by id, cancelled or not; `None` when there is no such override.
    pub async fn override_record(&self, id: i64) -> Result<Option<OverrideRecord>, EngineError> {
        crate::oncall::override_record(&self.ctx, id).await
    }

    /// Every maintenance window, past ones included, oldest first.
    pub async fn all_maintenance_windows(&self) -> Result<Vec<MaintenanceWindow>, EngineError> {
        crate::maintenance::api::all_maintenance_windows(&self.ctx).await
    }
}
