//! `POST /integrations/alertmanager/{key}` — Prometheus Alertmanager's webhook (payload version 4).
//! One incident per alert fingerprint; an alert reported `resolved` resolves its incident. The whole
//! payload is validated before any alert is applied, so a bad payload writes nothing.
//!
//! Unknown top-level and per-alert fields are accepted: Alertmanager adds fields between releases
//! (`truncatedAlerts` arrived in 0.20) and an upgrade must not silence paging.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use firebell_engine::{Actor, AlertKind, Channel, DedupKey, NewAlert, Severity, TriggerPayload};
use serde_json::{Map, Value, json};

use super::AppState;
use super::body::{Check, json_body};
use super::error::EventError;
use super::events_v2::SUMMARY_MAX;

pub(crate) async fn webhook(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), EventError> {
    let raw = json_body(body)?;
    let alerts = parse(&raw).inspect_err(|_| state.metrics.rejected("invalid"))?;
    let service = state.route(&key, StatusCode::TOO_MANY_REQUESTS)?;
    let actor = Actor::new("Alertmanager", Channel::Events);
    let new: Vec<NewAlert> = alerts
        .into_iter()
        .map(|(kind, raw)| NewAlert {
            service: service.clone(),
            kind,
            actor: actor.clone(),
            raw,
        })
        .collect();
    let mut results = Vec::with_capacity(new.len());
    for outcome in state.engine.ingest_many(new).await {
        let outcome = outcome?;
        state.metrics.ingested("alertmanager", &outcome);
        results.push(json!({
            "fingerprint": outcome.dedup_key(),
            "outcome": outcome.outcome(),
            "incident": outcome.number(),
        }));
    }
    Ok((
        StatusCode::OK,
        Json(json!({"status": "success", "message": "Alerts processed", "results": results})),
    ))
}

/// Every alert of the payload as (what to do, the alert verbatim), or every problem found.
fn parse(raw: &Value) -> Result<Vec<(AlertKind, Value)>, EventError> {
    let mut c = Check::default();
    let Some(m) = c.object(raw, "the webhook payload") else {
        return Err(c.into_error());
    };
    match m.get("version") {
        Some(Value::String(v)) if v == "4" => {}
        Some(other) => c.fail(format!(
            "'version' must be \"4\" (Alertmanager webhook payload v4), got {other}"
        )),
        None => c.fail("'version' is missing: is this an Alertmanager webhook? (expected \"4\")"),
    }
    let common = m
        .get("externalURL")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let group_key = m.get("groupKey").cloned();
    let alerts = match m.get("alerts") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            c.fail("'alerts' must be an array");
            &[]
        }
        None => {
            c.fail("'alerts' is missing");
            &[]
        }
    };
    let mut out = Vec::with_capacity(alerts.len());
    for (i, a) in alerts.iter().enumerate() {
        let path = format!("alerts[{i}]");
        let Some(a) = c.object(a, &format!("'{path}'")) else {
            continue;
        };
        if let Some(kind) = alert(&mut c, a, &path, common.as_deref(), group_key.as_ref()) {
            out.push((kind, Value::Object(a.clone())));
        }
    }
    c.finish()?;
    Ok(out)
}

fn alert(
    c: &mut Check,
    a: &Map<String, Value>,
    path: &str,
    external_url: Option<&str>,
    group_key: Option<&Value>,
) -> Option<AlertKind> {
    let status = c.parsed(a, path, "status", true, |s| match s {
        "firing" | "resolved" => Ok(s.to_owned()),
        _ => Err(format!(
            "`{s}` is not an alert status — expected firing or resolved"
        )),
    });
    let labels = match a.get("labels") {
        Some(Value::Object(l)) if l.values().all(Value::is_string) => l.clone(),
        Some(_) => {
            c.fail(format!("'{path}.labels' must be an object of strings"));
            return None;
        }
        None => {
            c.fail(format!("'{path}.labels' is missing"));
            return None;
        }
    };
    let annotations = match a.get("annotations") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => {
            c.fail(format!("'{path}.annotations' must be an object"));
            Map::new()
        }
    };
    let key = match c.string(a, path, "fingerprint", false, DedupKey::MAX_LEN) {
        Some(f) if !f.is_empty() => DedupKey::parse(f).ok()?,
        _ => DedupKey::parse(label_fingerprint(&labels)).ok()?,
    };
    match status?.as_str() {
        "resolved" => Some(AlertKind::Resolve { dedup_key: key }),
        _ => Some(trigger(
            a,
            (&labels, &annotations),
            key,
            external_url,
            group_key,
        )),
    }
}

