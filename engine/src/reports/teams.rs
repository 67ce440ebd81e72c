//! Team load, pure: incidents per week for each team (escalation policy) in scope, and whether it
//! is over the line where the team should review its alerts.

use super::period::Period;
use super::{Incidents, REVIEW_LINE_PER_WEEK, Scope, TeamLoad};
use crate::config::Config;

/// Incidents per week for each team in scope.
pub(super) fn teams(
    config: &Config,
    scope: &Scope,
    incidents: &Incidents,
    period: &Period,
) -> Vec<TeamLoad> {
    let days = period.days();
    scope
        .teams
        .iter()
        .map(|team| {
            let n: u64 = config
                .services
                .values()
                .filter(|s| s.escalation_policy.as_ref() == Some(team))
                .filter_map(|s| incidents.by_service.get(s.name.as_str()))
                .sum();
            let per_week = if days >= 7.0 {
                n as f64 * 7.0 / days
            } else {
                n as f64
            };
            TeamLoad {
                team: team.clone(),
                incidents: n,
                per_week,
                over_review_line: per_week > REVIEW_LINE_PER_WEEK,
            }
        })
        .collect()
}
