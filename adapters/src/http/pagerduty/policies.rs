//! `/escalation_policies`: firebell's `[escalation_policies.*]` in PagerDuty's shape. A level is an
//! escalation rule; `repeat` is `num_loops` (both count the runs after the first).

use axum::Json;
use axum::extract::State;
use firebell_engine::Config;
use firebell_engine::config::EscalationPolicy;
use serde_json::{Value, json};

use super::directory::{known_ids, matches, policy_reaches, service_ref, target_ref};
use super::error::PdError;
use super::refs::Links;
use super::request::{Pd, PdPath, PdQuery};
use crate::http::AppState;

/// Filters: `query` (name), `user_ids[]` (policies that can page one of them, directly or
/// through a schedule), pagination.
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let config = state.engine.config();
    let users: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
    let wanted = known_ids(&q, "user_ids", &|id| config.user(id).is_some(), &users)?;
    let chosen: Vec<&EscalationPolicy> = config
        .escalation_policies
        .values()
        .filter(|p| matches(&q, &[&p.name]))
        .filter(|p| wanted.is_empty() || wanted.iter().any(|u| policy_reaches(config, p, u)))
        .collect();
    let (page, wrapper) = paging.slice(chosen);
    let links = Links { base: &pd.base };
    let items = page
        .into_iter()
        .map(|p| policy(&links, config, p))
        .collect();
    Ok(Json(wrapper.reply("escalation_policies", items)))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let config = state.engine.config();
    let p = config.escalation_policies.get(&id).ok_or_else(|| {
        let names: Vec<&str> = config
            .escalation_policies
            .keys()
            .map(String::as_str)
            .collect();
        PdError::not_found(format!(
            "no escalation policy `{id}` (policies: {})",
            names.join(", ")
        ))
    })?;
    let links = Links { base: &pd.base };
    Ok(Json(
        json!({"escalation_policy": policy(&links, config, p)}),
    ))
}

fn policy(links: &Links, config: &Config, p: &EscalationPolicy) -> Value {
    let mut m = links.entity("escalation_policy", &p.name, &p.name);
    let rules: Vec<Value> = p
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "id": format!("{}-{}", p.name, i + 1),
                "escalation_delay_in_minutes": l.delay_minutes,
                "targets": l.targets.iter().map(|t| target_ref(links, config, t)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let services: Vec<Value> = config
        .services
        .values()
        .filter(|s| s.escalation_policy.as_deref() == Some(p.name.as_str()))
        .map(|s| service_ref(links, config, s.name.as_str()))
        .collect();
    let fields = json!({
        "name": p.name,
        "description": "",
        "num_loops": p.repeat,
        "on_call_handoff_notifications": "if_has_services",
        "escalation_rules": rules,
        "services": services,
        "teams": [],
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}
