//! The manager summary ("Manager summaries", `!report`, `GET /api/v1/reports/summary`, the
//! scheduled digests): what happened over a period, and the change against the period of the
//! same length before it.
//!
//! Every figure comes from aggregate SQL over the period (one pass per figure, each served by
//! an index from migration 0005 — see `store::reports`); only the percentiles read single
//! values, a few around each rank, never a whole column. The rest is pure and table-tested:
//! periods, hour classes, percentile math, on-call hours, the text formats.
//!
//! # Figures (each for the period `[since, until)`)
//! - **Incidents opened**: incidents whose `created_at` is in the period — in total, per
//!   service, per severity and per urgency. Urgency is not stored on the incident; it is
//!   derived exactly as the escalation derives it when the incident opens (the service's
//!   `urgency` rule: fixed, by severity, or by whether `created_at` falls in the service's
//!   support hours). Incidents of services no longer configured count as high urgency, the
//!   default rule.
//! - **Alerts**: trigger events received in the period (`alerts.received_at`; outcomes
//!   `created`, `deduplicated`, `suppressed`), of which deduplicated (joined an open incident)
//!   and suppressed (silenced by a maintenance window).
//! - **MTTA / MTTR**: see [`Durations`]; over incidents *opened in the period*. MTTA is from
//!   `created_at` to the first acknowledgement, over those acknowledged (so far); MTTR from
//!   `created_at` to `resolved_at`, over those resolved (so far).
//! - **Escalations**: see [`Escalations`].
//! - **Notifications**: outbox rows addressed to a person (pages and status notices), created
//!   in the period, per contact method: queued, delivered (handed to the provider or posted),
//!   failed (given up after retries). A provider's later "undelivered" callback shows on the
//!   incident's timeline, not here.
//! - **Interruptions**: pages that went out (`pages.outcome = 'queued'`) with `fired_at` in the
//!   period, per person, by [`HourClass`] in that person's configured time zone.
//! - **On call**: see [`OnCallHours`]; schedules as configured now, overrides from the
//!   database (cancelled ones until they were cancelled).
//! - **Noisiest alerts**: the ten (service, dedup key) pairs with the most trigger events in
//!   the period, with the source of their latest incident.
//! - **Likely noise**: incidents opened in the period that were acknowledged, then resolved by
//!   firebell itself (auto-resolve: `resolved_via = 'system'`).
//! - **Team load**: see [`TeamLoad`].
//! - **Per day**: see [`Day`].
//!
//! # Layout
//! - `period`: [`Period`] and what people type for one.
//! - `figures`: percentile math.
//! - `hours`: hour classes, support-hours windows, on-call hours.
//! - `build`: one period's [`Summary`] from the store.
//! - `times`: the percentiles, read from the duration indexes.
//! - `format`: CSV, Markdown and chat text, and the chart series.

mod build;
mod figures;
mod format;
mod hours;
mod period;
mod teams;
#[cfg(test)]
mod tests;
mod times;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

pub use figures::{Durations, quantile};
pub use format::{CHAT_MAX_CHARS, ChartSeries};
pub use hours::{HourClass, OnCallHours};
pub use period::{MAX_DAYS, Period};

use crate::config::Target;
use crate::ctx::Ctx;
use crate::domain::error::{EngineError, UserError};
use crate::domain::ids::ServiceName;
use crate::domain::kinds::{ContactMethod, Severity};

/// What a report is asked for: a period, optionally one service or one team (escalation
/// policy: the services using it).
#[derive(Debug, Clone)]
pub struct SummaryQuery {
    pub period: Period,
    pub service: Option<ServiceName>,
    pub team: Option<String>,
}

/// The summary of a period and of the period of the same length before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub service: Option<String>,
    pub team: Option<String>,
    pub current: Summary,
    /// The same figures for [`Period::previous`].
    pub previous: Summary,
}

