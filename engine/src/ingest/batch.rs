//! One batch of events, decided: the store finds the open incidents for the batch's keys, the
//! planner ([`crate::domain::ingest_plan`]) decides without I/O what each event does, the store
//! writes the incidents, and each event's rows (alert log, timeline, the post it causes) are
//! recorded — all inside the batch's transaction.

use std::collections::HashMap;

use super::record::{Effect, record, record_suppressed};
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::clock::Timestamp;
use crate::domain::ingest_plan::{self as plan, Event, Open, Plan, Step, Target};
use crate::domain::kinds::{EventAction, IncidentStatus};
use crate::store::C;
use crate::store::batch::{self, Item};
use crate::store::pending::Pending;
use crate::store::{escalation, maintenance};

/// Applies `items` in `tx`: find → plan → write → record; one outcome per item, in order.
pub(super) async fn apply(
    c: &mut C<'_>,
    p: &mut Pending,
    items: &[Item<'_>],
    now: Timestamp,
) -> Result<Vec<Ingested>, sqlx::Error> {
    let found = batch::find(c, items).await?;
    let plan = plan_batch(items, &found.open());
    let new_ids = batch::write(c, items, &plan, &found, now).await?;
    let id_of = |t: Target| match t {
        Target::Existing(id) => id,
        Target::New(n) => new_ids.get(n).copied().unwrap_or_default(),
    };
    record_plan(p, items, &plan, id_of, now)
}

/// Applies one event in the caller's transaction exactly as the ingest writers apply a batch of
/// one: a trigger under an active maintenance window is recorded as suppressed; anything else goes
/// through the batch code (dedup, alert log, timeline, chat post, escalation start); a resolve
/// tells those reached by SMS.
pub(crate) async fn apply_one(
    c: &mut C<'_>,
    p: &mut Pending,
    alert: &NewAlert,
    room: &str,
    now: Timestamp,
) -> Result<Ingested, sqlx::Error> {
    let key = alert.dedup_key_or_generate();
    if alert.kind.action() == EventAction::Trigger {
        for w in maintenance::active(c, now).await? {
            if w.matcher.matches(alert) {
                maintenance::count_suppressed(c, w.id, 1).await?;
                return Ok(record_suppressed(p, alert, key, w.id, &w.matcher, now));
            }
        }
    }
    let items = [Item { alert, key, room }];
    let outcome = apply(c, p, &items, now)
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)?;
    if let Ingested::Resolved { number, .. } = &outcome {
        let changes = [(number.get(), room, IncidentStatus::Resolved, &alert.actor)];
        escalation::notify_paged(c, p, &changes, now).await?;
    }
    Ok(outcome)
}

/// Plans the batch against the open incidents found for its keys.
fn plan_batch(items: &[Item<'_>], open: &HashMap<(&str, &str), Open>) -> Plan {
    let events: Vec<Event<'_>> = items
        .iter()
        .map(|i| Event {
            service: i.alert.service.as_str(),
            key: i.key.as_str(),
            action: i.alert.kind.action(),
            actor: &i.alert.actor,
        })
        .collect();
    plan::plan(&events, open)
}

/// Turns the plan's steps into outcomes, recording each event's rows in `p`; `id_of` names the
/// incident a target ended up as.
fn record_plan(
    p: &mut Pending,
    items: &[Item<'_>],
    plan: &Plan,
    id_of: impl Fn(Target) -> i64,
    now: Timestamp,
) -> Result<Vec<Ingested>, sqlx::Error> {
    let mut out = Vec::with_capacity(items.len());
    for (item, step) in items.iter().zip(&plan.steps) {
        let effect = match *step {
            Step::Created(t) => Effect::Created(id_of(t)),
            Step::Deduplicated(t, status) => Effect::Deduplicated(id_of(t), status),
            Step::Acknowledged(t) => Effect::Acknowledged(id_of(t)),
            Step::Resolved(t) => Effect::Resolved(id_of(t)),
            Step::Dropped(t) => Effect::Dropped(t.map(&id_of)),
        };
        out.push(record(
            p,
            item.alert,
            item.key.clone(),
            effect,
            item.room,
            now,
        )?);
    }
    Ok(out)
}
