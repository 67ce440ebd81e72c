//! Every figure of a report, flattened into [`Row`]s: what the CSV writes one per line. Rendered
//! from the paired figures ([`Compared`]), section by section, in report order.

use std::collections::BTreeSet;

use super::compare::{Compared, DURATION_FIGURES, Pair, compare};
use super::{Row, Unit};
use crate::reports::Report;
use crate::reports::hours::HourClass;

/// The rows being written.
#[derive(Default)]
struct Rows(Vec<Row>);

impl Rows {
    fn push(
        &mut self,
        section: &'static str,
        figure: &str,
        key: &str,
        v: Pair<Option<f64>>,
        unit: Unit,
    ) {
        self.0.push(Row {
            section,
            figure: figure.to_owned(),
            key: key.to_owned(),
            current: v.cur,
            previous: v.prev,
            unit,
        });
    }

    fn count(&mut self, section: &'static str, figure: &str, key: &str, v: Pair<u64>) {
        self.push(section, figure, key, v.map(n), Unit::Count);
    }
}

fn n(v: u64) -> Option<f64> {
    Some(v as f64)
}

/// Every figure of the report, in report order. Keys present in only one period get the other
/// period's zero (counts) or nothing (durations, top lists).
pub(crate) fn rows(r: &Report) -> Vec<Row> {
    let c = compare(r);
    let mut out = Rows::default();
    incidents(&mut out, &c);
    response(&mut out, &c);
    people(&mut out, &c);
    noise_and_teams(&mut out, &c);
    days(&mut out, &c);
    out.0
}

fn incidents(out: &mut Rows, c: &Compared<'_>) {
    out.count("incidents", "opened", "", c.opened);
    for (service, v) in &c.by_service {
        out.count("incidents", "opened_by_service", service, *v);
    }
    for (sev, v) in &c.by_severity {
        out.count("incidents", "opened_by_severity", sev.as_str(), *v);
    }
    out.count("incidents", "opened_by_urgency", "high", c.high_urgency);
    out.count("incidents", "opened_by_urgency", "low", c.low_urgency);
    out.count("alerts", "received", "", c.alerts.map(|a| a.received));
    out.count(
        "alerts",
        "deduplicated",
        "",
        c.alerts.map(|a| a.deduplicated),
    );
    out.count("alerts", "suppressed", "", c.alerts.map(|a| a.suppressed));
}

fn response(out: &mut Rows, c: &Compared<'_>) {
    for (section, counted, d) in [
        ("mtta", "acknowledged", c.mtta),
        ("mttr", "resolved", c.mttr),
    ] {
        out.count(section, counted, "", d.map(|d| d.count));
        for (figure, get) in DURATION_FIGURES {
            let minutes = d.map(|d| get(d).map(|s| s / 60.0));
            let figure = format!("{figure}_minutes");
            out.push(section, &figure, "", minutes, Unit::Minutes);
        }
    }
    let e = c.escalations;
    out.count("escalations", "escalated", "", e.map(|e| e.escalated));
    out.count("escalations", "by_timeout", "", e.map(|e| e.by_timeout));
    out.count("escalations", "by_hand", "", e.map(|e| e.by_hand));
}

fn people(out: &mut Rows, c: &Compared<'_>) {
    for (method, v) in &c.notifications {
        let m = method.as_str();
        out.count(
            "notifications",
            "sent",
            m,
            v.map(|x| x.map_or(0, |x| x.sent)),
        );
        let delivered = v.map(|x| x.map_or(0, |x| x.delivered));
        out.count("notifications", "delivered", m, delivered);
        out.count(
            "notifications",
            "failed",
            m,
            v.map(|x| x.map_or(0, |x| x.failed)),
        );
    }
    for class in HourClass::ALL {
        out.count("interruptions", class.as_str(), "", c.interrupted(class));
    }
    for (user, v) in &c.interruptions {
        for class in HourClass::ALL {
            let pages = v.map(|i| i.map_or(0, |i| i.get(class)));
            out.count("interruptions", class.as_str(), user, pages);
        }
    }
    for (user, hours) in &c.on_call {
        out.push("on_call", "hours", user, hours.map(Some), Unit::Hours);
    }
}

fn noise_and_teams(out: &mut Rows, c: &Compared<'_>) {
    for (k, before) in &c.noisiest {
        let v = Pair {
            cur: n(k.alerts),
            prev: before.map(|p| p.alerts as f64),
        };
        let key = format!("{}/{}", k.service, k.dedup_key);
        out.push("noisiest", "alerts", &key, v, Unit::Count);
    }
    let auto = c.acknowledged_then_auto_resolved;
    out.count("noise", "acknowledged_then_auto_resolved", "", auto);
    let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
    for (t, p) in &c.teams {
        let pair = |cur: Option<f64>, prev: Option<f64>| Pair { cur, prev };
        let incidents = pair(n(t.incidents), p.map(|p| p.incidents as f64));
        out.push("teams", "incidents", &t.team, incidents, Unit::Count);
        let per_week = pair(Some(t.per_week), p.map(|p| p.per_week));
        out.push("teams", "per_week", &t.team, per_week, Unit::PerWeek);
        let over = pair(
            flag(t.over_review_line),
            p.and_then(|p| flag(p.over_review_line)),
        );
        out.push("teams", "over_review_line", &t.team, over, Unit::Flag);
    }
}

fn days(out: &mut Rows, c: &Compared<'_>) {
    for (d, p) in &c.days {
        let date = d.date.to_string();
        let services: BTreeSet<&String> = d
            .opened
            .keys()
            .chain(p.iter().flat_map(|p| p.opened.keys()))
            .collect();
        for service in services {
            let v = Pair {
                cur: n(u64::from(d.opened.get(service).copied().unwrap_or(0))),
                prev: p.map(|p| f64::from(p.opened.get(service).copied().unwrap_or(0))),
            };
            out.push(
                "days",
                "opened",
                &format!("{date}/{service}"),
                v,
                Unit::Count,
            );
        }
        let mtta = Pair {
            cur: d.mtta_minutes,
            prev: p.and_then(|p| p.mtta_minutes),
        };
        out.push("days", "mtta_mean_minutes", &date, mtta, Unit::Minutes);
        let mttr = Pair {
            cur: d.mttr_minutes,
            prev: p.and_then(|p| p.mttr_minutes),
        };
        out.push("days", "mttr_mean_minutes", &date, mttr, Unit::Minutes);
    }
}
