//! The full report as Markdown (GitHub-flavoured tables): each section a table of the period,
//! the previous period and the change. Names and keys from the config or from monitors are
//! escaped, so they can neither break a table nor format text.

use std::fmt::Write;

use super::compare::{Compared, DURATION_FIGURES, Pair, compare};
use super::{Unit, change, human, show};
use crate::reports::hours::HourClass;
use crate::reports::{Period, REVIEW_LINE_PER_WEEK, Report};

/// A figure's label with its current and previous values and unit.
type FigureLine = (String, (Option<f64>, Option<f64>, Unit));

fn count(v: Pair<u64>) -> (Option<f64>, Option<f64>, Unit) {
    (Some(v.cur as f64), Some(v.prev as f64), Unit::Count)
}

pub(super) fn render(r: &Report) -> String {
    let c = compare(r);
    let mut md = String::new();
    let _ = writeln!(md, "# Incident report: {}\n", span(&r.current.period));
    let scope = match (&r.service, &r.team) {
        (Some(s), _) => format!("service {}", cell(s)),
        (None, Some(t)) => format!("team {}", cell(t)),
        (None, None) => "all services".to_owned(),
    };
    let _ = writeln!(
        md,
        "Scope: {scope}. Compared with the previous period of the same length, {}.\n",
        span(&r.previous.period)
    );
    incidents(&mut md, &c);
    response(&mut md, &c);
    notifications(&mut md, &c);
    interruptions(&mut md, &c);
    on_call(&mut md, &c);
    noisiest(&mut md, &c);
    teams(&mut md, &c);
    per_day(&mut md, r);
    md
}

fn incidents(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Incidents\n\n");
    let mut lines = vec![("Opened".to_owned(), count(c.opened))];
    for (sev, v) in &c.by_severity {
        let name = format!("{}{}", sev.as_str()[..1].to_uppercase(), &sev.as_str()[1..]);
        lines.push((name, count(*v)));
    }
    lines.push(("High urgency".to_owned(), count(c.high_urgency)));
    lines.push(("Low urgency".to_owned(), count(c.low_urgency)));
    compare_table(md, "", &lines);
    if !c.by_service.is_empty() {
        md.push_str("By service:\n\n");
        let lines: Vec<_> = c
            .by_service
            .iter()
            .map(|(s, v)| (cell(s), count(*v)))
            .collect();
        compare_table(md, "Service", &lines);
    }

    md.push_str("## Alerts\n\n");
    let a = c.alerts;
    compare_table(
        md,
        "",
        &[
            (
                "Received (triggers)".to_owned(),
                count(a.map(|a| a.received)),
            ),
            (
                "Deduplicated into an open incident".to_owned(),
                count(a.map(|a| a.deduplicated)),
            ),
            (
                "Suppressed by maintenance".to_owned(),
                count(a.map(|a| a.suppressed)),
            ),
        ],
    );
}

fn response(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Response times\n\n");
    let mut lines = Vec::new();
    for (name, d) in [("MTTA", c.mtta), ("MTTR", c.mttr)] {
        for (what, f) in DURATION_FIGURES {
            let mins = d.map(|d| f(d).map(|s| s / 60.0));
            lines.push((
                format!("{name} {what}"),
                (mins.cur, mins.prev, Unit::Minutes),
            ));
        }
    }
    compare_table(md, "", &lines);
    let _ = writeln!(
        md,
        "MTTA is over the {} incidents opened in the period and acknowledged ({} before), from \
         opening to the first acknowledgement; MTTR over the {} resolved ({} before).\n",
        c.mtta.cur.count, c.mtta.prev.count, c.mttr.cur.count, c.mttr.prev.count
    );

    md.push_str("## Escalations\n\n");
    let e = c.escalations;
    compare_table(
        md,
        "",
        &[
            (
                "Escalated past the first level".to_owned(),
                count(e.map(|e| e.escalated)),
            ),
            ("by timeout".to_owned(), count(e.map(|e| e.by_timeout))),
            (
                "by hand (`!escalate`)".to_owned(),
                count(e.map(|e| e.by_hand)),
            ),
        ],
    );
}

fn notifications(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Notifications to people\n\n");
    md.push_str("| Channel | Sent | Delivered | Failed | Sent before | Change |\n|---|---:|---:|---:|---:|---:|\n");
    for (m, v) in &c.notifications {
        let sent = v.map(|x| x.map_or(0, |x| x.sent));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            m.as_str(),
            sent.cur,
            v.cur.map_or(0, |x| x.delivered),
            v.cur.map_or(0, |x| x.failed),
            sent.prev,
            change(Some(sent.cur as f64), Some(sent.prev as f64), Unit::Count)
        );
    }
    md.push('\n');
}

fn interruptions(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Interruptions\n\n");
    md.push_str(
        "Pages that went out, by the local time of the person paged: business = Monday–Friday \
         09:00–18:00, sleep = 23:00–07:00, evening = the rest (weekday mornings and evenings, \
         weekend days).\n\n",
    );
    if c.interruptions.is_empty() {
        md.push_str("Nobody was paged.\n\n");
        return;
    }
    md.push_str("| Person | Business | Evening | Sleep | Total | Total before | Change |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (user, v) in &c.interruptions {
        let get = |class| v.cur.map_or(0, |i| i.get(class));
        let total = v.map(|i| i.map_or(0, |i| i.total()));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(user),
            get(HourClass::Business),
            get(HourClass::Evening),
            get(HourClass::Sleep),
            total.cur,
            total.prev,
            change(Some(total.cur as f64), Some(total.prev as f64), Unit::Count)
        );
    }
    md.push('\n');
}

fn on_call(md: &mut String, c: &Compared<'_>) {
    md.push_str("## On-call hours\n\n");
    if c.on_call.is_empty() {
        md.push_str("No schedule had anyone on call.\n\n");
        return;
    }
    let lines: Vec<_> = c
        .on_call
        .iter()
        .map(|(u, h)| (cell(u), (Some(h.cur), Some(h.prev), Unit::Hours)))
        .collect();
    compare_table(md, "Person", &lines);
}

fn noisiest(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Noisiest alerts\n\n");
    if c.noisiest.is_empty() {
        md.push_str("No alerts.\n\n");
    } else {
        md.push_str("| Service | Dedup key | Source | Alerts | Incidents | Alerts before |\n|---|---|---|---:|---:|---:|\n");
        for (k, before) in &c.noisiest {
            let before = before.map_or_else(|| "—".to_owned(), |p| p.alerts.to_string());
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
    let auto = c.acknowledged_then_auto_resolved;
    let _ = writeln!(
        md,
        "{} incident(s) were acknowledged, then resolved by firebell's auto-resolve ({} in the previous period, {}).\n",
        auto.cur,
        auto.prev,
        change(Some(auto.cur as f64), Some(auto.prev as f64), Unit::Count)
    );
}

fn teams(md: &mut String, c: &Compared<'_>) {
    md.push_str("## Team load\n\n");
    if c.teams.is_empty() {
        md.push_str("No escalation policy in scope.\n\n");
        return;
    }
    let _ = writeln!(
        md,
        "Incidents per week per escalation policy (the weekly average for periods of a week or \
         more); more than {REVIEW_LINE_PER_WEEK} a week is PagerDuty's line for a review.\n"
    );
    md.push_str("| Team | Incidents | Per week | Over the line | Per week before | Change |\n|---|---:|---:|---|---:|---:|\n");
    for (t, p) in &c.teams {
        let before = p.map(|p| p.per_week);
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

fn per_day(md: &mut String, r: &Report) {
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
