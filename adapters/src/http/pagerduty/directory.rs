//! What the directory endpoints (services, policies, schedules, users, on-calls, maintenance,
//! overrides) share: the `query` filter, references to configured things, time zones and the
//! rendering of times, and the `since`/`until` window of schedule reads.

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use firebell_engine::Config;
use firebell_engine::config::{EscalationPolicy, Target};
use firebell_engine::schedule::Schedule;
use serde_json::Value;

use super::error::PdError;
use super::refs::Links;
use super::request::PdQuery;

/// Configured things have no creation time; PagerDuty requires one, so every configured service
/// says it was created at the Unix epoch (a fixed value: a restart does not "recreate" anything).
pub(crate) const CONFIGURED_AT: &str = "1970-01-01T00:00:00Z";

/// The longest `since`…`until` window served (PagerDuty's limit for on-calls and schedules).
pub(crate) fn max_window() -> Duration {
    Duration::days(90)
}

/// Whether `query` (a case-insensitive substring, PagerDuty's search) matches any of `texts`.
pub(crate) fn matches(q: &PdQuery, texts: &[&str]) -> bool {
    match q.one("query").map(str::trim).filter(|s| !s.is_empty()) {
        None => true,
        Some(needle) => {
            let needle = needle.to_lowercase();
            texts.iter().any(|t| t.to_lowercase().contains(&needle))
        }
    }
}

/// A reference to the configured user `id` (its name as summary; the id if it is not a user).
pub(crate) fn user_ref(links: &Links, config: &Config, id: &str) -> Value {
    let name = config.user(id).map_or(id, |u| u.name.as_str());
    links.reference("user", id, name)
}

/// A reference to a configured service: its description as summary, as incidents show it.
pub(crate) fn service_ref(links: &Links, config: &Config, name: &str) -> Value {
    let summary = config
        .service(name)
        .map(|s| s.description.as_str())
        .filter(|d| !d.is_empty())
        .unwrap_or(name);
    links.reference("service", name, summary)
}

/// A policy's level target as PagerDuty's `user_reference` or `schedule_reference`.
pub(crate) fn target_ref(links: &Links, config: &Config, t: &Target) -> Value {
    match t {
        Target::User(u) => user_ref(links, config, u.as_str()),
        Target::Schedule(s) => links.reference("schedule", s, s),
    }
}

/// Everyone a schedule's layers rotate through, in order of first appearance.
pub(crate) fn schedule_users(s: &Schedule) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for u in s.layers.iter().flat_map(|l| l.users.iter()) {
        if !out.contains(&u.as_str()) {
            out.push(u.as_str());
        }
    }
    out
}

/// Whether `user` can be paged by `p`: a direct target, or on a schedule the policy pages.
pub(crate) fn policy_reaches(config: &Config, p: &EscalationPolicy, user: &str) -> bool {
    p.levels
        .iter()
        .flat_map(|l| l.targets.iter())
        .any(|t| match t {
            Target::User(u) => u.as_str() == user,
            Target::Schedule(s) => config
                .schedules
                .get(s)
                .is_some_and(|s| schedule_users(s).contains(&user)),
        })
}

/// The policies that page schedule `name`, by name.
pub(crate) fn policies_paging<'a>(config: &'a Config, name: &str) -> Vec<&'a str> {
    config
        .escalation_policies
        .values()
        .filter(|p| {
            p.levels
                .iter()
                .flat_map(|l| l.targets.iter())
                .any(|t| matches!(t, Target::Schedule(s) if s == name))
        })
        .map(|p| p.name.as_str())
        .collect()
}

/// Each id of the array `key[]` must name something `known` accepts; PagerDuty answers 400 to
/// an id it does not know, and so does firebell, listing the valid ones.
pub(crate) fn known_ids<'q>(
    q: &'q PdQuery,
    key: &str,
    known: &dyn Fn(&str) -> bool,
    valid: &[&str],
) -> Result<Vec<&'q str>, PdError> {
    let ids = q.many(key);
    if let Some(bad) = ids.iter().find(|id| !known(id)) {
        return Err(PdError::invalid(format!(
            "`{key}[]`: no such id `{bad}` (valid: {})",
            valid.join(", ")
        )));
    }
    Ok(ids)
}

/// The `time_zone` parameter (an IANA name), else `default`.
pub(crate) fn time_zone(q: &PdQuery, default: Tz) -> Result<Tz, PdError> {
    match q.one("time_zone").map(str::trim).filter(|z| !z.is_empty()) {
        None => Ok(default),
        Some(z) => z.parse::<Tz>().map_err(|_| {
            PdError::invalid(format!(
                "`time_zone` must be an IANA zone such as UTC or Europe/Berlin, not `{z}`"
            ))
        }),
    }
}

/// `t` in zone `tz`, RFC 3339 with its offset (`Z` in UTC), as PagerDuty renders times.
pub(crate) fn at(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A local wall-clock time of zone `tz` as an instant (the earlier one in a fold, the time
/// after the gap in a DST gap).
pub(crate) fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => t.to_utc(),
        None => instant(tz, local + Duration::hours(1)),
    }
}

/// A `[since, until]` window.
pub(crate) type Window = (DateTime<Utc>, DateTime<Utc>);

/// `since`/`until` when given: only `since` means the next 14 days, only `until` the 14 days
/// before (PagerDuty's defaults); `None` when neither is. Refuses a reversed or too long window.
pub(crate) fn window(q: &PdQuery) -> Result<Option<Window>, PdError> {
    let span = Duration::days(14);
    let w = match (q.time("since")?, q.time("until")?) {
        (None, None) => return Ok(None),
        (Some(a), None) => (a, a + span),
        (None, Some(b)) => (b - span, b),
        (Some(a), Some(b)) => (a, b),
    };
    check_window(w)?;
    Ok(Some(w))
}

/// `since` before `until`, at most [`max_window`] apart.
pub(crate) fn check_window((since, until): Window) -> Result<(), PdError> {
    if since > until {
        return Err(PdError::arguments("`since` must not be after `until`"));
    }
    if until - since > max_window() {
        return Err(PdError::arguments(format!(
            "`since` and `until` may be at most {} days apart",
            max_window().num_days()
        )));
    }
    Ok(())
}
