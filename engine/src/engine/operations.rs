//! The facade's verbs about people and the installation: on-call and overrides, maintenance,
//! heartbeats, inbound mail, reports, leadership.

use super::Engine;
use crate::config::Heartbeat;
use crate::domain::alert::Ingested;
use crate::domain::duration::HumanDuration;
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::{ServiceName, UserId};
use crate::domain::kinds::Actor;
use crate::domain::maintenance::{MaintenanceWindow, WindowRequest};
use crate::domain::page::Page;
use crate::email::{MailLogEntry, ReceivedMail, RefusedMail};
use crate::heartbeats::{CheckIn, HeartbeatView};
use crate::leader::Leadership;
use crate::oncall::{OnCallNow, OverrideRecord};
use crate::reports::{Report, SummaryQuery};

impl Engine {
    /// The schedules `name` refers to: a schedule itself, or every schedule a service's
    /// escalation policy pages. `None` means all schedules.
    pub fn schedules_named(&self, name: Option<&str>) -> Result<Vec<String>, UserError> {
        crate::oncall::schedules_named(&self.ctx, name)
    }

    /// Who is on call now for each schedule `name` refers to (see [`Engine::schedules_named`]).
    pub async fn on_call(&self, name: Option<&str>) -> Result<Vec<OnCallNow>, EngineError> {
        crate::oncall::on_call(&self.ctx, name).await
    }

    /// `user` takes `schedule`'s pager from now for `duration`.
    pub async fn create_override(
        &self,
        schedule: &str,
        user: &UserId,
        duration: HumanDuration,
        by: &Actor,
    ) -> Result<OverrideRecord, EngineError> {
        crate::oncall::create_override(&self.ctx, schedule, user, duration, by).await
    }

    /// Overrides in effect now or later, for one schedule or all.
    pub async fn overrides(
        &self,
        schedule: Option<&str>,
    ) -> Result<Vec<OverrideRecord>, EngineError> {
        crate::oncall::overrides(&self.ctx, schedule).await
    }

    /// Overrides in effect now or later, newest first, one keyset [`Page`] (the API's list).
    pub async fn overrides_page(
        &self,
        schedule: Option<&str>,
        page: Page,
    ) -> Result<Vec<OverrideRecord>, EngineError> {
        crate::oncall::overrides_page(&self.ctx, schedule, page).await
    }

    pub async fn cancel_override(
        &self,
        id: i64,
        by: &Actor,
    ) -> Result<OverrideRecord, EngineError> {
        crate::oncall::cancel_override(&self.ctx, id, by).await
    }

    /// Opens a window from now for `duration`. `room` is where it was asked for (chat), if any.
    pub async fn start_maintenance(
        &self,
        window: WindowRequest<'_>,
        by: &Actor,
    ) -> Result<MaintenanceWindow, EngineError> {
        crate::maintenance::api::start_maintenance(&self.ctx, window, by).await
    }

    /// Windows not yet over (and ones just ended whose closing notice is still to go out).
    pub async fn maintenance_windows(&self) -> Result<Vec<MaintenanceWindow>, EngineError> {
        crate::maintenance::api::maintenance_windows(&self.ctx).await
    }

    /// Windows still running, newest first, one keyset [`Page`] (the API's list).
    pub async fn maintenance_page(
        &self,
        page: Page,
    ) -> Result<Vec<MaintenanceWindow>, EngineError> {
        crate::maintenance::api::maintenance_page(&self.ctx, page).await
    }

    pub async fn maintenance_window(&self, id: i64) -> Result<MaintenanceWindow, EngineError> {
        crate::maintenance::api::maintenance_window(&self.ctx, id).await
    }

    /// Ends a window now; the timer worker posts the closing notice with the suppressed count.
    pub async fn end_maintenance(
        &self,
        id: i64,
        by: &Actor,
    ) -> Result<MaintenanceWindow, EngineError> {
        crate::maintenance::api::end_maintenance(&self.ctx, id, by).await
    }

    /// Records a check-in. When the heartbeat was down, the same transaction resolves its
    /// incident (by dedup key, as a monitor's resolve would) and says so on the timeline.
    pub async fn heartbeat_check_in(&self, hb: &Heartbeat) -> Result<CheckIn, EngineError> {
        crate::heartbeats::api::heartbeat_check_in(&self.ctx, hb).await
    }

    /// The job says it failed (healthchecks.io's `/fail`): an incident opens now, without
    /// waiting for the deadline, and the next check-in resolves it. `output` (the job's error,
    /// cut at [`MAX_OUTPUT_CHARS`](crate::heartbeats::MAX_OUTPUT_CHARS)) goes into the incident's details.
    pub async fn heartbeat_fail(
        &self,
        hb: &Heartbeat,
        output: Option<&str>,
    ) -> Result<Ingested, EngineError> {
        crate::heartbeats::api::heartbeat_fail(&self.ctx, hb, output).await
    }

    /// Every configured heartbeat and how it stands now.
    pub async fn heartbeats(&self) -> Result<Vec<HeartbeatView>, EngineError> {
        crate::heartbeats::api::heartbeats(&self.ctx).await
    }

    /// Applies `service`'s email rules to one mail: ingests the event it becomes (durably, through
    /// the normal ingest path) or records the discard, and returns the mail log entry.
    ///
    /// An `Err` means nothing was committed, so the sender should retry (SMTP 451). If the event
    /// was committed but its log row could not be written, the event stands and the failure is
    /// logged: a retry would only add an alert to the incident.
    pub async fn receive_mail(
        &self,
        service: &ServiceName,
        received: &ReceivedMail<'_>,
    ) -> Result<MailLogEntry, EngineError> {
        crate::email::receive_mail(&self.ctx, service, received).await
    }

    /// Records a mail turned away before the rules, with the reason the sender was given.
    pub async fn refuse_mail(
        &self,
        refused: &RefusedMail<'_>,
    ) -> Result<MailLogEntry, EngineError> {
        crate::email::refuse_mail(&self.ctx, refused).await
    }

    /// The mail log, newest first; `service` and `outcome` narrow it. A bare limit for the
    /// newest, or a keyset [`Page`].
    pub async fn mail_log(
        &self,
        service: Option<&str>,
        outcome: Option<&str>,
        page: impl Into<Page>,
    ) -> Result<Vec<MailLogEntry>, EngineError> {
        crate::email::mail_log(&self.ctx, service, outcome, page.into()).await
    }

    /// The summary of `q.period` and of the period before it, for one service, one team or
    /// everything. Unknown services and teams are a [`UserError`] that lists the valid ones.
    pub async fn report(&self, q: &SummaryQuery) -> Result<Report, EngineError> {
        crate::reports::report(&self.ctx, q).await
    }

    /// Takes the lead for `duty` if no other live process holds it.
    pub async fn try_lead(&self, duty: &str) -> Result<Option<Leadership>, EngineError> {
        crate::leader::try_lead(&self.ctx, duty).await
    }
}
