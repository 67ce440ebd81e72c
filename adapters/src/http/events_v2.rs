//! `POST /v2/enqueue` — PagerDuty Events API v2, wire-compatible: anything that can page
//! PagerDuty can page firebell by changing one URL.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use firebell_engine::{Actor, AlertKind, Channel, DedupKey, NewAlert, Severity, TriggerPayload};
use serde_json::{Map, Value, json};

use super::AppState;
use super::body::{Check, json_body, redacted};
use super::error::EventError;

pub(crate) const SUMMARY_MAX: usize = 1024;
const FIELD_MAX: usize = 1024;

/// A valid v2 event, not yet routed to a service.
pub(crate) struct EventV2 {
    pub routing_key: String,
    pub kind: AlertKind,
    pub client: Option<String>,
}

pub(crate) async fn enqueue(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), EventError> {
    let raw = json_body(body)?;
    let event = parse(&raw).inspect_err(|_| state.metrics.rejected("invalid"))?;
    let service = state.route(&event.routing_key, StatusCode::TOO_MANY_REQUESTS)?;
    let actor = Actor::new(
        event.client.unwrap_or_else(|| "Events API v2".to_owned()),
        Channel::Events,
    );
    let alert = NewAlert {
        service,
        kind: event.kind,
        actor,
        raw: redacted(raw, "routing_key"),
    };
    let outcome = state.engine.ingest(alert).await?;
    state.metrics.ingested("events_v2", &outcome);
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({"status": "success", "message": "Event processed", "dedup_key": outcome.dedup_key()}),
        ),
    ))
}

/// Checks every field and reports every problem at once.
pub(crate) fn parse(raw: &Value) -> Result<EventV2, EventError> {
    let mut c = Check::default();
    let Some(m) = c.object(raw, "the event") else {
        return Err(c.into_error());
    };
    c.only_keys(
        m,
        "",
        &[
            "routing_key",
            "event_action",
            "dedup_key",
            "payload",
            "images",
            "links",
            "client",
            "client_url",
        ],
    );
    let routing_key = c.string(m, "", "routing_key", true, usize::MAX);
    if let Some(k) = &routing_key
        && k.len() != 32
    {
        c.fail(format!(
            "'routing_key' must be 32 characters (the service's integration key), got {}",
            k.chars().count()
        ));
    }
    let action = c.parsed(m, "", "event_action", true, |s| match s {
        "trigger" | "acknowledge" | "resolve" => Ok(s.to_owned()),
        _ => Err(format!(
            "`{s}` is not an event action — use trigger, acknowledge or resolve"
        )),
    });
    let dedup_key = c.parsed(m, "", "dedup_key", false, |s| {
        DedupKey::parse(s).map_err(|e| e.to_string())
    });
    let client = c.string(m, "", "client", false, FIELD_MAX);
    let client_url = c.string(m, "", "client_url", false, FIELD_MAX);
    let links = c.object_list(m, "", "links", "href");
    let images = c.object_list(m, "", "images", "src");

    let kind = match action.as_deref() {
        Some("trigger") => {
            let extras = [
                ("links", links),
                ("images", images),
                ("client", client.clone().map(Value::String)),
                ("client_url", client_url.map(Value::String)),
            ];
            trigger(&mut c, m, dedup_key, extras)
        }
        Some(action) => by_key(&mut c, (m, "dedup_key"), action, dedup_key),
        None => None,
    };
    c.finish()?;
    match (routing_key, kind) {
        (Some(routing_key), Some(kind)) => Ok(EventV2 {
            routing_key,
            kind,
            client,
        }),
        _ => Err(EventError::Invalid(vec![
            "the event is incomplete".to_owned(),
        ])),
    }
}

/// A trigger: its payload, with the event's links, images and client added to the details.
fn trigger(
    c: &mut Check,
    m: &Map<String, Value>,
    dedup_key: Option<DedupKey>,
    extras: [(&str, Option<Value>); 4],
) -> Option<AlertKind> {
    let payload = match m.get("payload") {
        Some(p) => c.object(p, "'payload'").map(|p| trigger_payload(c, p)),
        None => {
            c.fail("'payload' is missing (a trigger needs payload.summary, payload.source and payload.severity)");
            None
        }
    };
    payload.flatten().map(|mut p| {
        // `trigger_payload` builds `details` as an object; extend it in place.
        if let Value::Object(details) = &mut p.details {
            for (k, v) in extras {
                if let Some(v) = v {
                    details.insert(k.to_owned(), v);
                }
            }
        }
        AlertKind::Trigger {
            dedup_key,
            payload: p,
        }
    })
}

/// An acknowledge or a resolve, of the incident named by the key in `field` (`dedup_key`; v1's
/// `incident_key`).
pub(super) fn by_key(
    c: &mut Check,
    (m, field): (&Map<String, Value>, &str),
    action: &str,
    dedup_key: Option<DedupKey>,
) -> Option<AlertKind> {
    if m.get(field).is_none() {
        c.fail(format!(
            "'{field}' is missing (an {action} event names the incident by its {})",
            field.replace('_', " ")
        ));
    }
    dedup_key.map(|k| {
        if action == "acknowledge" {
            AlertKind::Acknowledge { dedup_key: k }
        } else {
            AlertKind::Resolve { dedup_key: k }
        }
    })
}

