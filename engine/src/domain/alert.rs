//! An alert as it enters the engine, whatever door it came through (Events API v1/v2,
//! Alertmanager, chat `!trigger`), and what the engine made of it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::kinds::{Actor, EventAction, IncidentStatus, Severity};

/// One signal from a monitor, already validated by its adapter and resolved to a service.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub service: ServiceName,
    pub kind: AlertKind,
    /// Who sent it (`Alertmanager`, an integration name, a chat user).
    pub actor: Actor,
    /// The event as received, kept verbatim for the alert log.
    pub raw: serde_json::Value,
}

impl NewAlert {
    /// The alert's dedup key, generating one first for a trigger that came without (PagerDuty
    /// returns the generated key to the caller).
    pub fn ensure_dedup_key(&mut self) -> DedupKey {
        match &mut self.kind {
            AlertKind::Trigger { dedup_key, .. } => {
                dedup_key.get_or_insert_with(DedupKey::generate).clone()
            }
            AlertKind::Acknowledge { dedup_key } | AlertKind::Resolve { dedup_key } => {
                dedup_key.clone()
            }
        }
    }
}

impl NewAlert {
    /// The key as queued: always present after [`NewAlert::ensure_dedup_key`]; generated here
    /// otherwise.
    pub(crate) fn dedup_key_or_generate(&self) -> DedupKey {
        match &self.kind {
            AlertKind::Trigger { dedup_key, .. } => {
                dedup_key.clone().unwrap_or_else(DedupKey::generate)
            }
            AlertKind::Acknowledge { dedup_key } | AlertKind::Resolve { dedup_key } => {
                dedup_key.clone()
            }
        }
    }
}

/// What the event asks for. Acknowledge and resolve name an existing key; a trigger may omit
/// it, and the engine then generates one and returns it, as PagerDuty does.
#[derive(Debug, Clone)]
pub enum AlertKind {
    Trigger {
        dedup_key: Option<DedupKey>,
        payload: TriggerPayload,
    },
    Acknowledge {
        dedup_key: DedupKey,
    },
    Resolve {
        dedup_key: DedupKey,
    },
}

impl AlertKind {
    pub fn action(&self) -> EventAction {
        match self {
            AlertKind::Trigger { .. } => EventAction::Trigger,
            AlertKind::Acknowledge { .. } => EventAction::Acknowledge,
            AlertKind::Resolve { .. } => EventAction::Resolve,
        }
    }
}

/// What a trigger carries to describe the problem.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TriggerPayload {
    pub summary: String,
    pub source: Option<String>,
    pub severity: Severity,
    /// When the monitor saw it (PagerDuty's `payload.timestamp`), if given.
    pub timestamp: Option<DateTime<Utc>>,
    /// Everything else kept verbatim: custom_details, links, images, client, client_url,
    /// component, group, class.
    pub details: serde_json::Value,
}

/// The outcome of one event, returned to the caller after it is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Ingested {
    /// A new incident was opened (and its chat post queued).
    Created {
        number: IncidentNumber,
        dedup_key: DedupKey,
    },
    /// The key already had an open incident: one more alert on it, nobody paged again.
    Deduplicated {
        number: IncidentNumber,
        dedup_key: DedupKey,
        status: IncidentStatus,
    },
    Acknowledged {
        number: IncidentNumber,
        dedup_key: DedupKey,
    },
    Resolved {
        number: IncidentNumber,
        dedup_key: DedupKey,
    },
    /// Acknowledge/resolve for a key with no open incident (unknown, or already resolved), or an
    /// acknowledge for one already acknowledged. Recorded in the alert log, changes nothing.
    Dropped { dedup_key: DedupKey, reason: String },
    /// A trigger that fell under maintenance window `window`: recorded and counted, no incident,
    /// nobody paged.
    Suppressed { dedup_key: DedupKey, window: i64 },
}

impl Ingested {
    pub fn dedup_key(&self) -> &DedupKey {
        match self {
            Ingested::Created { dedup_key, .. }
            | Ingested::Deduplicated { dedup_key, .. }
            | Ingested::Acknowledged { dedup_key, .. }
            | Ingested::Resolved { dedup_key, .. }
            | Ingested::Dropped { dedup_key, .. }
            | Ingested::Suppressed { dedup_key, .. } => dedup_key,
        }
    }

    /// The label used in the alert log and in metrics.
    pub fn outcome(&self) -> &'static str {
        match self {
            Ingested::Created { .. } => "created",
            Ingested::Deduplicated { .. } => "deduplicated",
            Ingested::Acknowledged { .. } => "acknowledged",
            Ingested::Resolved { .. } => "resolved",
            Ingested::Dropped { .. } => "dropped",
            Ingested::Suppressed { .. } => "suppressed",
        }
    }

    pub fn number(&self) -> Option<IncidentNumber> {
        match self {
            Ingested::Created { number, .. }
            | Ingested::Deduplicated { number, .. }
            | Ingested::Acknowledged { number, .. }
            | Ingested::Resolved { number, .. } => Some(*number),
            Ingested::Dropped { .. } | Ingested::Suppressed { .. } => None,
        }
    }
}

/// Every outcome label, for metrics that want all series present from the start.
pub const OUTCOMES: &[&str] = &[
    "created",
    "deduplicated",
    "acknowledged",
    "resolved",
    "dropped",
    "suppressed",
];
