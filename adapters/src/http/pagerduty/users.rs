//! `/users`: firebell's `[users.*]` in PagerDuty's `User` shape. Contact methods are references
//! only (what kind, never the address or number); notification rules stay firebell's own ladder.

use axum::Json;
use axum::extract::State;
use firebell_engine::config::User;
use serde_json::{Value, json};

use super::directory::matches;
use super::error::PdError;
use super::refs::Links;
use super::request::{Pd, PdPath, PdQuery};
use crate::http::AppState;

/// Filters: `query` (name or email), pagination.
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let chosen: Vec<&User> = state
        .engine
        .config()
        .users
        .values()
        .filter(|u| {
            matches(
                &q,
                &[u.id.as_str(), &u.name, u.email.as_deref().unwrap_or("")],
            )
        })
        .collect();
    let (page, wrapper) = paging.slice(chosen);
    let links = Links { base: &pd.base };
    let items = page.into_iter().map(|u| user(&links, u)).collect();
    Ok(Json(wrapper.reply("users", items)))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let config = state.engine.config();
    let u = config.user(&id).ok_or_else(|| {
        let ids: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
        PdError::not_found(format!("no user `{id}` (users: {})", ids.join(", ")))
    })?;
    let links = Links { base: &pd.base };
    let mut user = user(&links, u);
    super::refs::omit_nulls(&mut user);
    Ok(Json(json!({"user": user})))
}

fn user(links: &Links, u: &User) -> Value {
    let id = u.id.as_str();
    let mut m = links.entity("user", id, &u.name);
    let method = |suffix: &str, kind: &str, summary: &str| {
        let url = format!("{}/contact_methods/{id}-{suffix}", links.url("users", id));
        json!({"id": format!("{id}-{suffix}"), "type": format!("{kind}_contact_method_reference"),
               "summary": summary, "self": url, "html_url": url})
    };
    let mut methods = Vec::new();
    if u.email.is_some() {
        methods.push(method("email", "email", "Email"));
    }
    if u.phone.is_some() {
        methods.push(method("phone", "phone", "Phone"));
        methods.push(method("sms", "sms", "SMS"));
    }
    let fields = json!({
        "name": u.name,
        "email": u.email,
        "time_zone": u.timezone.name(),
        "color": "none",
        "role": "user",
        "description": null,
        "invitation_sent": false,
        "teams": [],
        "contact_methods": methods,
        "notification_rules": [],
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}