fn trigger_payload(c: &mut Check, p: &Map<String, Value>) -> Option<TriggerPayload> {
    c.only_keys(
        p,
        "payload",
        &[
            "summary",
            "source",
            "severity",
            "timestamp",
            "component",
            "group",
            "class",
            "custom_details",
        ],
    );
    let summary = c.string(p, "payload", "summary", true, SUMMARY_MAX);
    let source = c.string(p, "payload", "source", true, FIELD_MAX);
    let severity = c.parsed(p, "payload", "severity", true, |s| {
        s.parse::<Severity>().map_err(|e| e.to_string())
    });
    let timestamp = c.timestamp(p, "payload", "timestamp");
    let mut details = Map::new();
    for key in ["component", "group", "class"] {
        if let Some(v) = c.string(p, "payload", key, false, FIELD_MAX) {
            details.insert(key.to_owned(), Value::String(v));
        }
    }
    if let Some(cd) = p.get("custom_details").filter(|v| !v.is_null()) {
        details.insert("custom_details".to_owned(), cd.clone());
    }
    Some(TriggerPayload {
        summary: summary?,
        source: Some(source?),
        severity: severity?,
        timestamp,
        details: Value::Object(details),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(v: Value) -> Vec<String> {
        match parse(&v) {
            Err(EventError::Invalid(e)) => e,
            Err(other) => panic!("unexpected {other:?}"),
            Ok(_) => panic!("accepted {v}"),
        }
    }

    const KEY: &str = "R0UT1NGKEY0000000000000000000000";

    #[test]
    fn a_complete_trigger_keeps_every_extra_field_verbatim() {
        let ev = parse(&json!({
            "routing_key": KEY, "event_action": "trigger", "dedup_key": "disk/db-01",
            "payload": {"summary": "Disk full", "source": "db-01", "severity": "critical",
                        "timestamp": "2026-11-21T01:02:03Z", "component": "disk", "group": "db", "class": "fs",
                        "custom_details": {"free": "0%", "nested": [1, 2]}},
            "links": [{"href": "https://grafana/d/1", "text": "dash"}],
            "images": [{"src": "https://img/1.png"}],
            "client": "Grafana", "client_url": "https://grafana"
        }))
        .unwrap();
        let AlertKind::Trigger { dedup_key, payload } = ev.kind else {
            panic!("not a trigger")
        };
        assert_eq!(dedup_key.unwrap().as_str(), "disk/db-01");
        assert_eq!(payload.severity, Severity::Critical);
        assert_eq!(
            payload.details["custom_details"],
            json!({"free": "0%", "nested": [1, 2]})
        );
        assert_eq!(payload.details["links"][0]["text"], "dash");
        assert_eq!(payload.details["images"][0]["src"], "https://img/1.png");
        assert_eq!(payload.details["client_url"], "https://grafana");
        assert_eq!(payload.details["component"], "disk");
        assert_eq!(
            payload.timestamp.unwrap().to_rfc3339(),
            "2026-11-21T01:02:03+00:00"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = errors(json!({
            "routing_key": "short", "event_action": "explode", "dedup_key": "k".repeat(256),
            "payload": {"summary": "s".repeat(1025), "severity": "fatal"}, "bogus": 1
        }));
        let all = e.join("\n");
        for needle in [
            "'bogus' is not a known field",
            "'routing_key' must be 32 characters",
            "`explode` is not an event action",
            "limit is 255",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in {all}");
        }
    }

    #[test]
    fn trigger_fields_are_checked() {
        let e = errors(json!({
            "routing_key": KEY, "event_action": "trigger",
            "payload": {"summary": "s".repeat(1025), "severity": "fatal", "timestamp": "yesterday", "extra": true}
        }));
        let all = e.join("\n");
        for needle in [
            "'payload.summary' is 1025 characters long; the limit is 1024",
            "'payload.source' is missing",
            "unknown severity `fatal`",
            "`yesterday` is not an ISO 8601",
            "'payload.extra' is not a known field",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in {all}");
        }
    }

    #[test]
    fn wrong_types_are_named_with_the_type_seen() {
        let e = errors(
            json!({"routing_key": 42, "event_action": "trigger", "payload": "text", "links": {}}),
        );
        let all = e.join("\n");
        assert!(
            all.contains("'routing_key' must be a string, not a number"),
            "{all}"
        );
        assert!(
            all.contains("'payload' must be a JSON object, not a string"),
            "{all}"
        );
        assert!(
            all.contains("'links' must be an array, not an object"),
            "{all}"
        );
    }

    #[test]
    fn acknowledge_needs_a_dedup_key_but_no_payload() {
        let e = errors(json!({"routing_key": KEY, "event_action": "acknowledge"}));
        assert!(e[0].contains("'dedup_key' is missing"), "{e:?}");
        let ok = parse(&json!({"routing_key": KEY, "event_action": "resolve", "dedup_key": "k"}))
            .unwrap();
        assert!(matches!(ok.kind, AlertKind::Resolve { .. }));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_rejected() {
        assert_eq!(
            errors(json!([1, 2])),
            vec!["the event must be a JSON object, not an array"]
        );
    }
}
