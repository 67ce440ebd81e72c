//! `/schedules`: firebell's `[schedules.*]` in PagerDuty's shape. One schedule shows its layers
//! (each rendered alone) and, for a `since`/`until` window, the final schedule (layers with
//! overrides applied: what `!oncall` says) and the overrides sub-schedule. As PagerDuty, nothing
//! is rendered unless `since` or `until` is given. Times are in `time_zone`, else the schedule's.

use axum::Json;
use axum::extract::State;
use chrono::Weekday;
use chrono_tz::Tz;
use firebell_engine::Config;
use firebell_engine::schedule::{self, Layer, Restriction, Rotation, Schedule, Shift};
use serde_json::{Map, Value, json};

use super::directory::{
    Window, at, instant, matches, policies_paging, schedule_users, time_zone, user_ref, window,
};
use super::error::PdError;
use super::refs::{Links, omit_nulls};
use super::request::{Pd, PdPath, PdQuery};
use crate::http::AppState;

/// Filters: `query` (name), pagination.
pub(crate) async fn list(
    State(state): State<AppState>,
    pd: Pd,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let paging = q.paging()?;
    let config = state.engine.config();
    let chosen: Vec<&Schedule> = config
        .schedules
        .values()
        .filter(|s| matches(&q, &[&s.name]))
        .collect();
    let (page, wrapper) = paging.slice(chosen);
    let links = Links { base: &pd.base };
    let items = page
        .into_iter()
        .map(|s| {
            // PagerDuty lists each schedule with its layers (their entries only when shown).
            let render = Render {
                links: &links,
                config,
                tz: s.time_zone,
                span: None,
            };
            let mut m = summary(&links, config, s);
            m.insert("schedule_layers".into(), render.layers(s).into());
            Value::Object(m)
        })
        .collect();
    Ok(Json(wrapper.reply("schedules", items)))
}

/// The schedule as listed: name, zone, its users and the policies that page it.
fn summary(links: &Links, config: &Config, s: &Schedule) -> Map<String, Value> {
    let mut m = links.entity("schedule", &s.name, &s.name);
    let users: Vec<Value> = schedule_users(s)
        .into_iter()
        .map(|u| user_ref(links, config, u))
        .collect();
    let policies: Vec<Value> = policies_paging(config, &s.name)
        .into_iter()
        .map(|p| links.reference("escalation_policy", p, p))
        .collect();
    m.insert("name".into(), s.name.clone().into());
    m.insert("time_zone".into(), s.time_zone.name().into());
    m.insert("description".into(), "".into());
    m.insert("users".into(), users.into());
    m.insert("escalation_policies".into(), policies.into());
    m.insert("teams".into(), json!([]));
    m
}

/// Parameters: `since`, `until`, `time_zone`.
pub(crate) async fn show(
    State(state): State<AppState>,
    pd: Pd,
    PdPath(id): PdPath,
    q: PdQuery,
) -> Result<Json<Value>, PdError> {
    let config = state.engine.config();
    let s = config.schedules.get(&id).ok_or_else(|| {
        let names: Vec<&str> = config.schedules.keys().map(String::as_str).collect();
        PdError::not_found(format!(
            "no schedule `{id}` (schedules: {})",
            names.join(", ")
        ))
    })?;
    let tz = time_zone(&q, s.time_zone)?;
    let span = window(&q)?;
    let links = Links { base: &pd.base };
    let render = Render {
        links: &links,
        config,
        tz,
        span,
    };
    let mut m = summary(&links, config, s);
    let layers = render.layers(s);
    let (fin, overrides) = match span {
        Some((since, until)) => {
            let r = state.engine.render_schedule(&s.name, since, until).await?;
            let ovs: Vec<Shift> = r
                .overrides
                .iter()
                .map(|o| Shift {
                    user: Some(o.user.clone()),
                    start: o.start.max(since),
                    end: o.end.min(until),
                })
                .collect();
            (r.shifts, ovs)
        }
        None => (Vec::new(), Vec::new()),
    };
    m.insert("schedule_layers".into(), layers.into());
    m.insert("final_schedule".into(), render.sub("Final Schedule", &fin));
    m.insert(
        "overrides_subschedule".into(),
        render.sub("Overrides", &overrides),
    );
    let mut schedule = Value::Object(m);
    omit_nulls(&mut schedule);
    Ok(Json(json!({"schedule": schedule})))
}

