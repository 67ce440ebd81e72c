//! PagerDuty objects → the firebell config's tables, as plain values the writer turns into
//! TOML. Whatever does not fit firebell is recorded twice: as a comment beside the table it
//! belongs to, and as one summary line for the terminal.
//!
//! Users, schedules and services have their own files; escalation policies are here.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::model;
use super::schedules::{self, ScheduleOut};
use super::services::{self, ServiceOut};
use super::users::{self, UserOut};

/// The whole imported config, in file order.
pub struct Doc {
    pub users: Vec<UserOut>,
    pub schedules: Vec<ScheduleOut>,
    pub policies: Vec<PolicyOut>,
    pub services: Vec<ServiceOut>,
    /// One line per thing not carried over, for stderr.
    pub notes: Vec<String>,
}

pub struct PolicyOut {
    pub id: String,
    pub pd_id: String,
    /// Targets (`user:ID` / `schedule:ID`) and the delay before the next level.
    pub levels: Vec<(Vec<String>, u32)>,
    pub repeat: u32,
    pub comments: Vec<String>,
}

/// Records what is not carried over: a comment on the item, a line for the summary.
pub struct Losses(pub Vec<String>);

impl Losses {
    pub fn note(&mut self, comments: &mut Vec<String>, subject: &str, what: impl Into<String>) {
        let what = what.into();
        comments.push(format!("NOT CARRIED OVER: {what}"));
        self.0.push(format!("{subject}: {what}"));
    }
}

/// Turns names into unique firebell ids: lowercase letters, digits and `-`.
#[derive(Default)]
pub struct Slugs(BTreeSet<String>);

impl Slugs {
    /// `Web App` → `web-app`, `web-app-2` for the next one; `fallback` when nothing is left.
    pub fn take(&mut self, name: &str, fallback: &str) -> String {
        let base = match slug(name) {
            s if s.is_empty() => slug(fallback),
            s => s,
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.0.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.0.insert(id.clone());
        id
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    out.truncate(48);
    out.trim_end_matches('-').to_owned()
}

/// The PagerDuty id → firebell id maps the later tables refer through.
pub struct Ids {
    pub users: HashMap<String, String>,
    pub schedules: HashMap<String, String>,
    pub policies: HashMap<String, String>,
}

pub fn doc(
    users: &[model::User],
    schedules: &[model::Schedule],
    policies: &[model::EscalationPolicy],
    services: &[model::Service],
    now: DateTime<Utc>,
) -> Doc {
    let mut losses = Losses(Vec::new());
    let mut slugs = Slugs::default();
    let users: Vec<UserOut> = users
        .iter()
        .map(|u| users::user(u, &mut slugs, &mut losses))
        .collect();
    let mut ids = Ids {
        users: users
            .iter()
            .map(|u| (u.pd_id.clone(), u.id.clone()))
            .collect(),
        schedules: HashMap::new(),
        policies: HashMap::new(),
    };
    let schedules = schedules::map_all(schedules, &ids, now, &mut losses);
    ids.schedules = schedules
        .iter()
        .map(|s| (s.pd_id.clone(), s.id.clone()))
        .collect();
    let mut slugs = Slugs::default();
    let policies: Vec<PolicyOut> = policies
        .iter()
        .filter_map(|p| policy(p, &ids, &mut slugs, &mut losses))
        .collect();
    ids.policies = policies
        .iter()
        .map(|p| (p.pd_id.clone(), p.id.clone()))
        .collect();
    let mut slugs = Slugs::default();
    let services = services
        .iter()
        .map(|s| services::service(s, &ids, &mut slugs, &mut losses))
        .collect();
    Doc {
        users,
        schedules,
        policies,
        services,
        notes: losses.0,
    }
}

pub fn labels(refs: &[model::Reference]) -> String {
    refs.iter()
        .map(model::Reference::label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy(
    p: &model::EscalationPolicy,
    ids: &Ids,
    slugs: &mut Slugs,
    losses: &mut Losses,
) -> Option<PolicyOut> {
    let subject = format!("escalation policy {} ({})", p.name, p.id);
    let mut comments = vec![format!(
        "PagerDuty escalation policy {} \"{}\"",
        p.id, p.name
    )];
    let mut levels = Vec::new();
    for (i, rule) in p.escalation_rules.iter().enumerate() {
        let mut targets = Vec::new();
        for t in &rule.targets {
            let kind = t.kind.trim_end_matches("_reference");
            let found = match kind {
                "user" => ids.users.get(&t.id).map(|id| format!("user:{id}")),
                "schedule" => ids.schedules.get(&t.id).map(|id| format!("schedule:{id}")),
                _ => None,
            };
            match found {
                Some(target) => targets.push(target),
                None => losses.note(
                    &mut comments,
                    &subject,
                    format!(
                        "level {} target {} of type {}: not imported",
                        i + 1,
                        t.label(),
                        t.kind
                    ),
                ),
            }
        }
        if targets.is_empty() {
            losses.note(
                &mut comments,
                &subject,
                format!(
                    "level {}: none of its targets could be imported, level left out",
                    i + 1
                ),
            );
            continue;
        }
        let delay = u32::try_from(rule.escalation_delay_in_minutes.max(1)).unwrap_or(u32::MAX);
        levels.push((targets, delay));
    }
    if levels.is_empty() {
        losses.note(
            &mut Vec::new(),
            &subject,
            "no level could be imported, so the policy is left out",
        );
        return None;
    }
    let repeat = p.num_loops.min(9);
    if p.num_loops > 9 {
        losses.note(
            &mut comments,
            &subject,
            format!(
                "num_loops {} (firebell repeats at most 9 times)",
                p.num_loops
            ),
        );
    }
    if !p.teams.is_empty() {
        losses.note(
            &mut comments,
            &subject,
            format!("teams {} (firebell has no teams)", labels(&p.teams)),
        );
    }
    Some(PolicyOut {
        id: slugs.take(&p.name, &format!("policy {}", p.id)),
        pd_id: p.id.clone(),
        levels,
        repeat,
        comments,
    })
}

#[cfg(test)]
mod tests {
    use super::Slugs;

    #[test]
    fn slugs_are_lowercase_words_and_unique() {
        let mut s = Slugs::default();
        assert_eq!(s.take("Web App", "x"), "web-app");
        assert_eq!(s.take("web app!", "x"), "web-app-2");
        assert_eq!(s.take("Database (primary)", "x"), "database-primary");
        assert_eq!(s.take("日本", "user PAB12"), "user-pab12");
    }
}
