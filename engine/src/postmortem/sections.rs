//! The draft, section by section: the facts first (summary, severity and service, the response;
//! then paging, escalations and the timeline from `record`), then the prompts people fill in.

use std::fmt::Write;

use super::facts::Facts;
use super::markdown::{elapsed, fenced, inline, one_line, row, utc};
use super::record::{escalations, paging, timeline};

pub(super) fn write(f: &Facts<'_>) -> String {
    let mut out = String::new();
    title(&mut out, f);
    summary(&mut out, f);
    severity_and_service(&mut out, f);
    response(&mut out, f);
    paging(&mut out, f);
    escalations(&mut out, f);
    timeline(&mut out, f);
    prompts(&mut out, f);
    out
}

fn title(out: &mut String, f: &Facts<'_>) {
    let i = f.incident;
    let _ = writeln!(out, "# Postmortem: {} {}\n", i.number, one_line(&i.title));
    if i.is_open() {
        let _ = writeln!(
            out,
            "> **Still open:** {} is {}, not resolved yet. This is the draft so far; ask for it \
             again once the incident is resolved.\n",
            i.number, i.status
        );
    }
    let _ = writeln!(
        out,
        "> **Draft**, written by firebell from the incident's timeline at {} UTC. It is \
         blameless: it describes what happened and how the systems behaved, not who is to \
         blame. Check the facts, fill in the prompts and edit freely.\n",
        utc(f.now)
    );
}

fn summary(out: &mut String, f: &Facts<'_>) {
    let i = f.incident;
    let mut s = format!(
        "Incident {} “{}” opened on service {}{} at {} UTC, with severity {}",
        i.number,
        one_line(&i.title),
        one_line(i.service.as_str()),
        description(f)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        utc(i.created_at),
        i.severity
    );
    if let Some(source) = i.source.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(s, ", from {}", one_line(source));
    }
    s.push_str(". ");
    match i.alert_count {
        1 => s.push_str("It came from a single alert. "),
        n => {
            let _ = write!(
                s,
                "It collected {n} alerts, the last at {} UTC. ",
                utc(i.last_alert_at)
            );
        }
    }
    match (&f.first_ack, f.time_to_acknowledge()) {
        (Some(a), Some(after)) => {
            let _ = write!(
                s,
                "It was acknowledged after {} by {}. ",
                elapsed(after),
                one_line(&f.by(a))
            );
        }
        _ if i.is_open() => s.push_str("Nobody has acknowledged it yet. "),
        _ => s.push_str("Nobody acknowledged it. "),
    }
    match (&f.resolved, f.time_to_resolve()) {
        (Some(r), Some(after)) => {
            let _ = write!(
                s,
                "It was resolved after {} by {}.",
                elapsed(after),
                one_line(&f.by(r))
            );
        }
        _ => {
            let _ = write!(
                s,
                "It is still {}, {} after it opened.",
                i.status,
                elapsed(f.now - i.created_at)
            );
        }
    }
    let pages = f.pages.iter().filter(|p| p.level.is_some()).count();
    if pages > 0 {
        let people = f.people_paged();
        let _ = write!(
            s,
            " firebell sent {pages} page{} to {people} {}",
            plural(pages),
            if people == 1 { "person" } else { "people" }
        );
        match f.highest_level() {
            Some(level) if level > 1 => {
                let _ = write!(s, ", escalating to level {level}.");
            }
            _ => s.push('.'),
        }
    }
    let _ = writeln!(out, "## Summary\n\n{s}\n");
}

fn description(f: &Facts<'_>) -> Option<String> {
    let service = f.config.services.get(&f.incident.service)?;
    Some(one_line(&service.description)).filter(|d| !d.is_empty())
}

