//! One escalation step for one incident, decided and written: a due level starts (its people
//! paged per their rules, empty levels skipped, the next level scheduled) or a due page step
//! fires (sent, deferred to support hours, or cancelled). The timer ([`super::tick`]) claims the
//! due rows and calls these inside its transaction.

use chrono::{DateTime, Duration, Utc};
use tracing::{error, info};

use crate::config::{Config, EscalationPolicy, Service, Target, User};
use crate::domain::clock::Timestamp;
use crate::domain::escalation::{LevelRun, Position, Standing, next_step, phone_deferral};
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::{Actor, Channel, ContactMethod, IncidentStatus, Severity, Urgency};
use crate::domain::notification::Notification;
use crate::domain::notification_rules::SupportHours;
use crate::domain::schedule::on_call_at;
use crate::domain::wording::person;
use crate::notify::wording::{by_method, noun};
use crate::oncall::as_overrides;
use crate::store::escalation::{self as rows, DueLevel, DuePage, LadderWrites, NewPage};
use crate::store::oncall::OverrideRow;
use crate::store::outbox::Addressee;
use crate::store::pending::Pending;

pub(crate) fn system() -> Actor {
    Actor::new("firebell", Channel::System)
}

pub(crate) fn urgency_of(
    service: &Service,
    severity: Severity,
    created_at: Timestamp,
) -> (Urgency, Option<&SupportHours>) {
    let support = service.support_hours.as_ref();
    (
        service
            .urgency
            .urgency(severity, created_at.datetime(), support),
        support,
    )
}

/// Starts the due level of one incident: pages its people per their rules, records skipped
/// levels, and sets when the next level is due.
pub(super) async fn start_level(
    config: &Config,
    c: &mut crate::store::C<'_>,
    (p, w): (&mut Pending, &mut LadderWrites),
    d: &DueLevel,
    overrides: &[OverrideRow],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let Some((service, policy)) = service_and_policy(config, &d.service) else {
        w.position(d.id, d.esc_gen, Standing::Next(Position::START), None);
        return Ok(());
    };
    let at = now.datetime();
    let who = |t: &Target| match t {
        Target::User(u) => Some(u.clone()),
        Target::Schedule(s) => config
            .schedules
            .get(s)
            .and_then(|sch| on_call_at(sch, &as_overrides(overrides, s), at)),
    };
    let from = standing_from_columns(d, policy);
    let step = next_step(policy, from, who);
    let sys = system();
    for s in &step.skipped {
        let msg = format!("Level {} skipped: {}", s.at.level + 1, s.reason);
        p.timeline(d.id, now, TimelineKind::Escalated, &sys, msg);
    }
    let Some(run) = step.run else {
        return run_out((p, w), d, (service, policy), from.pass, now);
    };
    let (urgency, _) = urgency_of(service, d.severity, d.created_at);
    // Step times count from when the level was due, so a late tick does not push the ladder back.
    let base = d.esc_next_at.min(now);
    queue_pages(config, w, d, &run, urgency, base);
    let msg = level_started(config, &run, urgency);
    p.timeline(d.id, now, TimelineKind::Escalated, &sys, msg);
    if run.at.level > 0 || run.at.pass > 0 {
        let n = Notification::Escalated {
            actor: rows::escalated_by(c, d.id, d.esc_next_at).await?,
            level: run.at.level as u32 + 1,
            users: run.users.iter().map(|u| u.as_str().to_owned()).collect(),
        };
        p.outbox(&service.room, Some(d.id), &n, now)?;
    }
    let delay = Duration::minutes(i64::from(run.delay_minutes));
    let (standing, next_at) = match run.next {
        Some(next) => (Standing::Next(next), Some(base + delay)),
        None => (Standing::Exhausted { pass: run.at.pass }, None),
    };
    w.position(d.id, d.esc_gen, standing, next_at);
    info!(
        incident = d.id,
        level = run.at.level + 1,
        "escalation level started"
    );
    Ok(())
}

/// The incident's service and the escalation policy it follows, while both are configured.
fn service_and_policy<'c>(
    config: &'c Config,
    service: &str,
) -> Option<(&'c Service, &'c EscalationPolicy)> {
    let service = config
        .services
        .values()
        .find(|s| s.name.as_str() == service)?;
    let policy = service
        .escalation_policy
        .as_ref()
        .and_then(|p| config.escalation_policies.get(p))?;
    Some((service, policy))
}

/// Where on the ladder the incident stands, from its row.
fn standing_from_columns(d: &DueLevel, policy: &EscalationPolicy) -> Position {
    match Standing::from_columns(d.esc_level, d.esc_loop) {
        Ok(standing) => standing.position(policy),
        Err(why) => {
            // Only a hand-edited row gets here; run the policy out rather than guess a level.
            error!(incident = d.id, %why, "escalation ladder unreadable");
            Standing::Exhausted { pass: 0 }.position(policy)
        }
    }
}

