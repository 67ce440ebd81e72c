//! Escalation: who is paged, how, and when, as pure decisions over values. The timer worker
//! (`crate::timer`) loads an incident's position in its policy, asks [`next_step`] what to do, and writes
//! the result — pages, timeline, the next due time — in the same transaction that claimed the
//! timer, so a crash repeats nothing and skips nothing.
//!
//! # Layout
//! - `mod.rs`: [`next_step`] (which level runs next, skipping levels with nobody on call) and
//!   [`phone_deferral`] (low urgency never rings a phone outside support hours).
//! - notification rules, urgency and support hours are [`crate::domain::notification_rules`].

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::config::{EscalationPolicy, Target};
use crate::domain::ids::UserId;
use crate::domain::kinds::{ContactMethod, Urgency};
use crate::domain::notification_rules::SupportHours;

/// Where an incident stands in its policy: the next level to start, in which pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 0-based level index.
    pub level: usize,
    /// 0-based pass through the policy (a policy with `repeat = 2` has passes 0, 1, 2).
    pub pass: u32,
}

impl Position {
    pub const START: Position = Position { level: 0, pass: 0 };

    /// The position after this one, or `None` when the policy has run out.
    pub fn after(self, policy: &EscalationPolicy) -> Option<Position> {
        if self.level + 1 < policy.levels.len() {
            Some(Position {
                level: self.level + 1,
                pass: self.pass,
            })
        } else if self.pass < u32::from(policy.repeat) {
            Some(Position {
                level: 0,
                pass: self.pass + 1,
            })
        } else {
            None
        }
    }
}

/// A level that runs: page these people, and start `next` after `delay_minutes` unless someone
/// acknowledges first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelRun {
    pub at: Position,
    pub users: Vec<UserId>,
    pub delay_minutes: u32,
    pub next: Option<Position>,
}

/// Where an incident's ladder stands, as the store keeps it: the next level to start, or run out
/// after the last level of its last pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Next(Position),
    Exhausted { pass: u32 },
}

impl Standing {
    /// Level -1 in the `esc_level` column: the policy has run out.
    const EXHAUSTED_LEVEL: i64 = -1;

    /// From the `esc_level` and `esc_loop` columns.
    pub fn from_columns(level: i64, pass: i64) -> Result<Standing, String> {
        let pass =
            u32::try_from(pass).map_err(|_| format!("escalation pass {pass} is negative"))?;
        if level == Self::EXHAUSTED_LEVEL {
            return Ok(Standing::Exhausted { pass });
        }
        let level =
            usize::try_from(level).map_err(|_| format!("escalation level {level} is not one"))?;
        Ok(Standing::Next(Position { level, pass }))
    }

    /// The `esc_level` and `esc_loop` columns.
    pub fn columns(self) -> (i64, i64) {
        match self {
            Standing::Next(p) => (
                i64::try_from(p.level).unwrap_or(i64::MAX),
                i64::from(p.pass),
            ),
            Standing::Exhausted { pass } => (Self::EXHAUSTED_LEVEL, i64::from(pass)),
        }
    }

    /// The position `next_step` starts from: past the last level once the policy has run out,
    /// so it finds nobody further to page.
    pub fn position(self, policy: &EscalationPolicy) -> Position {
        match self {
            Standing::Next(p) => p,
            Standing::Exhausted { pass } => Position {
                level: policy.levels.len(),
                pass,
            },
        }
    }
}

/// A level passed over because none of its targets had anyone on call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub at: Position,
    pub reason: String,
}

/// What to do when an incident's next level is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub skipped: Vec<Skipped>,
    /// `None` when every remaining level was empty: the policy has run out.
    pub run: Option<LevelRun>,
}

/// Starting at `from`, the first level with somebody to page. `who` answers for one target: the
/// user itself, or whoever a schedule has on call now (`None` if nobody). People named twice in
/// a level are paged once.
pub fn next_step(
    policy: &EscalationPolicy,
    from: Position,
    who: impl Fn(&Target) -> Option<UserId>,
) -> Step {
    let mut skipped = Vec::new();
    let mut at = Some(from);
    while let Some(pos) = at {
        let Some(level) = policy.levels.get(pos.level) else {
            break;
        };
        let mut users: Vec<UserId> = Vec::new();
        for u in level.targets.iter().filter_map(&who) {
            if !users.contains(&u) {
                users.push(u);
            }
        }
        if !users.is_empty() {
            return Step {
                skipped,
                run: Some(LevelRun {
                    at: pos,
                    users,
                    delay_minutes: level.delay_minutes,
                    next: pos.after(policy),
                }),
            };
        }
        skipped.push(Skipped {
            at: pos,
            reason: nobody_reason(&level.targets),
        });
        at = pos.after(policy);
    }
    Step { skipped, run: None }
}

fn nobody_reason(targets: &[Target]) -> String {
    let names: Vec<String> = targets
        .iter()
        .map(|t| match t {
            Target::User(u) => format!("user `{u}`"),
            Target::Schedule(s) => format!("schedule `{s}`"),
        })
        .collect();
    format!("nobody on call for {}", names.join(", "))
}

/// When a page by `method` must wait: low-urgency phone pages (SMS, voice) outside the service's
/// support hours wait until they begin. `None` means send now.
pub fn phone_deferral(
    method: ContactMethod,
    urgency: Urgency,
    support: Option<&SupportHours>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let phone = matches!(method, ContactMethod::Sms | ContactMethod::Voice);
    match (urgency, support) {
        (Urgency::Low, Some(s)) if phone && !s.contains(now) => s.next_start(now),
        _ => None,
    }
}
