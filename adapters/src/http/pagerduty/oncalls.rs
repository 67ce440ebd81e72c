//! `/oncalls`: who is on call at each level of each escalation policy, now or over a window.
//! A user target of a level is on call permanently (`start`/`end` null); a schedule target
//! contributes the shifts of its final schedule (overrides applied, as `!oncall` says).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use firebell_engine::Config;
use firebell_engine::config::Target;
use firebell_engine::schedule::Shift;
use serde_json::{Value, json};

use super::directory::{at, check_window, known_ids, time_zone, user_ref};
use super::error::PdError;
use super::refs::Links;
use super::request::{Pd, PdQuery};
use crate::http::AppState;

/// How far around the asked window a shift's real start and end are looked for; a shift longer
/// than this shows the horizon as its start or end.
fn horizon() -> Duration {
    Duration::days(60)
}

/// One on-call: `(policy, level (1-based), schedule, user, shift)`; no shift = permanent.
struct OnCall<'a> {
    policy: &'a str,
    level: usize,
    schedule: Option<&'a str>,
    user: String,
    shift: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The asked filters.
struct Filters<'q> {
    schedules: Vec<&'q str>,
    policies: Vec<&'q str>,
    users: Vec<&'q str>,
}

/// Filters: `schedule_ids[]`, `escalation_policy_ids[]`, `user_ids[]`, `since`, `until`,
/// `earliest`, `time_zone` (default UTC), pagination.
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let config = state.engine.config();
    let f = filters(config, &q)?;
    let earliest = q.flag("earliest")?;
    let tz = time_zone(&q, Tz::UTC)?;
    let now = state.engine.clock().now();
    let since = q.time("since")?.unwrap_or(now);
    let until = q.time("until")?.unwrap_or(since);
    check_window((since, until))?;
    let mut found = collect(&state, config, &f, since, until).await?;
    found.retain(|o| f.users.is_empty() || f.users.contains(&o.user.as_str()));
    // Stable: targets keep their order where starts tie (permanent ones first).
    found.sort_by(|a, b| {
        (a.policy, a.level, a.shift.map(|s| s.0)).cmp(&(b.policy, b.level, b.shift.map(|s| s.0)))
    });
    if earliest {
        let mut seen = Vec::new();
        found.retain(|o| {
            let key = (o.user.clone(), o.policy, o.level);
            let first = !seen.contains(&key);
            seen.push(key);
            first
        });
    }
    let (page, wrapper) = paging.slice(found);
    let links = Links { base: &pd.base };
    let items = page.iter().map(|o| render(&links, config, o, tz)).collect();
    Ok(Json(wrapper.reply("oncalls", items)))
}

/// Every on-call of the policies and schedules asked for, over `[since, until]`, in config order.
async fn collect<'c>(
    state: &AppState,
    config: &'c Config,
    f: &Filters<'_>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OnCall<'c>>, PdError> {
    let mut found = Vec::new();
    let mut rendered: BTreeMap<&str, Vec<Shift>> = BTreeMap::new();
    for p in config.escalation_policies.values() {
        if !f.policies.is_empty() && !f.policies.contains(&p.name.as_str()) {
            continue;
        }
        for (i, level) in p.levels.iter().enumerate() {
            for t in &level.targets {
                let (user, schedule) = match t {
                    Target::User(u) => (Some(u.as_str()), None),
                    Target::Schedule(s) => (None, Some(s.as_str())),
                };
                if let Some(u) = user
                    && f.schedules.is_empty()
                {
                    found.push(OnCall {
                        policy: &p.name,
                        level: i + 1,
                        schedule: None,
                        user: u.to_owned(),
                        shift: None,
                    });
                }
                let Some(s) = schedule else { continue };
                if !f.schedules.is_empty() && !f.schedules.contains(&s) {
                    continue;
                }
                if !rendered.contains_key(s) {
                    let r = state
                        .engine
                        .render_schedule(s, since - horizon(), until + horizon())
                        .await?;
                    rendered.insert(s, r.shifts);
                }
                // A window of one instant (now) asks who is on at it.
                let end = until.max(since + Duration::seconds(1));
                for sh in &rendered[s] {
                    if let Some(u) = &sh.user
                        && sh.start < end
                        && sh.end > since
                    {
                        found.push(OnCall {
                            policy: &p.name,
                            level: i + 1,
                            schedule: Some(s),
                            user: u.as_str().to_owned(),
                            shift: Some((sh.start, sh.end)),
                        });
                    }
                }
            }
        }
    }
    Ok(found)
}

fn filters<'q>(config: &Config, q: &'q PdQuery) -> Result<Filters<'q>, PdError> {
    let schedules: Vec<&str> = config.schedules.keys().map(String::as_str).collect();
    let policies: Vec<&str> = config
        .escalation_policies
        .keys()
        .map(String::as_str)
        .collect();
    let users: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
    Ok(Filters {
        schedules: known_ids(q, "schedule_ids", &|id| schedules.contains(&id), &schedules)?,
        policies: known_ids(
            q,
            "escalation_policy_ids",
            &|id| policies.contains(&id),
            &policies,
        )?,
        users: known_ids(q, "user_ids", &|id| users.contains(&id), &users)?,
    })
}

fn render(links: &Links, config: &Config, o: &OnCall, tz: Tz) -> Value {
    json!({
        "escalation_policy": links.reference("escalation_policy", o.policy, o.policy),
        "escalation_level": o.level,
        "schedule": o.schedule.map(|s| links.reference("schedule", s, s)),
        "user": user_ref(links, config, &o.user),
        "start": o.shift.map(|s| at(s.0, tz)),
        "end": o.shift.map(|s| at(s.1, tz)),
    })
}
