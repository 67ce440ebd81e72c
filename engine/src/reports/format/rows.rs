//! Every figure of a report, flattened into [`Row`]s: what the CSV writes one per line.

use std::collections::BTreeSet;

use super::{Row, Unit};
use crate::domain::kinds::{ContactMethod, Severity};
use crate::reports::hours::HourClass;
use crate::reports::{Durations, Report, Summary};

fn n(v: u64) -> Option<f64> {
    Some(v as f64)
}

fn minutes(secs: Option<f64>) -> Option<f64> {
    secs.map(|s| s / 60.0)
}

/// Every figure of the report, in report order. Keys present in only one period get the other
/// period's zero (counts) or nothing (durations, top lists).
pub(crate) fn rows(r: &Report) -> Vec<Row> {
    let (cur, prev) = (&r.current, &r.previous);
    let mut out = Vec::new();
    let mut push = |section: &'static str,
                    figure: &str,
                    key: &str,
                    c: Option<f64>,
                    p: Option<f64>,
                    unit: Unit| {
        out.push(Row {
            section,
            figure: figure.to_owned(),
            key: key.to_owned(),
            current: c,
            previous: p,
            unit,
        })
    };
    use Unit::*;
    push(
        "incidents",
        "opened",
        "",
        n(cur.incidents.total),
        n(prev.incidents.total),
        Count,
    );
    for service in union(&cur.incidents.by_service, &prev.incidents.by_service) {
        let get = |s: &Summary| n(s.incidents.by_service.get(&service).copied().unwrap_or(0));
        push(
            "incidents",
            "opened_by_service",
            &service,
            get(cur),
            get(prev),
            Count,
        );
    }
    for sev in Severity::ALL {
        let get = |s: &Summary| n(s.incidents.by_severity.get(*sev));
        push(
            "incidents",
            "opened_by_severity",
            sev.as_str(),
            get(cur),
            get(prev),
            Count,
        );
    }
    push(
        "incidents",
        "opened_by_urgency",
        "high",
        n(cur.incidents.by_urgency.high),
        n(prev.incidents.by_urgency.high),
        Count,
    );
    push(
        "incidents",
        "opened_by_urgency",
        "low",
        n(cur.incidents.by_urgency.low),
        n(prev.incidents.by_urgency.low),
        Count,
    );
    push(
        "alerts",
        "received",
        "",
        n(cur.alerts.received),
        n(prev.alerts.received),
        Count,
    );
    push(
        "alerts",
        "deduplicated",
        "",
        n(cur.alerts.deduplicated),
        n(prev.alerts.deduplicated),
        Count,
    );
    push(
        "alerts",
        "suppressed",
        "",
        n(cur.alerts.suppressed),
        n(prev.alerts.suppressed),
        Count,
    );
    for (section, c, p) in [
        ("mtta", &cur.mtta, &prev.mtta),
        ("mttr", &cur.mttr, &prev.mttr),
    ] {
        let counted = if section == "mtta" {
            "acknowledged"
        } else {
            "resolved"
        };
        push(section, counted, "", n(c.count), n(p.count), Count);
        for (figure, get) in DURATION_FIGURES {
            push(
                section,
                figure,
                "",
                minutes(get(c)),
                minutes(get(p)),
                Minutes,
            );
        }
    }
    let esc = [
        (
            "escalated",
            cur.escalations.escalated,
            prev.escalations.escalated,
        ),
        (
            "by_timeout",
            cur.escalations.by_timeout,
            prev.escalations.by_timeout,
        ),
        ("by_hand", cur.escalations.by_hand, prev.escalations.by_hand),
    ];
    for (figure, c, p) in esc {
        push("escalations", figure, "", n(c), n(p), Count);
    }
    for method in ContactMethod::ALL {
        let get = |s: &Summary| {
            s.notifications
                .iter()
                .find(|x| x.method == *method)
                .copied()
        };
        let (c, p) = (get(cur), get(prev));
        push(
            "notifications",
            "sent",
            method.as_str(),
            n(c.map_or(0, |x| x.sent)),
            n(p.map_or(0, |x| x.sent)),
            Count,
        );
        push(
            "notifications",
            "delivered",
            method.as_str(),
            n(c.map_or(0, |x| x.delivered)),
            n(p.map_or(0, |x| x.delivered)),
            Count,
        );
        push(
            "notifications",
            "failed",
            method.as_str(),
            n(c.map_or(0, |x| x.failed)),
            n(p.map_or(0, |x| x.failed)),
            Count,
        );
    }
    for class in HourClass::ALL {
        let total = |s: &Summary| n(s.interruptions.iter().map(|i| i.get(class)).sum());
        push(
            "interruptions",
            class.as_str(),
            "",
            total(cur),
            total(prev),
            Count,
        );
    }
    let people: BTreeSet<&String> = cur
        .interruptions
        .iter()
        .chain(&prev.interruptions)
        .map(|i| &i.user)
        .collect();
    for user in people {
        let get = |s: &Summary, class: HourClass| {
            n(s.interruptions
                .iter()
                .find(|i| &i.user == user)
                .map_or(0, |i| i.get(class)))
        };
        for class in HourClass::ALL {
            push(
                "interruptions",
                class.as_str(),
                user,
                get(cur, class),
                get(prev, class),
                Count,
            );
        }
    }
    let on_call: BTreeSet<&String> = cur
        .on_call
        .iter()
        .chain(&prev.on_call)
        .map(|o| &o.user)
        .collect();
    for user in on_call {
        let get = |s: &Summary| {
            Some(
                s.on_call
                    .iter()
                    .find(|o| &o.user == user)
                    .map_or(0.0, |o| o.hours),
            )
        };
        push("on_call", "hours", user, get(cur), get(prev), Hours);
    }
    for k in &cur.noisiest {
        let before = prev
            .noisiest
            .iter()
            .find(|p| p.service == k.service && p.dedup_key == k.dedup_key)
            .map(|p| p.alerts as f64);
        push(
            "noisiest",
            "alerts",
            &format!("{}/{}", k.service, k.dedup_key),
            n(k.alerts),
            before,
            Count,
        );
    }
    push(
        "noise",
        "acknowledged_then_auto_resolved",
        "",
        n(cur.acknowledged_then_auto_resolved),
        n(prev.acknowledged_then_auto_resolved),
        Count,
    );
    for t in &cur.teams {
        let p = prev.teams.iter().find(|p| p.team == t.team);
        push(
            "teams",
            "incidents",
            &t.team,
            n(t.incidents),
            p.map(|p| p.incidents as f64),
            Count,
        );
        push(
            "teams",
            "per_week",
            &t.team,
            Some(t.per_week),
            p.map(|p| p.per_week),
            PerWeek,
        );
        let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
        push(
            "teams",
            "over_review_line",
            &t.team,
            flag(t.over_review_line),
            p.and_then(|p| flag(p.over_review_line)),
            Flag,
        );
    }
    // Day i of the period against day i of the previous one, when both have as many days.
    let aligned = cur.days.len() == prev.days.len();
    for (i, d) in cur.days.iter().enumerate() {
        let p = prev.days.get(i).filter(|_| aligned);
        let date = d.date.to_string();
        let services: BTreeSet<&String> = d
            .opened
            .keys()
            .chain(p.iter().flat_map(|p| p.opened.keys()))
            .collect();
        for service in services {
            let c = n(u64::from(d.opened.get(service).copied().unwrap_or(0)));
            let before = p.map(|p| f64::from(p.opened.get(service).copied().unwrap_or(0)));
            push(
                "days",
                "opened",
                &format!("{date}/{service}"),
                c,
                before,
                Count,
            );
        }
        push(
            "days",
            "mtta_mean_minutes",
            &date,
            d.mtta_minutes,
            p.and_then(|p| p.mtta_minutes),
            Minutes,
        );
        push(
            "days",
            "mttr_mean_minutes",
            &date,
            d.mttr_minutes,
            p.and_then(|p| p.mttr_minutes),
            Minutes,
        );
    }
    out
}

/// The duration figures and how to read each from [`Durations`].
/// A duration figure's name and how to read it.
type DurationFigure = (&'static str, fn(&Durations) -> Option<f64>);

const DURATION_FIGURES: [DurationFigure; 3] = [
    ("mean_minutes", |d| d.mean_seconds),
    ("median_minutes", |d| d.median_seconds),
    ("p90_minutes", |d| d.p90_seconds),
];

fn union<V>(
    a: &std::collections::BTreeMap<String, V>,
    b: &std::collections::BTreeMap<String, V>,
) -> Vec<String> {
    a.keys()
        .chain(b.keys())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
