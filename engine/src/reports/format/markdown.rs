//! The full report as Markdown (GitHub-flavoured tables): each section a table of the period,
//! the previous period and the change. Names and keys from the config or from monitors are
//! escaped, so they can neither break a table nor format text.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Unit, change, human, show};
use crate::domain::kinds::{ContactMethod, Severity};
use crate::reports::hours::HourClass;
use crate::reports::{Durations, Period, REVIEW_LINE_PER_WEEK, Report, Summary};

/// A figure's label with its current and previous values and unit.
type FigureLine = (String, (Option<f64>, Option<f64>, Unit));

pub(super) fn render(r: &Report) -> String {
    let (cur, prev) = (&r.current, &r.previous);
    let mut md = String::new();
    let _ = writeln!(md, "# Incident report: {}\n", span(&cur.period));
    let scope = match (&r.service, &r.team) {
        (Some(s), _) => format!("service {}", cell(s)),
        (None, Some(t)) => format!("team {}", cell(t)),
        (None, None) => "all services".to_owned(),
    };
    let _ = writeln!(
        md,
        "Scope: {scope}. Compared with the previous period of the same length, {}.\n",
        span(&prev.period)
    );

    md.push_str("## Incidents\n\n");
    let count = |c: u64, p: u64| (Some(c as f64), Some(p as f64), Unit::Count);
    let mut lines = vec![(
        "Opened".to_owned(),
        count(cur.incidents.total, prev.incidents.total),
    )];
    for sev in Severity::ALL {
        let name = format!("{}{}", sev.as_str()[..1].to_uppercase(), &sev.as_str()[1..]);
        lines.push((
            name,
            count(
                cur.incidents.by_severity.get(*sev),
                prev.incidents.by_severity.get(*sev),
            ),
        ));
    }
    let (cu, pu) = (cur.incidents.by_urgency, prev.incidents.by_urgency);
    lines.push(("High urgency".to_owned(), count(cu.high, pu.high)));
    lines.push(("Low urgency".to_owned(), count(cu.low, pu.low)));
    compare_table(&mut md, "", &lines);
    let services: BTreeSet<&String> = cur
        .incidents
        .by_service
        .keys()
        .chain(prev.incidents.by_service.keys())
        .collect();
    if !services.is_empty() {
        md.push_str("By service:\n\n");
        let lines: Vec<_> = services
            .into_iter()
            .map(|s| {
                let get = |x: &Summary| x.incidents.by_service.get(s).copied().unwrap_or(0);
                (cell(s), count(get(cur), get(prev)))
            })
            .collect();
        compare_table(&mut md, "Service", &lines);
    }

    md.push_str("## Alerts\n\n");
    let (ca, pa) = (cur.alerts, prev.alerts);
    compare_table(
        &mut md,
        "",
        &[
            (
                "Received (triggers)".to_owned(),
                count(ca.received, pa.received),
            ),
            (
                "Deduplicated into an open incident".to_owned(),
                count(ca.deduplicated, pa.deduplicated),
            ),
            (
                "Suppressed by maintenance".to_owned(),
                count(ca.suppressed, pa.suppressed),
            ),
        ],
    );

    md.push_str("## Response times\n\n");
    let mut lines = Vec::new();
    for (name, c, p) in [
        ("MTTA", &cur.mtta, &prev.mtta),
        ("MTTR", &cur.mttr, &prev.mttr),
    ] {
        let mins = |d: &Durations, f: fn(&Durations) -> Option<f64>| f(d).map(|s| s / 60.0);
        for (what, f) in [
            (
                "mean",
                (|d: &Durations| d.mean_seconds) as fn(&Durations) -> Option<f64>,
            ),
            ("median", |d| d.median_seconds),
            ("p90", |d| d.p90_seconds),
        ] {
            lines.push((
                format!("{name} {what}"),
                (mins(c, f), mins(p, f), Unit::Minutes),
            ));
        }
    }
    compare_table(&mut md, "", &lines);
    let _ = writeln!(
        md,
        "MTTA is over the {} incidents opened in the period and acknowledged ({} before), from \
         opening to the first acknowledgement; MTTR over the {} resolved ({} before).\n",
        cur.mtta.count, prev.mtta.count, cur.mttr.count, prev.mttr.count
    );

    md.push_str("## Escalations\n\n");
    let (ce, pe) = (cur.escalations, prev.escalations);
    compare_table(
        &mut md,
        "",
        &[
            (
                "Escalated past the first level".to_owned(),
                count(ce.escalated, pe.escalated),
            ),
            ("by timeout".to_owned(), count(ce.by_timeout, pe.by_timeout)),
            (
                "by hand (`!escalate`)".to_owned(),
                count(ce.by_hand, pe.by_hand),
            ),
        ],
    );

    md.push_str("## Notifications to people\n\n");
    md.push_str("| Channel | Sent | Delivered | Failed | Sent before | Change |\n|---|---:|---:|---:|---:|---:|\n");
    for m in ContactMethod::ALL {
        let get = |s: &Summary| s.notifications.iter().find(|n| n.method == *m).copied();
        let (c, p) = (get(cur), get(prev));
        let sent = |x: Option<crate::reports::Notifications>| x.map_or(0, |x| x.sent);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            m.as_str(),
            sent(c),
            c.map_or(0, |x| x.delivered),
            c.map_or(0, |x| x.failed),
            sent(p),
            change(Some(sent(c) as f64), Some(sent(p) as f64), Unit::Count)
        );
    }
    md.push('\n');

    md.push_str("## Interruptions\n\n");
    md.push_str(
        "Pages that went out, by the local time of the person paged: business = Monday–Friday \
         09:00–18:00, sleep = 23:00–07:00, evening = the rest (weekday mornings and evenings, \
         weekend days).\n\n",
    );
    let people: BTreeSet<&String> = cur
        .interruptions
        .iter()
        .chain(&prev.interruptions)
        .map(|i| &i.user)
        .collect();
    if people.is_empty() {
        md.push_str("Nobody was paged.\n\n");
    } else {
        md.push_str("| Person | Business | Evening | Sleep | Total | Total before | Change |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for user in people {
            let find = |s: &Summary| s.interruptions.iter().find(|i| &i.user == user).cloned();
            let (c, p) = (find(cur), find(prev));
            let get = |class| c.as_ref().map_or(0, |i| i.get(class));
            let (ct, pt) = (
                c.as_ref().map_or(0, |i| i.total()),
                p.as_ref().map_or(0, |i| i.total()),
            );
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {ct} | {pt} | {} |",
                cell(user),
                get(HourClass::Business),
                get(HourClass::Evening),
                get(HourClass::Sleep),
                change(Some(ct as f64), Some(pt as f64), Unit::Count)
            );
        }
        md.push('\n');
    }

    md.push_str("## On-call hours\n\n");
    let people: BTreeSet<&String> = cur
        .on_call
        .iter()
        .chain(&prev.on_call)
        .map(|o| &o.user)
        .collect();
    if people.is_empty() {
        md.push_str("No schedule had anyone on call.\n\n");
    } else {
        let lines: Vec<_> = people
            .into_iter()
            .map(|u| {
                let get = |s: &Summary| {
                    Some(
                        s.on_call
                            .iter()
                            .find(|o| &o.user == u)
                            .map_or(0.0, |o| o.hours),
                    )
                };
                (cell(u), (get(cur), get(prev), Unit::Hours))
            })
            .collect();
        compare_table(&mut md, "Person", &lines);
    }

    md.push_str("## Noisiest alerts\n\n");
    if cur.noisiest.is_empty() {
        md.push_str("No alerts.\n\n");
    } else {
        md.push_str("| Service | Dedup key | Source | Alerts | Incidents | Alerts before |\n|---|---|---|---:|---:|---:|\n");
        for k in &cur.noisiest {
            let before = prev
                .noisiest
                .iter()
                .find(|p| p.service == k.service && p.dedup_key == k.dedup_key)
                .map_or_else(|| "—".to_owned(), |p| p.alerts.to_string());
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {before} |",
                cell(&k.service),
                cell(&k.dedup_key),
                k.source.as_deref().map_or_else(|| "—".to_owned(), cell),
                k.alerts,
                k.incidents
            );
        }
        md.push('\n');
    }

    md.push_str("## Likely noise\n\n");
    let _ = writeln!(
        md,
        "{} incident(s) were acknowledged, then resolved by firebell's auto-resolve ({} in the previous period, {}).\n",
        cur.acknowledged_then_auto_resolved,
        prev.acknowledged_then_auto_resolved,
        change(
            Some(cur.acknowledged_then_auto_resolved as f64),
            Some(prev.acknowledged_then_auto_resolved as f64),
            Unit::Count
        )
    );

    md.push_str("## Team load\n\n");
    if cur.teams.is_empty() {
        md.push_str("No escalation policy in scope.\n\n");
    } else {
        let _ = writeln!(
            md,
            "Incidents per week per escalation policy (the weekly average for periods of a week or \
             more); more than {REVIEW_LINE_PER_WEEK} a week is PagerDuty's line for a review.\n"
        );
        md.push_str("| Team | Incidents | Per week | Over the line | Per week before | Change |\n|---|---:|---:|---|---:|---:|\n");
        for t in &cur.teams {
            let before = prev
                .teams
                .iter()
                .find(|p| p.team == t.team)
                .map(|p| p.per_week);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&t.team),
                t.incidents,
                show(Some(t.per_week), Unit::PerWeek),
                if t.over_review_line { "**yes**" } else { "no" },
                show(before, Unit::PerWeek),
                change(Some(t.per_week), before, Unit::PerWeek)
            );
        }
        md.push('\n');
    }

    md.push_str("## Per day (UTC)\n\n");
    let chart = r.chart();
    let mut head = "| Day |".to_owned();
    let mut rule = "|---|".to_owned();
    for (name, _) in &chart.services {
        let _ = write!(head, " {} |", cell(name));
        rule.push_str("---:|");
    }
    let _ = writeln!(md, "{head} Total | MTTA | MTTR |\n{rule}---:|---:|---:|");
    for (i, day) in chart.days.iter().enumerate() {
        let mut line = format!("| {day} |");
        let mut total = 0;
        for (_, counts) in &chart.services {
            total += counts[i];
            let _ = write!(line, " {} |", counts[i]);
        }
        let mins = |m: Option<f64>| m.map_or_else(|| "—".to_owned(), |m| human(m * 60.0));
        let _ = writeln!(
            line,
            " {total} | {} | {} |",
            mins(chart.mtta_minutes[i]),
            mins(chart.mttr_minutes[i])
        );
        md.push_str(&line);
    }
    md
}

/// `2026-11-16 00:00 → 2026-11-23 00:00 UTC`.
fn span(p: &Period) -> String {
    format!(
        "{} → {} UTC",
        p.since.format("%Y-%m-%d %H:%M"),
        p.until.format("%Y-%m-%d %H:%M")
    )
}

/// A table of figures with this period, the previous one, and the change.
fn compare_table(md: &mut String, first: &str, lines: &[FigureLine]) {
    let _ = writeln!(
        md,
        "| {first} | This period | Previous | Change |\n|---|---:|---:|---:|"
    );
    for (name, (c, p, unit)) in lines {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} |",
            show(*c, *unit),
            show(*p, *unit),
            change(*c, *p, *unit)
        );
    }
    md.push('\n');
}

/// Text from the config or a monitor, safe inside a table cell: one line, table and Markdown
/// characters escaped.
pub(super) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