/// What one schedule reply renders with.
struct Render<'a> {
    links: &'a Links<'a>,
    config: &'a Config,
    tz: Tz,
    span: Option<Window>,
}

impl Render<'_> {
    /// `[{start, end, user}]` of the stretches someone is on call.
    fn entries(&self, shifts: &[Shift]) -> Vec<Value> {
        shifts
            .iter()
            .filter_map(|sh| {
                let u = sh.user.as_ref()?;
                Some(json!({
                    "start": at(sh.start, self.tz),
                    "end": at(sh.end, self.tz),
                    "user": user_ref(self.links, self.config, u.as_str()),
                }))
            })
            .collect()
    }

    /// The share of the window someone is on call, in percent (`null` without a window).
    fn coverage(&self, shifts: &[Shift]) -> Value {
        let Some((since, until)) = self.span else {
            return Value::Null;
        };
        let total = (until - since).num_seconds();
        if total <= 0 {
            return json!(0.0);
        }
        let covered: i64 = shifts
            .iter()
            .filter(|s| s.user.is_some())
            .map(|s| (s.end.min(until) - s.start.max(since)).num_seconds().max(0))
            .sum();
        json!((covered as f64 * 10_000.0 / total as f64).round() / 100.0)
    }

    fn sub(&self, name: &str, shifts: &[Shift]) -> Value {
        json!({
            "name": name,
            "rendered_schedule_entries": self.entries(shifts),
            "rendered_coverage_percentage": self.coverage(shifts),
        })
    }

    /// One layer in PagerDuty's shape, rendered alone over the window.
    fn layers(&self, s: &Schedule) -> Vec<Value> {
        s.layers
            .iter()
            .enumerate()
            .map(|(i, l)| self.layer(s, i, l))
            .collect()
    }

    fn layer(&self, s: &Schedule, i: usize, l: &Layer) -> Value {
        let start = at(instant(s.time_zone, l.start), self.tz);
        let shifts = match self.span {
            Some((since, until)) => {
                let alone = Schedule {
                    name: s.name.clone(),
                    time_zone: s.time_zone,
                    layers: vec![l.clone()],
                };
                schedule::shifts(&alone, &[], since, until)
            }
            None => Vec::new(),
        };
        let users: Vec<Value> = l
            .users
            .iter()
            .map(|u| json!({"user": user_ref(self.links, self.config, u.as_str())}))
            .collect();
        json!({
            "id": format!("{}-{}", s.name, i + 1),
            "name": format!("Layer {}", i + 1),
            "start": start,
            "end": null,
            "rotation_virtual_start": start,
            "rotation_turn_length_seconds": turn_seconds(l.rotation),
            "users": users,
            "restrictions": l.restrictions.iter().flat_map(restrictions).collect::<Vec<_>>(),
            "rendered_schedule_entries": self.entries(&shifts),
            "rendered_coverage_percentage": self.coverage(&shifts),
        })
    }
}

fn turn_seconds(r: Rotation) -> i64 {
    match r {
        Rotation::Hours(h) => i64::from(h.max(1)) * 3600,
        Rotation::Days(d) => i64::from(d.max(1)) * 86_400,
        Rotation::Weeks(w) => i64::from(w.max(1)) * 604_800,
    }
}

/// A firebell restriction (a daily window on some weekdays) as PagerDuty's: one
/// `daily_restriction` when it holds every day, else a `weekly_restriction` per weekday.
fn restrictions(r: &Restriction) -> Vec<Value> {
    let mut secs = (r.end - r.start).num_seconds();
    if secs <= 0 {
        secs += 86_400;
    }
    let start = r.start.format("%H:%M:%S").to_string();
    if r.days.len() == 7 {
        return vec![
            json!({"type": "daily_restriction", "start_time_of_day": start, "duration_seconds": secs}),
        ];
    }
    let mut days: Vec<u32> = r.days.iter().map(Weekday::number_from_monday).collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .map(|d| {
            json!({"type": "weekly_restriction", "start_day_of_week": d,
                   "start_time_of_day": start, "duration_seconds": secs})
        })
        .collect()
}