fn severity_and_service(out: &mut String, f: &Facts<'_>) {
    let i = f.incident;
    let service = f.config.services.get(&i.service);
    let name = match description(f) {
        Some(d) => format!("{} — {d}", inline(i.service.as_str())),
        None => inline(i.service.as_str()),
    };
    let policy = service
        .and_then(|s| s.escalation_policy.as_deref())
        .map_or_else(|| "none".to_owned(), inline);
    let alerts = match i.alert_count {
        1 => format!("1, at {} UTC", utc(i.created_at)),
        n => format!(
            "{n}, first at {} UTC, last at {} UTC",
            utc(i.created_at),
            utc(i.last_alert_at)
        ),
    };
    out.push_str("## Severity and services\n\n| Field | Value |\n|---|---|\n");
    out.push_str(&row(&["Service", &name]));
    if let Some(s) = service {
        out.push_str(&row(&["Room", &inline(&s.room)]));
    }
    out.push_str(&row(&["Escalation policy", &policy]));
    out.push_str(&row(&["Severity", i.severity.as_str()]));
    out.push_str(&row(&["Status", i.status.as_str()]));
    let source = i.source.as_deref().map_or_else(|| "—".to_owned(), inline);
    out.push_str(&row(&["Source", &source]));
    out.push_str(&row(&["Dedup key", &inline(i.dedup_key.as_str())]));
    out.push_str(&row(&["Alerts", &alerts]));
    out.push('\n');
    let has_details = match &i.details {
        serde_json::Value::Object(m) => !m.is_empty(),
        serde_json::Value::Null => false,
        _ => true,
    };
    if has_details {
        let json = serde_json::to_string_pretty(&i.details).unwrap_or_default();
        let _ = writeln!(
            out,
            "What the monitor sent with the first alert:\n\n{}",
            fenced("json", &json)
        );
    }
}

fn response(out: &mut String, f: &Facts<'_>) {
    let i = f.incident;
    out.push_str("## Detection, acknowledgement, resolution\n\n");
    out.push_str("| Step | When (UTC) | Who, how | After the trigger |\n|---|---|---|---|\n");
    let opened_by = f
        .opened
        .as_ref()
        .map_or_else(|| "—".to_owned(), |o| inline(&f.by(o)));
    out.push_str(&row(&["Triggered", &utc(i.created_at), &opened_by, "—"]));
    if let (Some(a), Some(after)) = (&f.first_ack, f.time_to_acknowledge()) {
        let step = row(&[
            "First acknowledged",
            &utc(a.at),
            &inline(&f.by(a)),
            &elapsed(after),
        ]);
        out.push_str(&step);
    }
    if let (Some(r), Some(after)) = (&f.resolved, f.time_to_resolve()) {
        let step = row(&["Resolved", &utc(r.at), &inline(&f.by(r)), &elapsed(after)]);
        out.push_str(&step);
    }
    out.push('\n');
    let tta = match f.time_to_acknowledge() {
        Some(d) => elapsed(d),
        None if i.is_open() => "not acknowledged yet".to_owned(),
        None => "never acknowledged".to_owned(),
    };
    let ttr = match f.time_to_resolve() {
        Some(d) => elapsed(d),
        None => format!(
            "not resolved yet (open for {} so far)",
            elapsed(f.now - i.created_at)
        ),
    };
    let _ = writeln!(out, "- **Time to acknowledge:** {tta}");
    let _ = writeln!(out, "- **Time to resolve:** {ttr}");
    if f.acks > 1 || f.retriggers > 0 {
        let _ = writeln!(
            out,
            "- Acknowledged {} time{}; re-triggered {} time{} (ack timeout)",
            f.acks,
            plural(f.acks),
            f.retriggers,
            plural(f.retriggers)
        );
    }
    out.push('\n');
}

fn prompts(out: &mut String, f: &Facts<'_>) {
    out.push_str(
        "## Impact\n\n_Who and what was affected, how badly and for how long: users, requests, \
         data, money, SLOs. Link the graphs._\n\n",
    );
    out.push_str(
        "## Contributing factors\n\n_Describe systems and conditions, not people: what made this \
         possible, what made it worse, what made it hard to see. Ask \"why did it make sense at \
         the time?\", never \"who caused it?\"._\n\n",
    );
    out.push_str(
        "## What went well\n\n_Alerts, tools, runbooks and habits that helped: keep doing \
         these._\n\n",
    );
    out.push_str(
        "## What was hard\n\n_Where the response was slow, confusing or lucky: missing alerts, \
         unclear runbooks, access, noise._\n\n",
    );
    out.push_str("## Action items\n\n");
    if f.action_items.is_empty() {
        out.push_str(
            "_None noted yet. Add them here, or in chat with `!note N action: …` before \
             drafting again._\n\n",
        );
    } else {
        for a in &f.action_items {
            let _ = writeln!(
                out,
                "- [ ] {} _(noted by {}, {} UTC)_",
                inline(&a.text),
                inline(&f.person(&a.actor)),
                utc(a.at)
            );
        }
        out.push_str("\n_Give each an owner and a ticket._\n\n");
    }
    out.push_str(
        "## Follow-up\n\n_Who owns this postmortem, when it is reviewed, and links to the \
         tickets and dashboards above._\n",
    );
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
