//! The verbs people use on one incident: acknowledge, resolve, add a note; and reading incidents
//! and their timelines.

use chrono::{DateTime, Utc};
use tracing::info;

use super::{Engine, human_ago};
use crate::domain::clock::Timestamp;
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{Incident, IncidentFilter, TimelineEntry};
use crate::domain::kinds::{Actor, IncidentStatus};
use crate::store::pending::Pending;
use crate::store::{incidents, queries};

/// What a person does to an incident through [`Engine::act`].
#[derive(Clone, Copy)]
enum Action<'a> {
    Acknowledge,
    Resolve(Option<&'a str>),
}

impl Action<'_> {
    fn verb(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::Resolve(_) => "resolve",
        }
    }
}

/// Longest note (and resolve note) accepted, from any channel.
pub const MAX_NOTE_CHARS: usize = 4096;

impl Engine {
    #[tracing::instrument(skip_all, fields(incident = %n))]
    pub async fn acknowledge(
        &self,
        n: IncidentNumber,
        by: &Actor,
    ) -> Result<Incident, EngineError> {
        self.act(n, by, Action::Acknowledge).await
    }

    #[tracing::instrument(skip_all, fields(incident = %n))]
    pub async fn resolve(
        &self,
        n: IncidentNumber,
        by: &Actor,
        note: Option<&str>,
    ) -> Result<Incident, EngineError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(note) = note {
            check_note(note)?;
        }
        self.act(n, by, Action::Resolve(note)).await
    }

    /// A person's guarded change to one incident, with its timeline entry and chat post committed
    /// together; when the guard refuses, says why from the incident's current state.
    async fn act(
        &self,
        n: IncidentNumber,
        by: &Actor,
        action: Action<'_>,
    ) -> Result<Incident, EngineError> {
        let current = self.incident(n).await?;
        let room = self.room_of(&current.service)?;
        let now = Timestamp::now(self.clock());
        let mut tx = self.store().begin().await?;
        let mut pending = Pending::with_hooks(self.hooks());
        let changed = match action {
            Action::Acknowledge => {
                incidents::acknowledge(&mut tx.c(), &mut pending, n, by, &room, now).await?
            }
            Action::Resolve(note) => {
                incidents::resolve(&mut tx.c(), &mut pending, n, by, note, &room, now).await?
            }
        };
        if let Some(i) = &changed {
            let changes = [(n.get(), room.as_str(), i.status, by)];
            crate::store::escalation::notify_paged(&mut tx.c(), &mut pending, &changes, now)
                .await?;
        }
        pending.flush(&mut tx.c()).await?;
        tx.commit().await?;
        match changed {
            Some(incident) => {
                info!(incident = %n, by = %by, action = action.verb(), "changed");
                self.nudge_workers();
                Ok(incident)
            }
            None => Err(self.why_not(n, action.verb()).await),
        }
    }

    /// Explains a guarded update that changed nothing, from the incident's current state.
    async fn why_not(&self, n: IncidentNumber, verb: &str) -> EngineError {
        let incident = match self.incident(n).await {
            Ok(i) => i,
            Err(e) => return e,
        };
        let ago = |t: Option<DateTime<Utc>>| {
            t.map(|t| human_ago(self.clock().now() - t))
                .unwrap_or_default()
        };
        let msg = match incident.status {
            IncidentStatus::Resolved => format!(
                "incident {n} is already resolved (by {}{}) — nothing to {verb}",
                incident.resolved_by.as_deref().unwrap_or("someone"),
                ago(incident.resolved_at)
            ),
            IncidentStatus::Acknowledged => format!(
                "incident {n} is already acknowledged (by {}{})",
                incident.acknowledged_by.as_deref().unwrap_or("someone"),
                ago(incident.acknowledged_at)
            ),
            IncidentStatus::Triggered => format!("incident {n} changed while you asked; try again"),
        };
        EngineError::User(UserError::new(msg))
    }

    pub async fn add_note(
        &self,
        n: IncidentNumber,
        by: &Actor,
        text: &str,
    ) -> Result<Incident, EngineError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EngineError::user("a note needs some text"));
        }
        check_note(text)?;
        let incident = self.incident(n).await?;
        let room = self.room_of(&incident.service)?;
        let now = Timestamp::now(self.clock());
        let mut pending = Pending::with_hooks(self.hooks());
        incidents::add_note(&mut pending, n, by, text, &room, now)?;
        let mut tx = self.store().begin().await?;
        pending.flush(&mut tx.c()).await?;
        tx.commit().await?;
        self.inner.outbox_nudge.notify_one();
        Ok(incident)
    }

    /// The incident, or `NotFound` with a message for the user.
    pub async fn incident(&self, n: IncidentNumber) -> Result<Incident, EngineError> {
        let mut conn = self.store().conn().await?;
        queries::get(&mut conn.c(), n)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("there is no incident {n}")))
    }

    pub async fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, EngineError> {
        let mut conn = self.store().conn().await?;
        Ok(queries::list(&mut conn.c(), filter).await?)
    }

    pub async fn timeline(&self, n: IncidentNumber) -> Result<Vec<TimelineEntry>, EngineError> {
        let mut conn = self.store().conn().await?;
        Ok(queries::timeline(&mut conn.c(), n).await?)
    }
}

fn check_note(text: &str) -> Result<(), EngineError> {
    let n = text.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(EngineError::user(format!(
            "a note is at most {MAX_NOTE_CHARS} characters (this one has {n}); attach long logs as a link"
        )));
    }
    Ok(())
}