/// Every figure for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub period: Period,
    pub incidents: Incidents,
    pub alerts: Alerts,
    /// Time to acknowledge.
    pub mtta: Durations,
    /// Time to resolve.
    pub mttr: Durations,
    pub escalations: Escalations,
    /// One entry per contact method, in the order chat, sms, voice, email.
    pub notifications: Vec<Notifications>,
    /// Per person paged, by id.
    pub interruptions: Vec<Interruptions>,
    /// Per person on call, by id.
    pub on_call: Vec<OnCallHours>,
    /// At most ten, noisiest first.
    pub noisiest: Vec<NoisyKey>,
    /// Acknowledged, then auto-resolved by firebell: likely noise.
    pub acknowledged_then_auto_resolved: u64,
    /// Per escalation policy in scope, by name.
    pub teams: Vec<TeamLoad>,
    /// Every UTC day the period touches, in order.
    pub days: Vec<Day>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Incidents {
    pub total: u64,
    pub by_service: BTreeMap<String, u64>,
    pub by_severity: BySeverity,
    pub by_urgency: ByUrgency,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BySeverity {
    pub critical: u64,
    pub error: u64,
    pub warning: u64,
    pub info: u64,
}

impl BySeverity {
    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }

    fn add(&mut self, s: Severity, n: u64) {
        match s {
            Severity::Critical => self.critical += n,
            Severity::Error => self.error += n,
            Severity::Warning => self.warning += n,
            Severity::Info => self.info += n,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ByUrgency {
    pub high: u64,
    pub low: u64,
}

/// Trigger events received in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Alerts {
    pub received: u64,
    /// Joined an incident already open for their dedup key.
    pub deduplicated: u64,
    /// Silenced by a maintenance window.
    pub suppressed: u64,
}

/// Incidents opened in the period whose escalation went past the first level of their policy.
/// `by_hand`: someone used `!escalate` (or the Escalate button) on it. `by_timeout`: otherwise,
/// a later level (or a later pass of a repeating policy) paged someone because nobody
/// acknowledged in time. Each incident counts once: `escalated = by_timeout + by_hand`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Escalations {
    pub escalated: u64,
    pub by_timeout: u64,
    pub by_hand: u64,
}

/// Notifications to people by one contact method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Notifications {
    pub method: ContactMethod,
    /// Queued (whatever became of them).
    pub sent: u64,
    pub delivered: u64,
    /// Given up on after retries (or refused outright).
    pub failed: u64,
}

/// Pages that reached one person, by [`HourClass`] in their own time zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interruptions {
    pub user: String,
    /// IANA name (UTC for people no longer configured).
    pub timezone: String,
    pub business: u64,
    pub evening: u64,
    pub sleep: u64,
}

impl Interruptions {
    pub fn total(&self) -> u64 {
        self.business + self.evening + self.sleep
    }

    pub fn get(&self, c: HourClass) -> u64 {
        match c {
            HourClass::Business => self.business,
            HourClass::Evening => self.evening,
            HourClass::Sleep => self.sleep,
        }
    }
}

/// A dedup key and how much it sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoisyKey {
    pub service: String,
    pub dedup_key: String,
    /// The `source` of its latest incident, when the monitor gave one.
    pub source: Option<String>,
    /// Trigger events received in the period (created, deduplicated or suppressed).
    pub alerts: u64,
    /// How many of them opened an incident.
    pub incidents: u64,
}

/// Incidents per week for one team, against PagerDuty's review line of 15 a week.
/// `per_week` is the period's count scaled to seven days (`incidents × 7 / days`) for periods of
/// a week or longer — the weekly average; for shorter periods it is the count itself (a busy
/// day is not extrapolated into a week).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamLoad {
    /// The escalation policy.
    pub team: String,
    pub incidents: u64,
    pub per_week: f64,
    /// `per_week > 15`.
    pub over_review_line: bool,
}

/// PagerDuty's line above which a team's incident load deserves a review.
pub const REVIEW_LINE_PER_WEEK: f64 = 15.0;

