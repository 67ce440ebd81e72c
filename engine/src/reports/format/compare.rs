//! The one walk of a report's figures: each figure of the period beside the same figure of the
//! period before, with keys present in only one of them filled in (a count's zero, or nothing).
//! The CSV rows and the Markdown tables are both rendered from this; neither looks anything up.

use std::collections::BTreeSet;

use crate::domain::kinds::{ContactMethod, Severity};
use crate::reports::hours::HourClass;
use crate::reports::{
    Alerts, Day, Durations, Escalations, Interruptions, NoisyKey, Notifications, Report, Summary,
    TeamLoad,
};

/// One figure in the period (`cur`) and in the period before (`prev`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pair<T> {
    pub cur: T,
    pub prev: T,
}

impl<T> Pair<T> {
    fn of<'a>(r: &'a Report, f: impl Fn(&'a Summary) -> T) -> Pair<T> {
        Pair {
            cur: f(&r.current),
            prev: f(&r.previous),
        }
    }

    pub fn map<U>(self, f: impl Fn(T) -> U) -> Pair<U> {
        Pair {
            cur: f(self.cur),
            prev: f(self.prev),
        }
    }
}

/// A duration figure's name (`mean`, `median`, `p90`) and how to read it from [`Durations`].
pub(super) type DurationFigure = (&'static str, fn(&Durations) -> Option<f64>);

pub(super) const DURATION_FIGURES: [DurationFigure; 3] = [
    ("mean", |d| d.mean_seconds),
    ("median", |d| d.median_seconds),
    ("p90", |d| d.p90_seconds),
];

/// Every figure of a report, paired.
pub(super) struct Compared<'a> {
    pub opened: Pair<u64>,
    /// Every service either period opened incidents on, by name.
    pub by_service: Vec<(&'a str, Pair<u64>)>,
    pub by_severity: Vec<(Severity, Pair<u64>)>,
    pub high_urgency: Pair<u64>,
    pub low_urgency: Pair<u64>,
    pub alerts: Pair<Alerts>,
    pub mtta: Pair<&'a Durations>,
    pub mttr: Pair<&'a Durations>,
    pub escalations: Pair<Escalations>,
    /// Every contact method, in [`ContactMethod::ALL`] order.
    pub notifications: Vec<(ContactMethod, Pair<Option<Notifications>>)>,
    /// Everyone paged in either period, by name.
    pub interruptions: Vec<(&'a str, Pair<Option<&'a Interruptions>>)>,
    /// Everyone on call in either period, by name (0 hours where they were not).
    pub on_call: Vec<(&'a str, Pair<f64>)>,
    /// The period's noisiest keys, each with the same key's figures before, if it was there.
    pub noisiest: Vec<(&'a NoisyKey, Option<&'a NoisyKey>)>,
    pub acknowledged_then_auto_resolved: Pair<u64>,
    /// The period's teams, each with the same team before, if it was there.
    pub teams: Vec<(&'a TeamLoad, Option<&'a TeamLoad>)>,
    /// Day i of the period beside day i of the one before, when both have as many days.
    pub days: Vec<(&'a Day, Option<&'a Day>)>,
}

pub(super) fn compare(r: &Report) -> Compared<'_> {
    let (cur, prev) = (&r.current, &r.previous);
    let aligned = cur.days.len() == prev.days.len();
    Compared {
        opened: Pair::of(r, |s| s.incidents.total),
        by_service: by_name(
            r,
            |s| s.incidents.by_service.keys(),
            |s, name| s.incidents.by_service.get(name).copied().unwrap_or(0),
        ),
        by_severity: Severity::ALL
            .iter()
            .map(|sev| (*sev, Pair::of(r, |s| s.incidents.by_severity.get(*sev))))
            .collect(),
        high_urgency: Pair::of(r, |s| s.incidents.by_urgency.high),
        low_urgency: Pair::of(r, |s| s.incidents.by_urgency.low),
        alerts: Pair::of(r, |s| s.alerts),
        mtta: Pair::of(r, |s| &s.mtta),
        mttr: Pair::of(r, |s| &s.mttr),
        escalations: Pair::of(r, |s| s.escalations),
        notifications: ContactMethod::ALL
            .iter()
            .map(|m| {
                let find = |s: &Summary| s.notifications.iter().find(|n| n.method == *m).copied();
                (*m, Pair::of(r, find))
            })
            .collect(),
        interruptions: by_name(
            r,
            |s| s.interruptions.iter().map(|i| &i.user),
            |s, user| s.interruptions.iter().find(|i| i.user == user),
        ),
        on_call: by_name(
            r,
            |s| s.on_call.iter().map(|o| &o.user),
            |s, user| {
                s.on_call
                    .iter()
                    .find(|o| o.user == user)
                    .map_or(0.0, |o| o.hours)
            },
        ),
        noisiest: beside(&cur.noisiest, &prev.noisiest, |k, p| {
            p.service == k.service && p.dedup_key == k.dedup_key
        }),
        acknowledged_then_auto_resolved: Pair::of(r, |s| s.acknowledged_then_auto_resolved),
        teams: beside(&cur.teams, &prev.teams, |t, p| p.team == t.team),
        days: cur
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| (d, prev.days.get(i).filter(|_| aligned)))
            .collect(),
    }
}

/// Every name either period has (`keys` lists a period's), in order, each with its `figure` in
/// both periods.
fn by_name<'a, I, T>(
    r: &'a Report,
    keys: impl Fn(&'a Summary) -> I,
    figure: impl Fn(&'a Summary, &'a str) -> T,
) -> Vec<(&'a str, Pair<T>)>
where
    I: Iterator<Item = &'a String>,
{
    names(keys(&r.current), keys(&r.previous))
        .into_iter()
        .map(|name| (name, Pair::of(r, |s| figure(s, name))))
        .collect()
}

/// Each item of the period beside the `same` one of the period before, if it was there.
fn beside<'a, T>(
    cur: &'a [T],
    prev: &'a [T],
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(&'a T, Option<&'a T>)> {
    cur.iter()
        .map(|c| (c, prev.iter().find(|p| same(c, p))))
        .collect()
}

impl Compared<'_> {
    /// Pages by `class` in each period, everyone together.
    pub fn interrupted(&self, class: HourClass) -> Pair<u64> {
        let pages = |i: Option<&Interruptions>| i.map_or(0, |i| i.get(class));
        self.interruptions
            .iter()
            .fold(Pair { cur: 0, prev: 0 }, |sum, (_, p)| Pair {
                cur: sum.cur + pages(p.cur),
                prev: sum.prev + pages(p.prev),
            })
    }
}

/// The names in either list, sorted, once each.
fn names<'a>(
    a: impl Iterator<Item = &'a String>,
    b: impl Iterator<Item = &'a String>,
) -> Vec<&'a str> {
    a.chain(b)
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