/// Every remaining level was empty: the policy has run out, which the timeline and the room hear.
fn run_out(
    (p, w): (&mut Pending, &mut LadderWrites),
    d: &DueLevel,
    (service, policy): (&Service, &EscalationPolicy),
    pass: u32,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let msg = format!(
        "Escalation policy `{}` ran out after {} pass(es): nobody acknowledged",
        policy.name,
        u32::from(policy.repeat) + 1
    );
    p.timeline(d.id, now, TimelineKind::Escalated, &system(), msg);
    let n = Notification::PolicyExhausted {
        policy: policy.name.clone(),
    };
    p.outbox(&service.room, Some(d.id), &n, now)?;
    w.position(d.id, d.esc_gen, Standing::Exhausted { pass }, None);
    Ok(())
}

/// One page step per person of the level and rule of theirs for this urgency, each due its
/// rule's minutes after `base`.
fn queue_pages(
    config: &Config,
    w: &mut LadderWrites,
    d: &DueLevel,
    run: &LevelRun,
    urgency: Urgency,
    base: Timestamp,
) {
    for user in &run.users {
        let Some(u) = config.user(user.as_str()) else {
            continue;
        };
        for rule in u.rules.for_urgency(urgency) {
            w.page(NewPage {
                incident_id: d.id,
                gen_: d.esc_gen,
                level: run.at.level as i64,
                pass: i64::from(run.at.pass),
                user: user.as_str().to_owned(),
                method: rule.method,
                due_at: base + Duration::minutes(i64::from(rule.after_minutes)),
            });
        }
    }
}

/// "Level 2, pass 2 (high urgency): paging Ada (ada), Bob (bob)".
fn level_started(config: &Config, run: &LevelRun, urgency: Urgency) -> String {
    let names: Vec<String> = run
        .users
        .iter()
        .map(|u| person(config, u.as_str()))
        .collect();
    let pass = if run.at.pass > 0 {
        format!(", pass {}", run.at.pass + 1)
    } else {
        String::new()
    };
    format!(
        "Level {}{pass} ({urgency} urgency): paging {}",
        run.at.level + 1,
        names.join(", ")
    )
}

/// One page step: sent (queued in the outbox), cancelled (acknowledged, resolved or superseded),
/// deferred (low urgency, phone, outside support hours) or skipped (no way to reach them).
pub(super) async fn fire_page(
    config: &Config,
    c: &mut crate::store::C<'_>,
    (p, w): (&mut Pending, &mut LadderWrites),
    d: &DuePage,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if d.status != IncidentStatus::Triggered || d.esc_gen != d.current_gen {
        let why = if d.esc_gen != d.current_gen {
            "cancelled: ladder moved".to_owned()
        } else {
            format!("cancelled: {}", d.status)
        };
        w.fired(d.id, why);
        return Ok(());
    }
    let service = config
        .services
        .values()
        .find(|s| s.name.as_str() == d.service);
    let (Some(service), Some(user)) = (service, config.user(&d.user_id)) else {
        w.fired(d.id, "skipped: no longer configured");
        return Ok(());
    };
    let method = d.method;
    let sys = system();
    tracing::debug!(
        incident = d.incident_id,
        late_ms = (now - d.due_at).num_milliseconds(),
        "page step due"
    );
    let (urgency, support) = urgency_of(service, d.severity, d.created_at);
    if d.deferred == 0
        && let Some(until) = phone_deferral(method, urgency, support, now.datetime())
    {
        rows::defer_page(c, d.id, Timestamp::from(until)).await?;
        let msg = format!(
            "{} to {} put off until support hours begin ({}): low urgency",
            noun(method),
            person(config, &d.user_id),
            local_time(until, support)
        );
        p.timeline(d.incident_id, now, TimelineKind::Deferred, &sys, msg);
        return Ok(());
    }
    if let Some(msg) = unreachable(config, user, &d.user_id, method) {
        p.timeline(d.incident_id, now, TimelineKind::Notified, &sys, msg);
        w.fired(d.id, "skipped: unreachable");
        return Ok(());
    }
    let n = Notification::Paged {
        user: d.user_id.clone(),
        level: d.level as u32 + 1,
        urgency,
        failover_from: None,
        esc_gen: Some(d.esc_gen),
    };
    let to = Addressee::Person {
        user: &d.user_id,
        method,
    };
    p.outbox_to(&service.room, Some(d.incident_id), to, &n, now)?;
    w.fired(d.id, "queued");
    Ok(())
}

/// Why `user` cannot be reached by `method`, as the timeline says it; `None` when they can.
fn unreachable(
    config: &Config,
    user: &User,
    user_id: &str,
    method: ContactMethod,
) -> Option<String> {
    let reachable = match method {
        ContactMethod::Chat => true,
        ContactMethod::Sms | ContactMethod::Voice => user.phone.is_some(),
        ContactMethod::Email => user.email.is_some(),
    };
    (!reachable).then(|| {
        format!(
            "Could not reach {} {}: no {} configured",
            person(config, user_id),
            by_method(method),
            if method == ContactMethod::Email {
                "email address"
            } else {
                "phone number"
            }
        )
    })
}

fn local_time(t: DateTime<Utc>, support: Option<&SupportHours>) -> String {
    match support {
        Some(s) => t
            .with_timezone(&s.time_zone)
            .format(&format!("%a %d %b %H:%M {}", s.time_zone.name()))
            .to_string(),
        None => t.format("%a %d %b %H:%M UTC").to_string(),
    }
}
