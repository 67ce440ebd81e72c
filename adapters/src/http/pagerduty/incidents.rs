//! `/incidents`: list with PagerDuty's filters, show one, and acknowledge or resolve one or many
//! (`PUT /incidents`, up to 250 at once, as PagerDuty).

use axum::Json;
use axum::extract::State;
use chrono::Duration;
use firebell_engine::{
    Actor, Incident, IncidentNumber, IncidentOrder, IncidentSearch, IncidentStatus,
};
use serde_json::{Map, Value, json};

use super::error::PdError;
use super::refs::Links;
use super::request::{Paging, Pd, PdJson, PdPath, PdQuery, Writer};
use super::view;
use crate::http::AppState;

/// PagerDuty's largest bulk update.
const MAX_BULK: usize = 250;
/// Without `since`/`until` or `date_range=all`, PagerDuty lists the last 30 days.
const DEFAULT_DAYS: i64 = 30;

pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let search = search_of(&state, &q, paging)?;
    let page = state.engine.search_incidents(&search).await?;
    let links = Links { base: &pd.base };
    let mut items = Vec::with_capacity(page.incidents.len());
    for i in &page.incidents {
        items.push(render(&state, &links, i).await?);
    }
    // Without a count, `more` is whether this page came back full.
    let seen = u64::from(paging.offset) + items.len() as u64;
    let count = match page.total {
        Some(n) => n.max(0) as u64,
        None if items.len() as u32 == paging.limit => seen + 1,
        None => seen,
    };
    Ok(Json(paging.wrapper(count).reply("incidents", items)))
}

/// The search `GET /incidents` asks for.
fn search_of(state: &AppState, q: &PdQuery, paging: Paging) -> Result<IncidentSearch, PdError> {
    let mut s = IncidentSearch {
        offset: i64::from(paging.offset),
        limit: i64::from(paging.limit),
        count: paging.total,
        ..Default::default()
    };
    for st in q.many("statuses") {
        s.statuses.push(st.parse::<IncidentStatus>().map_err(|_| {
            PdError::invalid(format!(
                "`statuses[]` must be triggered, acknowledged or resolved, not `{st}`"
            ))
        })?);
    }
    let config = state.engine.config();
    for id in q.many("service_ids") {
        let service = config.service(id).ok_or_else(|| {
            PdError::invalid(format!(
                "`service_ids[]`: no service `{id}` (services: {})",
                config.service_names().join(", ")
            ))
        })?;
        s.services.push(service.name.clone());
    }
    if !q.many("urgencies").is_empty()
        || !q.many("team_ids").is_empty()
        || !q.many("user_ids").is_empty()
    {
        return Err(PdError::invalid(
            "firebell does not filter incidents by `urgencies[]`, `team_ids[]` or `user_ids[]`: \
             filter by `service_ids[]` and `statuses[]` instead",
        ));
    }
    s.dedup_key = q.one("incident_key").map(str::to_owned);
    s.order = order(q.one("sort_by"))?;
    window(state, q, &mut s)?;
    Ok(s)
}

/// `since`/`until`, or `date_range=all`, or PagerDuty's default of the last 30 days.
fn window(state: &AppState, q: &PdQuery, s: &mut IncidentSearch) -> Result<(), PdError> {
    match q.one("date_range") {
        None => {}
        Some("all") => return Ok(()),
        Some(other) => {
            return Err(PdError::invalid(format!(
                "`date_range` can only be `all`, not `{other}`"
            )));
        }
    }
    let now = state.engine.clock().now();
    let since = q.time("since")?;
    let until = q.time("until")?;
    if let (Some(a), Some(b)) = (since, until)
        && a > b
    {
        return Err(PdError::arguments("`since` must not be after `until`"));
    }
    s.since = Some(since.unwrap_or_else(|| until.unwrap_or(now) - Duration::days(DEFAULT_DAYS)));
    s.until = until;
    Ok(())
}

/// `sort_by`: `incident_number`, `created_at` or `resolved_at`, each `:asc` (default) or `:desc`;
/// a second field only breaks ties, which firebell already breaks by number.
fn order(sort_by: Option<&str>) -> Result<IncidentOrder, PdError> {
    let Some(first) = sort_by.and_then(|s| s.split(',').next()).map(str::trim) else {
        return Ok(IncidentOrder::CreatedAsc);
    };
    let (field, dir) = first.split_once(':').unwrap_or((first, "asc"));
    let desc = match dir {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(PdError::invalid(format!(
                "`sort_by` direction must be asc or desc, not `{dir}`"
            )));
        }
    };
    Ok(match (field, desc) {
        ("incident_number" | "created_at", false) => IncidentOrder::CreatedAsc,
        ("incident_number" | "created_at", true) => IncidentOrder::CreatedDesc,
        ("resolved_at", false) => IncidentOrder::ResolvedAsc,
        ("resolved_at", true) => IncidentOrder::ResolvedDesc,
        _ => {
            return Err(PdError::invalid(format!(
                "`sort_by` must be incident_number, created_at or resolved_at (with :asc or :desc), not `{field}`"
            )));
        }
    })
}

/// The incident in PagerDuty's shape, with who is paged now while it is open.
async fn render(state: &AppState, links: &Links<'_>, i: &Incident) -> Result<Value, PdError> {
    let paged = if i.is_open() {
        state.engine.paged_users(i.number).await?
    } else {
        Vec::new()
    };
    Ok(view::incident(links, state.engine.config(), i, &paged))
}

