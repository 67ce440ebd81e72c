//! The request body of a webhook: one event in PagerDuty's v3 shape
//! (`{"event": {"id", "event_type", "resource_type", "occurred_at", "agent", "client", "data"}}`),
//! built from the event and the incident as it stood when the change committed. Pure: values in,
//! bytes out, so the shape is table-tested and a retry can never differ from the first try.
//!
//! firebell has no web UI, teams or priorities: `html_url` is always null, `teams` empty and
//! `priority` null. `self` is the incident's API URL when `[providers] public_url` is set.
//! References name things by their config ids (`"id": "web"`, `"id": "alice"`), and an incident's
//! `id` is its number as a string.

use chrono::SecondsFormat;
use serde::Serialize;

use super::HookEvent;
use crate::config::Config;
use crate::domain::incident::Incident;
use crate::domain::kinds::EventType;
use crate::domain::kinds::{Actor, Channel, IncidentStatus, Urgency};

/// The body for `event` about `incident`, as sent (and signed).
pub fn render(config: &Config, event: &HookEvent, event_id: &str, incident: &Incident) -> String {
    let envelope = Envelope {
        event: Event {
            id: event_id,
            event_type: event.event.as_str(),
            resource_type: "incident",
            occurred_at: event
                .at
                .datetime()
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            agent: event.actor.as_ref().and_then(|a| agent(config, a)),
            client: event
                .actor
                .as_ref()
                .filter(|a| a.channel != Channel::System)
                .map(|a| Client {
                    name: a.channel.as_str(),
                }),
            data: match (&event.event, &event.note) {
                (EventType::Annotated, Some(text)) => Data::Note(NoteData {
                    incident: incident_ref(config, incident),
                    content: text,
                    trimmed: false,
                    kind: "incident_note",
                }),
                _ => Data::Incident(Box::new(incident_data(config, event, incident))),
            },
        },
    };
    serde_json::to_string(&envelope).expect("plain structs always serialize")
}

#[derive(Serialize)]
struct Envelope<'a> {
    event: Event<'a>,
}

#[derive(Serialize)]
struct Event<'a> {
    id: &'a str,
    event_type: &'static str,
    resource_type: &'static str,
    occurred_at: String,
    agent: Option<Reference>,
    client: Option<Client>,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Client {
    name: &'static str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Data<'a> {
    Incident(Box<IncidentData<'a>>),
    Note(NoteData<'a>),
}

/// PagerDuty's `*_reference` objects.
#[derive(Debug, Serialize)]
struct Reference {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    summary: String,
    #[serde(rename = "self")]
    self_url: Option<String>,
    html_url: Option<String>,
}

impl Reference {
    fn new(kind: &'static str, id: &str, summary: &str) -> Reference {
        Reference {
            id: id.to_owned(),
            kind,
            summary: summary.to_owned(),
            self_url: None,
            html_url: None,
        }
    }
}

#[derive(Serialize)]
struct IncidentData<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "self")]
    self_url: Option<String>,
    html_url: Option<String>,
    number: i64,
    status: &'static str,
    incident_key: &'a str,
    created_at: String,
    title: &'a str,
    service: Reference,
    assignees: Vec<Reference>,
    escalation_policy: Option<Reference>,
    teams: Vec<Reference>,
    priority: Option<Reference>,
    urgency: &'static str,
}

#[derive(Serialize)]
struct NoteData<'a> {
    incident: Reference,
    content: &'a str,
    trimmed: bool,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn incident_data<'a>(
    config: &Config,
    event: &HookEvent,
    incident: &'a Incident,
) -> IncidentData<'a> {
    let service = config.services.get(&incident.service);
    // The status the event is about: a batch that opened and acknowledged an incident at once
    // reads its row after both, yet its `incident.triggered` must still say triggered.
    let status = match event.event {
        EventType::Triggered | EventType::Unacknowledged => IncidentStatus::Triggered,
        EventType::Acknowledged => IncidentStatus::Acknowledged,
        EventType::Resolved => IncidentStatus::Resolved,
        EventType::Escalated | EventType::Annotated => incident.status,
    };
    let urgency = service.map_or(Urgency::High, |s| {
        s.urgency.urgency(
            incident.severity,
            incident.created_at,
            s.support_hours.as_ref(),
        )
    });
    IncidentData {
        id: incident.number.get().to_string(),
        kind: "incident",
        self_url: self_url(config, incident),
        html_url: None,
        number: incident.number.get(),
        status: status.as_str(),
        incident_key: incident.dedup_key.as_str(),
        created_at: incident
            .created_at
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        title: &incident.title,
        service: Reference::new(
            "service_reference",
            incident.service.as_str(),
            incident.service.as_str(),
        ),
        assignees: event.paged.iter().map(|u| user_ref(config, u)).collect(),
        escalation_policy: service
            .and_then(|s| s.escalation_policy.as_deref())
            .map(|p| Reference::new("escalation_policy_reference", p, p)),
        teams: Vec::new(),
        priority: None,
        urgency: urgency.as_str(),
    }
}

fn self_url(config: &Config, incident: &Incident) -> Option<String> {
    let base = config.public_url.as_deref()?;
    Some(format!("{base}/api/v1/incidents/{}", incident.number.get()))
}

fn incident_ref(config: &Config, incident: &Incident) -> Reference {
    Reference {
        self_url: self_url(config, incident),
        ..Reference::new(
            "incident_reference",
            &incident.number.get().to_string(),
            &incident.title,
        )
    }
}

fn user_ref(config: &Config, id: &str) -> Reference {
    let name = config.user(id).map_or(id, |u| u.name.as_str());
    Reference::new("user_reference", id, name)
}

/// Who did it: a configured person, a monitor (an integration), or an API token by name;
/// `None` for firebell's own timers, as PagerDuty sends `null` for its own.
fn agent(config: &Config, actor: &Actor) -> Option<Reference> {
    if config.user(&actor.name).is_some() {
        return Some(user_ref(config, &actor.name));
    }
    let kind = match actor.channel {
        Channel::System => return None,
        Channel::Events | Channel::Email => "inbound_integration_reference",
        Channel::Api => "api_token_reference",
        _ => "user_reference",
    };
    Some(Reference::new(kind, &actor.name, &actor.name))
}
