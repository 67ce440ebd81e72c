//! `[escalation_policies.NAME]` → [`EscalationPolicy`]: levels of targets, each a person or a
//! schedule (whoever it has on call when the level fires).
//!
//! ```toml
//! [escalation_policies.default]
//! levels = [
//!   { targets = ["schedule:primary"], delay_minutes = 15 },
//!   { targets = ["bob", "secondary"], delay_minutes = 15 },   # bare names: a user, else a schedule
//! ]
//! repeat = 1
//! ```

use std::collections::BTreeMap;

use toml::Spanned;

use super::Collector;
use super::raw::RawPolicy;
use super::validate::names;
use super::{EscalationLevel, EscalationPolicy, Target, User};
use crate::domain::ids::UserId;

pub(super) fn validate<S: AsRef<str>>(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawPolicy>>,
    users: &BTreeMap<UserId, User>,
    schedules: &[S],
) -> BTreeMap<String, EscalationPolicy> {
    let schedules: Vec<&str> = schedules.iter().map(AsRef::as_ref).collect();
    let mut out = BTreeMap::new();
    for (name, spanned) in raw {
        let key = format!("escalation_policies.{name}");
        let p = spanned.get_ref();
        if p.levels.is_empty() {
            c.at(
                spanned.span(),
                format!("{key}.levels"),
                "a policy needs at least one level",
            );
        }
        if *p.repeat.get_ref() > 9 {
            c.at(
                p.repeat.span(),
                format!("{key}.repeat"),
                "repeat must be between 0 and 9",
            );
        }
        let mut levels = Vec::new();
        for (i, level) in p.levels.iter().enumerate() {
            let l = level.get_ref();
            let targets_key = format!("{key}.levels[{i}].targets");
            if l.targets.is_empty() {
                c.at(
                    level.span(),
                    &targets_key,
                    "a level needs at least one target",
                );
            }
            let targets = l
                .targets
                .iter()
                .filter_map(|t| {
                    target(t.get_ref(), users, &schedules)
                        .map_err(|e| c.at(t.span(), &targets_key, e))
                        .ok()
                })
                .collect();
            if *l.delay_minutes.get_ref() == 0 {
                c.at(
                    l.delay_minutes.span(),
                    format!("{key}.levels[{i}].delay_minutes"),
                    "delay must be at least 1 minute",
                );
            }
            levels.push(EscalationLevel {
                targets,
                delay_minutes: *l.delay_minutes.get_ref(),
            });
        }
        out.insert(
            name.clone(),
            EscalationPolicy {
                name: name.clone(),
                levels,
                repeat: *p.repeat.get_ref(),
            },
        );
    }
    out
}

/// `user:NAME`, `schedule:NAME`, or a bare name that must be exactly one of the two.
fn target(
    text: &str,
    users: &BTreeMap<UserId, User>,
    schedules: &[&str],
) -> Result<Target, String> {
    let is_user = |n: &str| users.contains_key(&UserId::new(n.to_owned()));
    let is_schedule = |n: &str| schedules.contains(&n);
    let unknown_user = |n: &str| {
        format!(
            "unknown user `{n}` — defined users: {}",
            names(users.keys())
        )
    };
    let unknown_schedule = |n: &str| {
        format!(
            "unknown schedule `{n}` — defined schedules: {}",
            names(schedules.iter())
        )
    };
    if let Some(n) = text.strip_prefix("user:") {
        return if is_user(n) {
            Ok(Target::User(UserId::new(n.to_owned())))
        } else {
            Err(unknown_user(n))
        };
    }
    if let Some(n) = text.strip_prefix("schedule:") {
        return if is_schedule(n) {
            Ok(Target::Schedule(n.to_owned()))
        } else {
            Err(unknown_schedule(n))
        };
    }
    match (is_user(text), is_schedule(text)) {
        (true, false) => Ok(Target::User(UserId::new(text.to_owned()))),
        (false, true) => Ok(Target::Schedule(text.to_owned())),
        (true, true) => Err(format!(
            "`{text}` is both a user and a schedule — write `user:{text}` or `schedule:{text}`"
        )),
        (false, false) => Err(format!(
            "unknown user or schedule `{text}` — defined users: {}; defined schedules: {} \
             (write `user:NAME` or `schedule:NAME` to say which)",
            names(users.keys()),
            names(schedules.iter())
        )),
    }
}
