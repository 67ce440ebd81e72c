//! The facade's incident verbs: acknowledge, resolve, notes, escalate, reading incidents, their
//! timelines and deliveries, change events, the alert log, postmortems, replay protection.

use super::Engine;
use crate::deliveries::Delivery;
use crate::domain::error::EngineError;
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName, UserId};
use crate::domain::incident::{Incident, IncidentFilter, TimelineEntry};
use crate::domain::kinds::Actor;
use crate::domain::page::Page;
use crate::escalation::{Escalation, PageStatus, Resend};
use crate::postmortem::Postmortem;
use crate::records::{AlertLogEntry, ChangeEvent, RecordedChange, Stats};

impl Engine {
    pub async fn acknowledge(
        &self,
        n: IncidentNumber,
        by: &Actor,
    ) -> Result<Incident, EngineError> {
        crate::actions::acknowledge(&self.ctx, n, by).await
    }

    pub async fn resolve(
        &self,
        n: IncidentNumber,
        by: &Actor,
        note: Option<&str>,
    ) -> Result<Incident, EngineError> {
        crate::actions::resolve(&self.ctx, n, by, note).await
    }

    pub async fn add_note(
        &self,
        n: IncidentNumber,
        by: &Actor,
        text: &str,
    ) -> Result<Incident, EngineError> {
        crate::actions::add_note(&self.ctx, n, by, text).await
    }

    /// The incident, or `NotFound` with a message for the user.
    pub async fn incident(&self, n: IncidentNumber) -> Result<Incident, EngineError> {
        crate::actions::incident(&self.ctx, n).await
    }

    /// The newest incident of `service` whose dedup key is `key` (open or not), or `NotFound`.
    pub async fn incident_for_key(
        &self,
        service: &ServiceName,
        key: &DedupKey,
    ) -> Result<Incident, EngineError> {
        crate::actions::incident_for_key(&self.ctx, service, key).await
    }

    /// Incidents matching `filter`, newest first.
    pub async fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, EngineError> {
        crate::actions::incidents(&self.ctx, filter, None).await
    }

    /// One keyset page of [`Engine::incidents`]: only incidents numbered below `before`.
    pub async fn incidents_before(
        &self,
        filter: &IncidentFilter,
        before: Option<IncidentNumber>,
    ) -> Result<Vec<Incident>, EngineError> {
        crate::actions::incidents(&self.ctx, filter, before).await
    }

    pub async fn timeline(&self, n: IncidentNumber) -> Result<Vec<TimelineEntry>, EngineError> {
        crate::actions::timeline(&self.ctx, n).await
    }

    pub async fn record_change(&self, change: ChangeEvent) -> Result<i64, EngineError> {
        crate::records::record_change(&self.ctx, change).await
    }

    /// Change events, newest first: a bare limit for the newest, or a keyset [`Page`].
    pub async fn changes(
        &self,
        service: Option<&str>,
        page: impl Into<Page>,
    ) -> Result<Vec<RecordedChange>, EngineError> {
        crate::records::changes(&self.ctx, service, page.into()).await
    }

    /// The alert log, newest first: a bare limit for the newest, or a keyset [`Page`].
    pub async fn alert_log(
        &self,
        service: Option<&str>,
        outcome: Option<&str>,
        page: impl Into<Page>,
    ) -> Result<Vec<AlertLogEntry>, EngineError> {
        crate::records::alert_log(&self.ctx, service, outcome, page.into()).await
    }

    pub async fn stats(&self) -> Result<Stats, EngineError> {
        crate::records::stats(&self.ctx).await
    }

    /// Delivery records for an incident's notifications: (room, kind, attempts, delivered?, error).
    pub async fn deliveries(&self, n: IncidentNumber) -> Result<Vec<Delivery>, EngineError> {
        crate::deliveries::deliveries(&self.ctx, n).await
    }

    /// Starts the incident's next escalation level now (an acknowledged incident goes back to
    /// triggered). The timer worker pages the level within moments.
    pub async fn escalate(&self, n: IncidentNumber, by: &Actor) -> Result<Escalation, EngineError> {
        crate::escalation::api::escalate(&self.ctx, n, by).await
    }

    /// Whether `user` was paged about incident `n` by SMS or call (a delivered page, not a
    /// status notice): what an SMS reply or key press naming `n` must have behind it.
    pub async fn was_paged_about(
        &self,
        user: &UserId,
        n: IncidentNumber,
    ) -> Result<bool, EngineError> {
        crate::escalation::api::was_paged_about(&self.ctx, user, n).await
    }

    /// The incident `user` was last paged about by SMS or call (status notices sent since do
    /// not count): what a bare `4` replies to.
    pub async fn last_paged_incident(
        &self,
        user: &UserId,
    ) -> Result<Option<IncidentNumber>, EngineError> {
        crate::escalation::api::last_paged_incident(&self.ctx, user).await
    }

    /// Records a provider's status callback for the message or call `external_ref` on the
    /// incident's timeline. When the provider `resend.from` reports a page SMS failed, the page is
    /// queued once more through `resend.via` (once, however often the provider repeats itself),
    /// while the incident still wants it.
    /// Unknown references are ignored (`Ok(false)`): providers retry callbacks.
    pub async fn page_status(
        &self,
        external_ref: &str,
        status: PageStatus,
        resend: Option<Resend<'_>>,
    ) -> Result<bool, EngineError> {
        crate::escalation::api::page_status(&self.ctx, external_ref, status, resend).await
    }

    /// The postmortem draft for incident `n`, resolved or not (an open incident gets the draft so
    /// far). `NotFound` for an unknown number.
    pub async fn postmortem(&self, n: IncidentNumber) -> Result<Postmortem, EngineError> {
        crate::postmortem::postmortem(&self.ctx, n).await
    }

    /// `true` the first time `key` arrives from `source`: act on it. `false` for a replay or a
    /// retry of a request already taken, which must change nothing.
    pub async fn first_delivery(
        &self,
        source: crate::replay::Delivery,
        key: &str,
    ) -> Result<bool, EngineError> {
        crate::replay::first_delivery(&self.ctx, source, key).await
    }
}