/// A firing alert as a trigger: its summary from the annotations or else the labels, its source
/// from the labels, and the rest as details.
fn trigger(
    a: &Map<String, Value>,
    (labels, annotations): (&Map<String, Value>, &Map<String, Value>),
    key: DedupKey,
    external_url: Option<&str>,
    group_key: Option<&Value>,
) -> AlertKind {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let text = |k: &str| {
        annotations
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    let summary = text("summary")
        .or_else(|| text("description"))
        .map(str::to_owned)
        .unwrap_or_else(|| match (label("alertname"), label("instance")) {
            (Some(n), Some(i)) => format!("{n} on {i}"),
            (Some(n), None) => n.to_owned(),
            _ => "Alertmanager alert".to_owned(),
        });
    AlertKind::Trigger {
        dedup_key: Some(key),
        payload: TriggerPayload {
            summary: truncate(&summary, SUMMARY_MAX),
            source: label("instance")
                .or_else(|| label("job"))
                .map(str::to_owned),
            severity: severity(label("severity")),
            timestamp: a
                .get("startsAt")
                .and_then(Value::as_str)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.to_utc()),
            details: Value::Object(details(a, (labels, annotations), external_url, group_key)),
        },
    }
}

/// The incident's details: labels, annotations, start, group, and links back to the source and
/// to Alertmanager.
fn details(
    a: &Map<String, Value>,
    (labels, annotations): (&Map<String, Value>, &Map<String, Value>),
    external_url: Option<&str>,
    group_key: Option<&Value>,
) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert("labels".to_owned(), Value::Object(labels.clone()));
    details.insert("annotations".to_owned(), Value::Object(annotations.clone()));
    for k in ["startsAt", "generatorURL"] {
        if let Some(v) = a.get(k) {
            details.insert(k.to_owned(), v.clone());
        }
    }
    if let Some(g) = group_key {
        details.insert("groupKey".to_owned(), g.clone());
    }
    let mut links = Vec::new();
    if let Some(u) = a
        .get("generatorURL")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        links.push(json!({"href": u, "text": "Source"}));
    }
    if let Some(u) = external_url {
        links.push(json!({"href": u, "text": "Alertmanager"}));
    }
    details.insert("links".to_owned(), Value::Array(links));
    details.insert(
        "client".to_owned(),
        Value::String("Alertmanager".to_owned()),
    );
    details
}

/// Maps the common `severity` label conventions onto PagerDuty's four levels (unknown → error,
/// as Alertmanager's own PagerDuty receiver defaults).
fn severity(label: Option<&str>) -> Severity {
    match label.map(str::to_ascii_lowercase).as_deref() {
        Some("critical" | "page" | "p1" | "fatal" | "emergency" | "alert") => Severity::Critical,
        Some("warning" | "warn" | "p3" | "medium") => Severity::Warning,
        Some("info" | "informational" | "notice" | "low" | "p4" | "p5" | "none") => Severity::Info,
        _ => Severity::Error,
    }
}

/// A stable key from the sorted label set, for payloads without `fingerprint` (pre-0.19).
fn label_fingerprint(labels: &Map<String, Value>) -> String {
    let mut pairs: Vec<_> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    truncate(&pairs.join(","), DedupKey::MAX_LEN)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_labels_map_onto_pagerduty_levels() {
        assert_eq!(severity(Some("critical")), Severity::Critical);
        assert_eq!(severity(Some("PAGE")), Severity::Critical);
        assert_eq!(severity(Some("warning")), Severity::Warning);
        assert_eq!(severity(Some("info")), Severity::Info);
        assert_eq!(severity(Some("whatever")), Severity::Error);
        assert_eq!(severity(None), Severity::Error);
    }

    #[test]
    fn summary_falls_back_to_alertname_and_instance() {
        let v = json!({"version": "4", "alerts": [{"status": "firing", "labels": {"alertname": "Down", "instance": "h1"}}]});
        let alerts = parse(&v).unwrap();
        let AlertKind::Trigger { payload, dedup_key } = &alerts[0].0 else {
            panic!()
        };
        assert_eq!(payload.summary, "Down on h1");
        assert_eq!(
            dedup_key.as_ref().unwrap().as_str(),
            "alertname=Down,instance=h1"
        );
    }

    #[test]
    fn a_bad_alert_rejects_the_whole_payload_with_its_index() {
        let v = json!({"version": "4", "alerts": [
            {"status": "firing", "labels": {"alertname": "A"}},
            {"status": "exploded", "labels": {"alertname": "B"}},
            {"status": "firing", "labels": {"n": 1}}
        ]});
        let Err(EventError::Invalid(e)) = parse(&v) else {
            panic!("accepted")
        };
        let all = e.join("\n");
        assert!(all.contains("'alerts[1].status': `exploded`"), "{all}");
        assert!(
            all.contains("'alerts[2].labels' must be an object of strings"),
            "{all}"
        );
    }

    #[test]
    fn wrong_version_is_explained() {
        let Err(EventError::Invalid(e)) = parse(&json!({"version": "3", "alerts": []})) else {
            panic!()
        };
        assert!(e[0].contains("must be \"4\""), "{e:?}");
    }
}
