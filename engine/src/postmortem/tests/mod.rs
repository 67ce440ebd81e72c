//! The draft as a reader sees it, from fixed values: one incident, its timeline, its deliveries.
//!
//! # Layout
//! - `sections`: sections in order, the figures, every timeline entry, action items, pages and
//!   escalations, the banner on an open incident.
//! - `safety`: values escaped for their Markdown context, whatever the alert said; durations.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::domain::ids::{DedupKey, ServiceName};
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::{Channel, IncidentStatus, Severity, Urgency};
use crate::domain::notification::Notification;

const CONFIG: &str = r#"
[rooms.ops]
slack = "C0OPS"

[users.alice]
name = "Alice Adams"
slack = "U0ALICE"

[users.bob]
name = "Bob Brown"
slack = "U0BOB"

[escalation_policies.default]
levels = [{ targets = ["alice"], delay_minutes = 15 }, { targets = ["bob"], delay_minutes = 15 }]

[services.db]
description = "Primary database"
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
escalation_policy = "default"
"#;

const SECTIONS: &[&str] = &[
    "## Summary",
    "## Severity and services",
    "## Detection, acknowledgement, resolution",
    "## Who was paged and how",
    "## Escalations",
    "## Timeline",
    "## Impact",
    "## Contributing factors",
    "## What went well",
    "## What was hard",
    "## Action items",
    "## Follow-up",
];

fn config() -> Config {
    Config::parse(CONFIG, "test.toml", &|_| None).expect("valid test config")
}

fn t0() -> DateTime<Utc> {
    "2026-11-21T03:00:00Z".parse().expect("valid time")
}

fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

/// #42, opened at t0 by Grafana, acknowledged by alice at +4, resolved by alice at +40.
fn resolved_incident(title: &str) -> Incident {
    Incident {
        number: IncidentNumber::from_db(42),
        service: ServiceName::new("db"),
        dedup_key: DedupKey::parse("disk/db-01").expect("valid key"),
        title: title.to_owned(),
        source: Some("db-01".to_owned()),
        severity: Severity::Critical,
        status: IncidentStatus::Resolved,
        alert_count: 2,
        created_at: t0(),
        last_alert_at: at(1),
        acknowledged_at: Some(at(4)),
        acknowledged_by: Some("alice".to_owned()),
        acknowledged_via: Some(Channel::Slack),
        resolved_at: Some(at(40)),
        resolved_by: Some("alice".to_owned()),
        resolved_via: Some(Channel::Console),
        details: serde_json::json!({"custom_details": {"free": "0%"}}),
    }
}

fn entry(
    minutes: i64,
    kind: TimelineKind,
    actor: &str,
    channel: Channel,
    msg: &str,
) -> TimelineEntry {
    TimelineEntry {
        at: at(minutes),
        kind,
        actor: actor.to_owned(),
        channel,
        message: msg.to_owned(),
    }
}

fn timeline() -> Vec<TimelineEntry> {
    use TimelineKind::*;
    vec![
        entry(
            0,
            Triggered,
            "Grafana",
            Channel::Events,
            "Triggered: Disk full on db-01",
        ),
        entry(
            0,
            Escalated,
            "firebell",
            Channel::System,
            "Level 1 (high urgency): paging Alice Adams (alice)",
        ),
        entry(
            0,
            Notified,
            "firebell",
            Channel::System,
            "Notified Alice Adams (alice) in chat (level 1)",
        ),
        entry(
            1,
            AlertAdded,
            "Grafana",
            Channel::Events,
            "Alert again: Disk full on db-01",
        ),
        entry(4, Acknowledged, "alice", Channel::Slack, "Acknowledged"),
        entry(
            10,
            Note,
            "alice",
            Channel::Slack,
            "rotated /var/log, 12% free",
        ),
        entry(
            12,
            Note,
            "bob",
            Channel::Console,
            "Action: add disk alert at 80%",
        ),
        entry(
            40,
            Resolved,
            "alice",
            Channel::Console,
            "Resolved: grew the volume",
        ),
    ]
}

fn page(level: u32, method: &str, delivered: bool) -> Delivery {
    Delivery {
        room: "ops".to_owned(),
        method: method.to_owned(),
        recipient: Some("alice".to_owned()),
        provider: delivered.then(|| "twilio".to_owned()),
        notification: Some(Notification::Paged {
            user: "alice".to_owned(),
            level,
            urgency: Urgency::High,
            failover_from: None,
            esc_gen: None,
        }),
        attempts: if delivered { 1 } else { 3 },
        delivered_at: delivered.then(|| at(0)),
        failed_at: (!delivered).then(|| at(2)),
        last_error: (!delivered).then(|| "HTTP 500 | twilio down".to_owned()),
    }
}

fn room_post() -> Delivery {
    Delivery {
        room: "ops".to_owned(),
        method: "room".to_owned(),
        recipient: None,
        provider: None,
        notification: Some(Notification::IncidentOpened),
        attempts: 1,
        delivered_at: Some(at(0)),
        failed_at: None,
        last_error: None,
    }
}

fn draft_of(
    incident: &Incident,
    timeline: &[TimelineEntry],
    deliveries: &[Delivery],
) -> Postmortem {
    draft(incident, timeline, deliveries, &config(), at(45))
}

/// The lines of section `heading`, up to the next `## `.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    md.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect()
}

/// `|` not preceded by a backslash escape.
fn cell_borders(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

mod safety;
mod sections;
