//! `POST /generic/2010-04-15/create_event.json` — PagerDuty Events API v1, for older
//! integrations (Nagios plugins, scripts). 200 on success, 403 when throttled, as v1 did.

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
use super::events_v2::{SUMMARY_MAX, by_key};

pub(crate) async fn create_event(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), EventError> {
    let raw = json_body(body)?;
    let (key, kind, client) = parse(&raw).inspect_err(|_| state.metrics.rejected("invalid"))?;
    let service = state.route(&key, StatusCode::FORBIDDEN)?;
    let actor = Actor::new(
        client.unwrap_or_else(|| "Events API v1".to_owned()),
        Channel::Events,
    );
    let alert = NewAlert {
        service,
        kind,
        actor,
        raw: redacted(raw, "service_key"),
    };
    let outcome = state.engine.ingest(alert).await?;
    state.metrics.ingested("events_v1", &outcome);
    Ok((
        StatusCode::OK,
        Json(
            json!({"status": "success", "message": "Event processed", "incident_key": outcome.dedup_key()}),
        ),
    ))
}

fn parse(raw: &Value) -> Result<(String, AlertKind, Option<String>), EventError> {
    let mut c = Check::default();
    let Some(m) = c.object(raw, "the event") else {
        return Err(c.into_error());
    };
    c.only_keys(
        m,
        "",
        &[
            "service_key",
            "event_type",
            "incident_key",
            "description",
            "details",
            "client",
            "client_url",
            "contexts",
        ],
    );
    let key = c.string(m, "", "service_key", true, usize::MAX);
    if let Some(k) = &key
        && k.len() != 32
    {
        c.fail(format!(
            "'service_key' must be 32 characters (the service's integration key), got {}",
            k.chars().count()
        ));
    }
    let event_type = c.parsed(m, "", "event_type", true, |s| match s {
        "trigger" | "acknowledge" | "resolve" => Ok(s.to_owned()),
        _ => Err(format!(
            "`{s}` is not an event type — use trigger, acknowledge or resolve"
        )),
    });
    let incident_key = c.parsed(m, "", "incident_key", false, |s| {
        DedupKey::parse(s).map_err(|e| e.to_string())
    });
    let client = c.string(m, "", "client", false, 1024);
    let client_url = c.string(m, "", "client_url", false, 1024);
    let contexts = c.object_list(m, "", "contexts", "type");

    let kind = match event_type.as_deref() {
        Some("trigger") => {
            let client = (client.clone(), client_url);
            trigger(&mut c, m, incident_key, client, contexts)
        }
        Some(t) => by_key(&mut c, (m, "incident_key"), t, incident_key),
        None => None,
    };
    c.finish()?;
    match (key, kind) {
        (Some(key), Some(kind)) => Ok((key, kind, client)),
        _ => Err(EventError::Invalid(vec![
            "the event is incomplete".to_owned(),
        ])),
    }
}

/// A trigger: the description as its summary, the client as its source, and details, contexts
/// and client as its details.
fn trigger(
    c: &mut Check,
    m: &Map<String, Value>,
    incident_key: Option<DedupKey>,
    (client, client_url): (Option<String>, Option<String>),
    contexts: Option<Value>,
) -> Option<AlertKind> {
    let description = c.string(m, "", "description", true, SUMMARY_MAX);
    let mut details = Map::new();
    if let Some(d) = m.get("details").filter(|v| !v.is_null()) {
        details.insert("custom_details".to_owned(), d.clone());
    }
    if let Some(ctx) = contexts {
        details.insert("contexts".to_owned(), ctx);
    }
    for (k, v) in [("client", client.clone()), ("client_url", client_url)] {
        if let Some(v) = v {
            details.insert(k.to_owned(), Value::String(v));
        }
    }
    description.map(|summary| AlertKind::Trigger {
        dedup_key: incident_key,
        payload: TriggerPayload {
            summary,
            source: client,
            // v1 events carry no severity; PagerDuty treats them as errors.
            severity: Severity::Error,
            timestamp: None,
            details: Value::Object(details),
        },
    })
}
