//! firebell's incidents in PagerDuty's `Incident` shape. Who acknowledged and resolved, and who is
//! being paged now (`assignments`), are references to firebell users where the actor is one.

use chrono::{DateTime, Utc};
use firebell_engine::{Config, Incident, IncidentStatus, UserId};
use serde_json::{Value, json};

use super::refs::Links;

/// `[#42] Disk full on db-01`, PagerDuty's incident summary.
pub(crate) fn summary(i: &Incident) -> String {
    format!("[#{}] {}", i.number.get(), i.title)
}

pub(crate) fn incident_ref(links: &Links, i: &Incident) -> Value {
    links.reference("incident", &i.number.get().to_string(), &summary(i))
}

/// A reference to the person `name` (a firebell user id), or to the API token / monitor that
/// acted, as an integration reference.
pub(crate) fn agent(links: &Links, config: &Config, name: &str) -> Value {
    match config.user(name) {
        Some(u) => links.reference("user", u.id.as_str(), &u.name),
        // An API token, a monitor or firebell itself: PagerDuty would name an integration.
        None => links.reference("integration", name, name),
    }
}

/// The incident as PagerDuty's REST API shows it; `paged` are the people paged now (open
/// incidents only).
pub(crate) fn incident(links: &Links, config: &Config, i: &Incident, paged: &[UserId]) -> Value {
    let mut m = links.entity("incident", &i.number.get().to_string(), &summary(i));
    let service = config.service(i.service.as_str());
    let urgency = service.map_or("high", |s| {
        s.urgency
            .urgency(i.severity, i.created_at, s.support_hours.as_ref())
            .as_str()
    });
    let policy = service
        .and_then(|s| s.escalation_policy.as_deref())
        .map(|p| links.reference("escalation_policy", p, p));
    let (last_change_at, last_change_by) = last_change(i);
    // Changed by nobody yet: PagerDuty names the service the trigger came through.
    let service_ref = links.reference(
        "service",
        i.service.as_str(),
        service.map_or(i.service.as_str(), |s| s.description.as_str()),
    );
    let acknowledgements: Vec<Value> = match (i.status, i.acknowledged_at, &i.acknowledged_by) {
        (IncidentStatus::Acknowledged, Some(at), Some(by)) => {
            vec![json!({"at": at, "acknowledger": agent(links, config, by)})]
        }
        _ => Vec::new(),
    };
    let assignments: Vec<Value> = paged
        .iter()
        .map(|u| {
            let name = config
                .user(u.as_str())
                .map_or(u.as_str(), |c| c.name.as_str());
            json!({"at": i.created_at, "assignee": links.reference("user", u.as_str(), name)})
        })
        .collect();
    let fields = json!({
        "incident_number": i.number.get(),
        "title": i.title,
        "created_at": i.created_at,
        "status": i.status.as_str(),
        "incident_key": i.dedup_key.as_str(),
        "service": service_ref,
        "assignments": assignments,
        "assigned_via": "escalation_policy",
        "acknowledgements": acknowledgements,
        "last_status_change_at": last_change_at,
        "last_status_change_by": match last_change_by {
            Some(by) => agent(links, config, by),
            None => service_ref.clone(),
        },
        "escalation_policy": policy,
        "teams": [],
        "pending_actions": [],
        "urgency": urgency,
        "alert_counts": {
            "all": i.alert_count,
            "triggered": if i.is_open() { i.alert_count } else { 0 },
            "resolved": if i.is_open() { 0 } else { i.alert_count },
        },
        // PagerDuty's incident body `details` is text: the first trigger's details as JSON.
        "body": {"type": "incident_body", "details": i.details.to_string()},
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

/// When the status last changed, and who changed it (none: the trigger).
fn last_change(i: &Incident) -> (DateTime<Utc>, Option<&str>) {
    match i.status {
        IncidentStatus::Resolved => (
            i.resolved_at.unwrap_or(i.created_at),
            i.resolved_by.as_deref(),
        ),
        IncidentStatus::Acknowledged => (
            i.acknowledged_at.unwrap_or(i.created_at),
            i.acknowledged_by.as_deref(),
        ),
        IncidentStatus::Triggered => (i.created_at, None),
    }
}