/// An incident id in a path or body: firebell's incident number, as a string or a number.
pub(crate) fn number(id: &str) -> Result<IncidentNumber, PdError> {
    IncidentNumber::parse(id).map_err(|_| {
        PdError::not_found(format!(
            "no incident `{id}`: firebell's incident ids are their numbers, e.g. \"42\""
        ))
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
) -> Result<Json<Value>, PdError> {
    let n = number(&id)?;
    let incident = state.engine.incident(n).await?;
    let links = Links { base: &pd.base };
    Ok(Json(
        json!({"incident": render(&state, &links, &incident).await?}),
    ))
}

/// `{"incident": {"type": "incident_reference", "status": "acknowledged"}}`.
pub(crate) async fn update(
    State(state): State<AppState>,
    w: Writer,
    PdPath(id): PdPath,
    body: PdJson,
) -> Result<Json<Value>, PdError> {
    let n = number(&id)?;
    let change = change_of(body.wrapped("incident")?, "incident")?;
    let incident = apply(&state, n, change, &w.actor).await?;
    let links = Links { base: &w.pd.base };
    Ok(Json(
        json!({"incident": render(&state, &links, &incident).await?}),
    ))
}

/// `{"incidents": [{"id": "42", "type": "incident_reference", "status": "resolved"}, …]}`: every
/// entry is checked before any is applied, so one bad entry changes nothing.
pub(crate) async fn update_many(
    State(state): State<AppState>,
    w: Writer,
    body: PdJson,
) -> Result<Json<Value>, PdError> {
    let Some(Value::Array(entries)) = body.0.get("incidents") else {
        return Err(PdError::invalid(
            "the body must be {\"incidents\": [{\"id\": …, \"type\": \"incident_reference\", \"status\": …}, …]}",
        ));
    };
    if entries.is_empty() || entries.len() > MAX_BULK {
        return Err(PdError::invalid(format!(
            "`incidents` must hold 1 to {MAX_BULK} entries, not {}",
            entries.len()
        )));
    }
    let mut changes = Vec::with_capacity(entries.len());
    for (k, e) in entries.iter().enumerate() {
        let Value::Object(m) = e else {
            return Err(PdError::invalid(format!(
                "`incidents[{k}]` must be an object"
            )));
        };
        let id = match m.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(PdError::invalid(format!("`incidents[{k}].id` is required"))),
        };
        changes.push((number(&id)?, change_of(m, &format!("incidents[{k}]"))?));
    }
    let links = Links { base: &w.pd.base };
    let mut out = Vec::with_capacity(changes.len());
    for (n, change) in changes {
        let incident = apply(&state, n, change, &w.actor).await?;
        out.push(render(&state, &links, &incident).await?);
    }
    Ok(Json(json!({"incidents": out})))
}

/// What a `PUT` asks of one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Acknowledge,
    Resolve,
}

/// The change an incident entry asks for; fields firebell cannot change are refused by name.
fn change_of(m: &Map<String, Value>, at: &str) -> Result<Change, PdError> {
    match m.get("type").and_then(Value::as_str) {
        Some("incident" | "incident_reference") => {}
        _ => {
            return Err(PdError::invalid(format!(
                "`{at}.type` must be \"incident_reference\" (or \"incident\")"
            )));
        }
    }
    for key in m.keys() {
        if !matches!(
            key.as_str(),
            "id" | "type" | "status" | "resolution" | "summary" | "self" | "html_url"
        ) {
            return Err(PdError::invalid(format!(
                "`{at}.{key}` cannot be changed through firebell's PagerDuty API (only `status`: acknowledged or resolved)"
            )));
        }
    }
    match m.get("status").and_then(Value::as_str) {
        Some("acknowledged") => Ok(Change::Acknowledge),
        Some("resolved") => Ok(Change::Resolve),
        Some(other) => Err(PdError::invalid(format!(
            "`{at}.status` must be acknowledged or resolved, not `{other}`"
        ))),
        None => Err(PdError::invalid(format!(
            "`{at}.status` is required: acknowledged or resolved"
        ))),
    }
}

/// Acknowledges or resolves. As PagerDuty: acknowledging an acknowledged incident changes nothing
/// and succeeds; anything on a resolved incident is 1001 Incident Already Resolved.
async fn apply(
    state: &AppState,
    n: IncidentNumber,
    change: Change,
    by: &Actor,
) -> Result<Incident, PdError> {
    let current = state.engine.incident(n).await?;
    let done = match (current.status, change) {
        (IncidentStatus::Resolved, _) => return Err(already_resolved(n)),
        (IncidentStatus::Acknowledged, Change::Acknowledge) => return Ok(current),
        (_, Change::Acknowledge) => state.engine.acknowledge(n, by).await,
        (_, Change::Resolve) => state.engine.resolve(n, by, None).await,
    };
    match done {
        Ok(incident) => Ok(incident),
        // Someone else got there between the read and the change: answer as if in order.
        Err(firebell_engine::EngineError::User(_)) => {
            let now = state.engine.incident(n).await?;
            match now.status {
                IncidentStatus::Resolved => Err(already_resolved(n)),
                _ => Ok(now),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn already_resolved(n: IncidentNumber) -> PdError {
    PdError::already_resolved(format!("incident {} is already resolved", n.get()))
}