/// One UTC day of the period, for the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    /// Incidents opened that day (within the period), per service that had any.
    pub opened: BTreeMap<String, u32>,
    /// Mean time to acknowledge of the incidents opened that day, in minutes.
    pub mtta_minutes: Option<f64>,
    /// Mean time to resolve of the incidents opened that day, in minutes.
    pub mttr_minutes: Option<f64>,
}

/// Which services, escalation policies and schedules a report covers.
pub(crate) struct Scope {
    /// `None`: everything, including incidents of services since removed from the config.
    pub services: Option<Vec<String>>,
    pub teams: Vec<String>,
    pub schedules: Vec<String>,
}

/// The summary of `q.period` and of the period before it, for one service, one team or
/// everything. Unknown services and teams are a [`UserError`] that lists the valid ones.
#[tracing::instrument(skip_all, fields(since = %q.period.since, until = %q.period.until))]
pub async fn report(ctx: &Ctx, q: &SummaryQuery) -> Result<Report, EngineError> {
    q.period.check()?;
    let scope = report_scope(ctx, q)?;
    // One period after the other: each runs its own queries side by side on a few pooled
    // connections, and two at once would take most of the pool from ingest. Boxed, as the
    // futures are large.
    let current = Box::pin(build::summary(ctx, &scope, q.period)).await?;
    let previous = Box::pin(build::summary(ctx, &scope, q.period.previous())).await?;
    Ok(Report {
        service: q.service.as_ref().map(|s| s.as_str().to_owned()),
        team: q.team.clone(),
        current,
        previous,
    })
}

fn report_scope(ctx: &Ctx, q: &SummaryQuery) -> Result<Scope, UserError> {
    let config = ctx.config();
    let service = match &q.service {
        Some(name) => Some(config.service(name.as_str()).ok_or_else(|| {
            UserError::new(format!(
                "unknown service `{name}` — services: {}",
                list(config.service_names())
            ))
        })?),
        None => None,
    };
    if let Some(team) = &q.team
        && !config.escalation_policies.contains_key(team)
    {
        return Err(UserError::new(format!(
            "unknown team `{team}` — teams (escalation policies): {}",
            list(config.escalation_policies.keys().map(String::as_str))
        )));
    }
    if let (Some(s), Some(team)) = (service, &q.team)
        && s.escalation_policy.as_ref() != Some(team)
    {
        return Err(UserError::new(format!(
            "service `{}` is not on team `{team}` — its escalation policy is {}; ask for one or the other",
            s.name,
            s.escalation_policy
                .as_deref()
                .map_or_else(|| "none".to_owned(), |p| format!("`{p}`"))
        )));
    }
    let services: Option<Vec<String>> = match (service, &q.team) {
        (Some(s), _) => Some(vec![s.name.as_str().to_owned()]),
        (None, Some(team)) => Some(
            config
                .services
                .values()
                .filter(|s| s.escalation_policy.as_ref() == Some(team))
                .map(|s| s.name.as_str().to_owned())
                .collect(),
        ),
        (None, None) => None,
    };
    let teams: Vec<String> = match (&services, &q.team) {
        (None, _) => config.escalation_policies.keys().cloned().collect(),
        (Some(_), Some(team)) => vec![team.clone()],
        (Some(names), None) => {
            let mut t: Vec<String> = names
                .iter()
                .filter_map(|n| config.service(n)?.escalation_policy.clone())
                .collect();
            t.sort();
            t.dedup();
            t
        }
    };
    let schedules: Vec<String> = if services.is_none() {
        config.schedules.keys().cloned().collect()
    } else {
        let mut s: Vec<String> = teams
            .iter()
            .filter_map(|t| config.escalation_policies.get(t))
            .flat_map(|p| p.levels.iter().flat_map(|l| l.targets.iter()))
            .filter_map(|t| match t {
                Target::Schedule(s) => Some(s.clone()),
                Target::User(_) => None,
            })
            .collect();
        s.sort();
        s.dedup();
        s
    };
    Ok(Scope {
        services,
        teams,
        schedules,
    })
}

fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        "none configured".to_owned()
    } else {
        names.join(", ")
    }
}
