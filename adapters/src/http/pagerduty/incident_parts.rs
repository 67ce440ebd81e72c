//! An incident's notes, log entries and alerts, in PagerDuty's shapes. Log entries are firebell's
//! timeline (each entry's id is its timeline row id); alerts are the trigger events the incident
//! received, with the bodies they came with.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use firebell_engine::{Incident, IncidentStatus, NumberedEntry, TimelineKind};
use serde_json::{Value, json};

use super::error::PdError;
use super::incidents::number;
use super::refs::Links;
use super::request::{Pd, PdJson, PdPath, PdQuery, Writer};
use super::view;
use crate::http::AppState;

/// PagerDuty's log entry type for a firebell timeline kind. firebell records a few things
/// PagerDuty does not (a deduplicated alert, an ignored event, a deferred page); they are shown
/// as annotations, with firebell's wording in the summary.
fn log_type(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Triggered => "trigger_log_entry",
        TimelineKind::Acknowledged => "acknowledge_log_entry",
        TimelineKind::Resolved => "resolve_log_entry",
        TimelineKind::Notified => "notify_log_entry",
        TimelineKind::Escalated => "escalate_log_entry",
        TimelineKind::Retriggered => "unacknowledge_log_entry",
        TimelineKind::Note
        | TimelineKind::AlertAdded
        | TimelineKind::Ignored
        | TimelineKind::Deferred => "annotate_log_entry",
    }
}

fn log_entry(state: &AppState, links: &Links, i: &Incident, e: &NumberedEntry) -> Value {
    let config = state.engine.config();
    let mut m = links.entity(log_type(e.entry.kind), &e.id.to_string(), &e.entry.message);
    let fields = json!({
        "created_at": e.entry.at,
        "agent": view::agent(links, config, &e.entry.actor),
        "channel": {"type": e.entry.channel.as_str()},
        "incident": view::incident_ref(links, i),
        "service": links.reference("service", i.service.as_str(), i.service.as_str()),
        "teams": [],
        "contexts": [],
        "event_details": {"description": e.entry.message},
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

pub(crate) async fn log_entries(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let n = number(&id)?;
    let incident = state.engine.incident(n).await?;
    let entries = state.engine.log_entries(n).await?;
    let links = Links { base: &pd.base };
    let (page, wrapper) = paging.slice(entries);
    let items = page
        .iter()
        .map(|e| log_entry(&state, &links, &incident, e))
        .collect();
    Ok(Json(wrapper.reply("log_entries", items)))
}

fn note(state: &AppState, links: &Links, e: &NumberedEntry) -> Value {
    json!({
        "id": e.id.to_string(),
        "user": view::agent(links, state.engine.config(), &e.entry.actor),
        "content": e.entry.message,
        "created_at": e.entry.at,
    })
}

/// Every note, oldest first (PagerDuty does not page notes).
pub(crate) async fn notes(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let n = number(&id)?;
    let entries = state.engine.log_entries(n).await?;
    let links = Links { base: &pd.base };
    let notes: Vec<Value> = entries
        .iter()
        .filter(|e| e.entry.kind == TimelineKind::Note)
        .map(|e| note(&state, &links, e))
        .collect();
    Ok(Json(json!({"notes": notes})))
}

/// `{"note": {"content": "…"}}` → 200 with the note (PagerDuty's spec documents 200).
pub(crate) async fn add_note(
    State(state): State<AppState>,
    w: Writer,
    PdPath(id): PdPath,
    body: PdJson,
) -> Result<(StatusCode, Json<Value>), PdError> {
    let n = number(&id)?;
    let content = match body.wrapped("note")?.get("content") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(PdError::invalid(
                "`note.content` must be a non-empty string",
            ));
        }
    };
    state.engine.add_note(n, &w.actor, &content).await?;
    let entries = state.engine.log_entries(n).await?;
    let links = Links { base: &w.pd.base };
    let mine = entries
        .iter()
        .rev()
        .find(|e| {
            e.entry.kind == TimelineKind::Note
                && e.entry.actor == w.actor.name
                && e.entry.message == content.trim()
        })
        .ok_or_else(|| PdError::not_found("the note was added but could not be read back"))?;
    Ok((
        StatusCode::OK,
        Json(json!({"note": note(&state, &links, mine)})),
    ))
}

/// The summary an event gave itself: Events API v2 `payload.summary`, v1 `description`,
/// Opsgenie `message`, else the incident's title.
fn alert_summary<'a>(raw: &'a Value, incident: &'a Incident) -> &'a str {
    raw.pointer("/payload/summary")
        .or_else(|| raw.get("description"))
        .or_else(|| raw.get("message"))
        .or_else(|| raw.pointer("/annotations/summary"))
        .and_then(Value::as_str)
        .unwrap_or(&incident.title)
}

pub(crate) async fn alerts(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let n = number(&id)?;
    let incident = state.engine.incident(n).await?;
    let status = if incident.status == IncidentStatus::Resolved {
        "resolved"
    } else {
        "triggered"
    };
    for s in q.many("statuses") {
        if s != "triggered" && s != "resolved" {
            return Err(PdError::invalid(format!(
                "`statuses[]` must be triggered or resolved, not `{s}`"
            )));
        }
    }
    let wanted = q.many("statuses");
    let alerts: Vec<_> = state
        .engine
        .incident_alerts(n)
        .await?
        .into_iter()
        .filter(|a| a.action == "trigger")
        .filter(|_| wanted.is_empty() || wanted.contains(&status))
        .collect();
    let links = Links { base: &pd.base };
    let (page, wrapper) = paging.slice(alerts);
    let items = page
        .iter()
        .map(|a| {
            let mut m = links.entity("alert", &a.id.to_string(), alert_summary(&a.payload, &incident));
            let fields = json!({
                "created_at": a.received_at,
                "status": status,
                "alert_key": a.dedup_key,
                "service": links.reference("service", incident.service.as_str(), incident.service.as_str()),
                "incident": view::incident_ref(&links, &incident),
                "suppressed": false,
                "severity": incident.severity.as_str(),
                "body": {"type": "alert_body", "contexts": [], "details": a.payload},
            });
            if let Value::Object(f) = fields {
                m.extend(f);
            }
            Value::Object(m)
        })
        .collect();
    Ok(Json(wrapper.reply("alerts", items)))
}
