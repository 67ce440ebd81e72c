//! Webhook rows for the incident events of one transaction: the changed incidents are read once,
//! inside the transaction (so each body shows the incident as this change left it), and every
//! event becomes one row per subscription that wants it, with its body rendered now.

use std::collections::HashMap;
use std::sync::Arc;

use super::nudge::OutboxNudge;
use super::rows::{INCIDENT_COLUMNS, IncidentRow};
use super::{C, sql};
use crate::config::Config;
use crate::domain::clock::Timestamp;
use crate::domain::incident::Incident;
use crate::domain::notification::Notification;
use crate::domain::webhook::{HookEvent, payload};

/// One webhook row to queue.
pub(crate) struct HookRow {
    pub room: String,
    pub incident_id: i64,
    pub subscription: String,
    pub notification: Notification,
    pub at: Timestamp,
}

/// The rows `events` cause, in event order and, per event, subscription-name order.
pub(crate) async fn rows(
    c: &mut C<'_>,
    config: &Config,
    events: &[HookEvent],
) -> Result<Vec<HookRow>, sqlx::Error> {
    let wanted: Vec<&HookEvent> = events
        .iter()
        .filter(|e| config.webhooks.values().any(|w| w.wants_event(e.event)))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = wanted.iter().map(|e| e.incident_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let incidents = load(c, &ids).await?;
    let mut out = Vec::new();
    for event in wanted {
        let Some(incident) = incidents.get(&event.incident_id) else {
            continue;
        };
        let subscribers: Vec<&str> = config
            .webhooks
            .values()
            .filter(|w| w.wants(event.event, &incident.service))
            .map(|w| w.name.as_str())
            .collect();
        if subscribers.is_empty() {
            continue;
        }
        // One id per event, shared by its subscriptions: it names the event, and a receiver
        // subscribed twice can tell it is the same one.
        let event_id = uuid::Uuid::new_v4().to_string();
        let body = payload::render(config, event, &event_id, incident);
        for name in subscribers {
            out.push(HookRow {
                room: event.room.clone(),
                incident_id: event.incident_id,
                subscription: name.to_owned(),
                notification: Notification::Webhook {
                    subscription: name.to_owned(),
                    event_id: event_id.clone(),
                    event_type: event.event.as_str().to_owned(),
                    body: body.clone(),
                },
                at: event.at,
            });
        }
    }
    Ok(out)
}

/// Incidents by id, `$1` the ids as a JSON array. On PostgreSQL the ids are made an array first:
/// `id IN (SELECT …)` over a set-returning function was planned as a hash join over a scan of
/// every incident, once per ingest batch with webhooks (issue 14).
pub(crate) fn load_query(pg: bool) -> String {
    if pg {
        format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents \
             WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)::bigint))"
        )
    } else {
        format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id IN (SELECT value FROM json_each($1))"
        )
    }
}

/// The incidents with these ids, in one statement on either backend.
async fn load(c: &mut C<'_>, ids: &[i64]) -> Result<HashMap<i64, Incident>, sqlx::Error> {
    let list = serde_json::to_string(ids).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let q = load_query(c.is_pg());
    let rows = sql!(all IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), list)?;
    Ok(rows
        .into_iter()
        .map(Incident::from)
        .map(|i| (i.number.get(), i))
        .collect())
}

/// Whether transactions should look for webhook events, the config to render them with, and the
/// nudge that wakes the webhook workers: empty when no subscription is configured, so an
/// installation without webhooks pays nothing.
#[derive(Clone, Default)]
pub(crate) struct Hooks(Option<(Arc<Config>, Arc<OutboxNudge>)>);

impl Hooks {
    pub(crate) fn new(config: &Arc<Config>, nudge: &Arc<OutboxNudge>) -> Hooks {
        Hooks((!config.webhooks.is_empty()).then(|| (config.clone(), nudge.clone())))
    }

    pub(crate) fn config(&self) -> Option<&Config> {
        self.0.as_ref().map(|(c, _)| c.as_ref())
    }

    /// Webhook rows are in the transaction about to commit.
    pub(crate) fn queued(&self) {
        if let Some((_, nudge)) = &self.0 {
            nudge.hooks_queued();
        }
    }
}
