//! What a batch of events does, decided without I/O: given the open incidents for the batch's keys,
//! walk the events in order and say for each whether it opens an incident, adds an alert,
//! acknowledges, resolves, or is dropped — exactly PagerDuty's rules, table-tested below. The
//! SQLite writer loads the inputs with one query and writes the outputs with a few bulk
//! statements (see `sqlite_batch`).

use std::collections::{BTreeMap, HashMap};

use crate::domain::kinds::{Actor, EventAction, IncidentStatus};

/// An open incident as the planner needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Open {
    pub id: i64,
    pub status: IncidentStatus,
}

/// The incident an event concerns: one that exists, or the n-th opened by this batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Target {
    Existing(i64),
    New(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Created(Target),
    /// One more alert; the status the incident had then.
    Deduplicated(Target, IncidentStatus),
    Acknowledged(Target),
    Resolved(Target),
    /// Changed nothing: an acknowledge of an acknowledged incident (`Some`), or an
    /// acknowledge/resolve with no open incident for the key (`None`).
    Dropped(Option<Target>),
}

/// The final state of an incident the batch changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub status: IncidentStatus,
    /// Alerts added by this batch (a new incident counts its first).
    pub added_alerts: i64,
    pub acknowledged_by: Option<Actor>,
    pub resolved_by: Option<Actor>,
}

/// One event as the planner sees it.
pub(crate) struct Event<'a> {
    pub service: &'a str,
    pub key: &'a str,
    pub action: EventAction,
    pub actor: &'a Actor,
}

#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// One per event, in order.
    pub steps: Vec<Step>,
    /// Index of the event that opened each new incident.
    pub new: Vec<usize>,
    /// Final state of every incident touched, existing or new.
    pub changes: BTreeMap<Target, Change>,
}

