//! `/services`: firebell's configured services in PagerDuty's `Service` shape. Integration keys
//! are secrets (anyone holding one can open incidents), so `integrations` is always empty.

use axum::Json;
use axum::extract::State;
use chrono::Weekday;
use firebell_engine::Config;
use firebell_engine::config::Service;
use firebell_engine::domain::maintenance::{MaintenanceWindow, Matcher};
use firebell_engine::domain::notification_rules::{SupportHours, UrgencyRule};
use serde_json::{Value, json};

use super::directory::{CONFIGURED_AT, matches, service_ref};
use super::error::PdError;
use super::refs::Links;
use super::request::{Pd, PdPath, PdQuery};
use crate::http::AppState;

pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let config = state.engine.config();
    let chosen: Vec<&Service> = config
        .services
        .values()
        .filter(|s| matches(&q, &[s.name.as_str(), &s.description]))
        .collect();
    let (page, wrapper) = paging.slice(chosen);
    let down = under_maintenance(&state).await?;
    let links = Links { base: &pd.base };
    let items = page
        .into_iter()
        .map(|s| service(&links, config, s, &down))
        .collect();
    Ok(Json(wrapper.reply("services", items)))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let config = state.engine.config();
    let s = config.service(&id).ok_or_else(|| {
        PdError::not_found(format!(
            "no service `{id}` (services: {})",
            config.service_names().join(", ")
        ))
    })?;
    let down = under_maintenance(&state).await?;
    let links = Links { base: &pd.base };
    let mut service = service(&links, config, s, &down);
    super::refs::omit_nulls(&mut service);
    Ok(Json(json!({"service": service})))
}

/// The services a maintenance window covers now (windows on hosts or labels cover no whole
/// service, so they change no service's status).
async fn under_maintenance(state: &AppState) -> Result<Vec<String>, PdError> {
    let now = state.engine.clock().now();
    let windows: Vec<MaintenanceWindow> = state.engine.maintenance_windows().await?;
    Ok(windows
        .into_iter()
        .filter(|w| w.is_active(now))
        .filter_map(|w| match w.matcher {
            Matcher::Service(s) => Some(s.as_str().to_owned()),
            _ => None,
        })
        .collect())
}

fn service(links: &Links, config: &Config, s: &Service, down: &[String]) -> Value {
    let name = s.name.as_str();
    let summary = service_ref(links, config, name)["summary"].clone();
    let mut m = links.entity("service", name, summary.as_str().unwrap_or(name));
    let status = if down.iter().any(|d| d == name) {
        "maintenance"
    } else {
        "active"
    };
    let fields = json!({
        "name": name,
        "description": s.description,
        "status": status,
        "created_at": CONFIGURED_AT,
        "escalation_policy": s.escalation_policy.as_deref().map(|p| links.reference("escalation_policy", p, p)),
        "acknowledgement_timeout": s.ack_timeout.map(|d| d.num_seconds()),
        "auto_resolve_timeout": s.auto_resolve.map(|d| d.num_seconds()),
        "alert_creation": "create_alerts_and_incidents",
        "incident_urgency_rule": urgency_rule(s.urgency),
        "support_hours": s.support_hours.as_ref().map(support_hours),
        "scheduled_actions": [],
        "integrations": [],
        "teams": [],
        "last_incident_timestamp": null,
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

/// firebell's urgency rule as PagerDuty's: by severity is PagerDuty's `severity_based`.
fn urgency_rule(rule: UrgencyRule) -> Value {
    let constant = |u: &str| json!({"type": "constant", "urgency": u});
    match rule {
        UrgencyRule::High => constant("high"),
        UrgencyRule::Low => constant("low"),
        UrgencyRule::BySeverity => constant("severity_based"),
        UrgencyRule::SupportHours => json!({
            "type": "use_support_hours",
            "during_support_hours": constant("high"),
            "outside_support_hours": constant("low"),
        }),
    }
}

fn support_hours(h: &SupportHours) -> Value {
    let days: Vec<u32> = h.days.iter().map(Weekday::number_from_monday).collect();
    json!({
        "type": "fixed_time_per_day",
        "time_zone": h.time_zone.name(),
        "start_time": h.start.format("%H:%M:%S").to_string(),
        "end_time": h.end.format("%H:%M:%S").to_string(),
        "days_of_week": days,
    })
}
