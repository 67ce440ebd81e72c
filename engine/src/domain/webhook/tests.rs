//! Which changes are webhook events, and the exact bodies they become.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::HookEvent;
use super::payload::render;
use crate::config::Config;
use crate::domain::clock::Timestamp;
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::incident::Incident;
use crate::domain::kinds::EventType;
use crate::domain::kinds::{Actor, Channel, IncidentStatus, Severity};
use crate::domain::notification::Notification;

const TOML: &str = r#"
[rooms.ops]
[users.alice]
name = "Alice Adams"
[users.bob]
name = "Bob Brown"
[escalation_policies.default]
levels = [{ targets = ["alice"] }, { targets = ["bob"] }]
[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "default"
urgency = "by-severity"
[webhooks.lamp]
url = "https://lamp.example.com/hook"
"#;

fn config(public_url: bool) -> Config {
    // `bot` tells the engine the validated `[providers] public_url` (its telephony adapter reads
    // the table).
    let edges = crate::config::Edges {
        public_url: public_url.then(|| "https://firebell.example.com".to_owned()),
        ..Default::default()
    };
    let providers = if public_url {
        "[providers]\npublic_url = \"https://firebell.example.com/\"\n"
    } else {
        ""
    };
    Config::parse_with(&format!("{TOML}{providers}"), "t.toml", &|_| None, &edges).expect("valid")
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

fn incident(status: IncidentStatus, severity: Severity) -> Incident {
    Incident {
        number: IncidentNumber::from_db(42),
        service: ServiceName::new("web".to_owned()),
        dedup_key: DedupKey::parse("disk/db-01").expect("key"),
        title: "Disk full on db-01".to_owned(),
        source: Some("db-01".to_owned()),
        severity,
        status,
        alert_count: 3,
        created_at: at("2026-11-21T03:00:00.250Z"),
        last_alert_at: at("2026-11-21T03:04:00Z"),
        acknowledged_at: None,
        acknowledged_by: None,
        acknowledged_via: None,
        resolved_at: None,
        resolved_by: None,
        resolved_via: None,
        details: json!({"mount": "/var"}),
    }
}

fn event(kind: EventType, actor: Option<Actor>) -> HookEvent {
    HookEvent {
        incident_id: 42,
        room: "ops".to_owned(),
        event: kind,
        actor,
        note: None,
        paged: Vec::new(),
        at: Timestamp::from(at("2026-11-21T03:05:07.123456Z")),
    }
}

fn body(config: &Config, e: &HookEvent, i: &Incident) -> Value {
    serde_json::from_str(&render(
        config,
        e,
        "5ac64822-4adc-4fda-ade0-410becf0de4f",
        i,
    ))
    .expect("the body is JSON")
}

#[test]
fn a_triggered_incident_is_pagerdutys_v3_incident_event() {
    let monitor = Actor::new("Alertmanager", Channel::Events);
    let got = body(
        &config(true),
        &event(EventType::Triggered, Some(monitor)),
        &incident(IncidentStatus::Triggered, Severity::Critical),
    );
    assert_eq!(
        got,
        json!({"event": {
            "id": "5ac64822-4adc-4fda-ade0-410becf0de4f",
            "event_type": "incident.triggered",
            "resource_type": "incident",
            "occurred_at": "2026-11-21T03:05:07.123Z",
            "agent": {"id": "Alertmanager", "type": "inbound_integration_reference",
                      "summary": "Alertmanager", "self": null, "html_url": null},
            "client": {"name": "events"},
            "data": {
                "id": "42",
                "type": "incident",
                "self": "https://firebell.example.com/api/v1/incidents/42",
                "html_url": null,
                "number": 42,
                "status": "triggered",
                "incident_key": "disk/db-01",
                "created_at": "2026-11-21T03:00:00Z",
                "title": "Disk full on db-01",
                "service": {"id": "web", "type": "service_reference", "summary": "web",
                            "self": null, "html_url": null},
                "assignees": [],
                "escalation_policy": {"id": "default", "type": "escalation_policy_reference",
                                      "summary": "default", "self": null, "html_url": null},
                "teams": [],
                "priority": null,
                "urgency": "high"
            }
        }})
    );
}

#[test]
fn the_status_is_the_one_the_event_reports_even_if_the_incident_moved_on_in_the_same_commit() {
    let c = config(false);
    let resolved = incident(IncidentStatus::Resolved, Severity::Warning);
    let alice = Actor::new("alice", Channel::Slack);
    for (kind, status) in [
        (EventType::Triggered, "triggered"),
        (EventType::Acknowledged, "acknowledged"),
        (EventType::Unacknowledged, "triggered"),
        (EventType::Resolved, "resolved"),
        (EventType::Escalated, "resolved"),
    ] {
        let got = body(&c, &event(kind, Some(alice.clone())), &resolved);
        assert_eq!(got["event"]["event_type"], kind.as_str());
        assert_eq!(got["event"]["data"]["status"], status, "{kind}");
        // by-severity: a warning is low urgency.
        assert_eq!(got["event"]["data"]["urgency"], "low");
        assert_eq!(got["event"]["data"]["self"], Value::Null, "no public URL");
    }
}

#[test]
fn a_person_is_a_user_reference_by_name_and_firebell_itself_is_null() {
    let c = config(false);
    let i = incident(IncidentStatus::Acknowledged, Severity::Critical);
    let got = body(
        &c,
        &event(
            EventType::Acknowledged,
            Some(Actor::new("alice", Channel::Slack)),
        ),
        &i,
    );
    assert_eq!(
        got["event"]["agent"],
        json!({"id": "alice", "type": "user_reference", "summary": "Alice Adams",
               "self": null, "html_url": null})
    );
    assert_eq!(got["event"]["client"], json!({"name": "slack"}));

    let api = body(
        &c,
        &event(EventType::Resolved, Some(Actor::new("ci", Channel::Api))),
        &i,
    );
    assert_eq!(api["event"]["agent"]["type"], "api_token_reference");

    let mut escalated = event(EventType::Escalated, None);
    escalated.paged = vec!["bob".to_owned(), "gone".to_owned()];
    let got = body(&c, &escalated, &i);
    assert_eq!(got["event"]["agent"], Value::Null);
    assert_eq!(got["event"]["client"], Value::Null);
    let assignees: Vec<(&str, &str)> = got["event"]["data"]["assignees"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| {
            assert_eq!(a["type"], "user_reference");
            (
                a["id"].as_str().expect("id"),
                a["summary"].as_str().expect("summary"),
            )
        })
        .collect();
    assert_eq!(assignees, vec![("bob", "Bob Brown"), ("gone", "gone")]);
}

#[test]
fn a_note_is_an_incident_note_naming_its_incident() {
    let mut e = event(
        EventType::Annotated,
        Some(Actor::new("bob", Channel::Console)),
    );
    e.note = Some("Rotated the logs — \"df\" says 40% free".to_owned());
    let got = body(
        &config(true),
        &e,
        &incident(IncidentStatus::Triggered, Severity::Critical),
    );
    assert_eq!(got["event"]["event_type"], "incident.annotated");
    assert_eq!(
        got["event"]["data"],
        json!({
            "incident": {"id": "42", "type": "incident_reference", "summary": "Disk full on db-01",
                         "self": "https://firebell.example.com/api/v1/incidents/42", "html_url": null},
            "content": "Rotated the logs — \"df\" says 40% free",
            "trimmed": false,
            "type": "incident_note"
        })
    );
}

#[test]
fn the_same_event_always_renders_the_same_bytes_with_event_first() {
    let c = config(true);
    let e = event(EventType::Triggered, None);
    let i = incident(IncidentStatus::Triggered, Severity::Critical);
    let a = render(&c, &e, "id-1", &i);
    assert_eq!(a, render(&c, &e, "id-1", &i));
    assert!(
        a.starts_with(r#"{"event":{"id":"id-1","event_type":"incident.triggered","#),
        "{a}"
    );
}

#[test]
fn incident_changes_are_events_and_chat_matters_are_not() {
    let who = Actor::new("alice", Channel::Slack);
    let cases = [
        (Notification::IncidentOpened, Some(EventType::Triggered)),
        (
            Notification::Acknowledged { actor: who.clone() },
            Some(EventType::Acknowledged),
        ),
        (
            Notification::Resolved {
                actor: who.clone(),
                note: None,
            },
            Some(EventType::Resolved),
        ),
        (
            Notification::Note {
                actor: who.clone(),
                text: "x".to_owned(),
            },
            Some(EventType::Annotated),
        ),
        (
            Notification::Escalated {
                actor: None,
                level: 2,
                users: vec!["bob".to_owned()],
            },
            Some(EventType::Escalated),
        ),
        (
            Notification::Retriggered {
                reason: "ack timeout".to_owned(),
            },
            Some(EventType::Unacknowledged),
        ),
        (Notification::AlertsAdded, None),
        (
            Notification::PolicyExhausted {
                policy: "default".to_owned(),
            },
            None,
        ),
    ];
    for (n, want) in cases {
        assert_eq!(n.event_type(), want, "{n:?}");
    }
    for e in EventType::ALL {
        assert_eq!(e.as_str().parse::<EventType>(), Ok(*e));
    }
    assert!(
        "incident.reopened"
            .parse::<EventType>()
            .unwrap_err()
            .to_string()
            .contains("expected one of: incident.triggered")
    );
}

#[test]
fn a_post_becomes_an_event_with_the_note_the_paged_and_the_opener() {
    let opener = Actor::new("Alertmanager", Channel::Events);
    let e = HookEvent::from_post(
        "ops",
        Some(7),
        &Notification::IncidentOpened,
        Some(opener.clone()),
        Timestamp::from_micros(5),
    )
    .expect("event");
    assert_eq!(
        (e.incident_id, e.event, e.actor),
        (7, EventType::Triggered, Some(opener))
    );
    let n = Notification::Escalated {
        actor: None,
        level: 2,
        users: vec!["bob".to_owned()],
    };
    let e =
        HookEvent::from_post("ops", Some(7), &n, None, Timestamp::from_micros(5)).expect("event");
    assert_eq!(e.paged, vec!["bob".to_owned()]);
    assert!(
        HookEvent::from_post("ops", None, &n, None, Timestamp::from_micros(5)).is_none(),
        "no incident"
    );
    assert!(
        HookEvent::from_post(
            "ops",
            Some(7),
            &Notification::AlertsAdded,
            None,
            Timestamp::from_micros(5)
        )
        .is_none()
    );
}