pub(crate) fn plan(events: &[Event<'_>], open: &HashMap<(&str, &str), Open>) -> Plan {
    let mut p = Plan::default();
    // The open incident per key as the batch goes along: resolving closes it, a trigger after
    // that opens a new one.
    let mut current: HashMap<(&str, &str), (Target, IncidentStatus)> = open
        .iter()
        .map(|(k, o)| (*k, (Target::Existing(o.id), o.status)))
        .collect();
    for (i, e) in events.iter().enumerate() {
        let k = (e.service, e.key);
        let step = match (e.action, current.get(&k).copied()) {
            (EventAction::Trigger, Some((t, status))) => {
                p.change(t, status).added_alerts += 1;
                Step::Deduplicated(t, status)
            }
            (EventAction::Trigger, None) => {
                let t = Target::New(p.new.len());
                p.new.push(i);
                p.change(t, IncidentStatus::Triggered).added_alerts += 1;
                current.insert(k, (t, IncidentStatus::Triggered));
                Step::Created(t)
            }
            (EventAction::Acknowledge, Some((t, IncidentStatus::Triggered))) => {
                let c = p.change(t, IncidentStatus::Triggered);
                c.status = IncidentStatus::Acknowledged;
                c.acknowledged_by = Some(e.actor.clone());
                current.insert(k, (t, IncidentStatus::Acknowledged));
                Step::Acknowledged(t)
            }
            (EventAction::Acknowledge, Some((t, _))) => Step::Dropped(Some(t)),
            (EventAction::Resolve, Some((t, status))) => {
                let c = p.change(t, status);
                c.status = IncidentStatus::Resolved;
                c.resolved_by = Some(e.actor.clone());
                current.remove(&k);
                Step::Resolved(t)
            }
            (_, None) => Step::Dropped(None),
        };
        p.steps.push(step);
    }
    p
}

impl Plan {
    fn change(&mut self, t: Target, status: IncidentStatus) -> &mut Change {
        self.changes.entry(t).or_insert(Change {
            status,
            added_alerts: 0,
            acknowledged_by: None,
            resolved_by: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::Channel;
    use EventAction::{Acknowledge as A, Resolve as R, Trigger as T};
    use IncidentStatus as S;
    use Step::*;
    use Target::{Existing, New};

    fn run(
        events: &[(&'static str, EventAction)],
        open: &[(&'static str, i64, IncidentStatus)],
    ) -> Plan {
        let actor = Box::leak(Box::new(Actor::new("am", Channel::Events)));
        let evs: Vec<Event<'_>> = events
            .iter()
            .map(|(k, a)| Event {
                service: "web",
                key: k,
                action: *a,
                actor,
            })
            .collect();
        let open = open
            .iter()
            .map(|(k, id, s)| {
                (
                    ("web", *k),
                    Open {
                        id: *id,
                        status: *s,
                    },
                )
            })
            .collect();
        plan(&evs, &open)
    }

    #[test]
    fn each_rule_of_pagerduty_dedup_in_a_table() {
        type Case = (
            &'static [(&'static str, EventAction)],
            &'static [(&'static str, i64, IncidentStatus)],
            &'static [Step],
        );
        let cases: &[Case] = &[
            // A new key opens an incident; repeats add alerts to it.
            (
                &[("k", T), ("k", T)],
                &[],
                &[Created(New(0)), Deduplicated(New(0), S::Triggered)],
            ),
            // An open incident is deduplicated, keeping its status.
            (
                &[("k", T)],
                &[("k", 7, S::Acknowledged)],
                &[Deduplicated(Existing(7), S::Acknowledged)],
            ),
            // Acknowledge once; the second is dropped against the incident.
            (
                &[("k", A), ("k", A)],
                &[("k", 7, S::Triggered)],
                &[Acknowledged(Existing(7)), Dropped(Some(Existing(7)))],
            ),
            // Acknowledge/resolve of an unknown key are dropped.
            (&[("x", A), ("x", R)], &[], &[Dropped(None), Dropped(None)]),
            // After resolve the same key opens a new incident.
            (
                &[("k", R), ("k", T), ("k", R), ("k", R)],
                &[("k", 7, S::Acknowledged)],
                &[
                    Resolved(Existing(7)),
                    Created(New(0)),
                    Resolved(New(0)),
                    Dropped(None),
                ],
            ),
            // Keys are independent.
            (
                &[("a", T), ("b", T), ("a", T)],
                &[],
                &[
                    Created(New(0)),
                    Created(New(1)),
                    Deduplicated(New(0), S::Triggered),
                ],
            ),
            // A trigger while acknowledged does not re-trigger.
            (
                &[("k", A), ("k", T)],
                &[("k", 7, S::Triggered)],
                &[
                    Acknowledged(Existing(7)),
                    Deduplicated(Existing(7), S::Acknowledged),
                ],
            ),
        ];
        for (events, open, want) in cases {
            assert_eq!(
                run(events, open).steps,
                *want,
                "events {events:?} with open {open:?}"
            );
        }
    }

    #[test]
    fn final_state_sums_alerts_and_records_who_acted() {
        let p = run(
            &[("k", T), ("k", A), ("k", T), ("j", T), ("j", R)],
            &[("k", 3, S::Triggered)],
        );
        let k = &p.changes[&Existing(3)];
        assert_eq!((k.status, k.added_alerts), (S::Acknowledged, 2));
        assert_eq!(k.acknowledged_by.as_ref().unwrap().name, "am");
        let j = &p.changes[&New(0)];
        assert_eq!((j.status, j.added_alerts), (S::Resolved, 1));
        assert!(j.resolved_by.is_some() && j.acknowledged_by.is_none());
        assert_eq!(
            p.new,
            vec![3],
            "the 4th event opened the batch's only new incident"
        );
    }

    #[test]
    fn events_that_change_nothing_touch_no_incident() {
        let p = run(&[("k", A), ("x", R)], &[("k", 3, S::Acknowledged)]);
        assert!(p.changes.is_empty());
    }
}
