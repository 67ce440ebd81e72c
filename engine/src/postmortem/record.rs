//! What firebell recorded while it happened: whom it paged and how that went, how the
//! escalation policy moved, and the whole timeline.

use std::fmt::Write;

use super::facts::{Facts, Outcome, Page};
use super::markdown::{inline, row, utc};
use super::sections::plural;
use crate::domain::incident::{TimelineEntry, TimelineKind};
use crate::domain::kinds::Channel;

/// Consecutive `alert again` entries beyond this many are folded into one row: a flapping
/// monitor can add thousands, and the draft is for reading.
const ALERT_RUN_SHOWN: usize = 3;

pub(super) fn paging(out: &mut String, f: &Facts<'_>) {
    out.push_str("## Who was paged and how\n\n");
    if f.pages.is_empty() {
        out.push_str(
            "Nobody was paged or told directly; the incident's room was the only channel.\n\n",
        );
    } else {
        let count =
            |want: fn(&Outcome) -> bool| f.pages.iter().filter(|p| want(&p.outcome)).count();
        let tally: Vec<String> = [
            (
                count(|o| matches!(o, Outcome::Delivered { .. })),
                "delivered",
            ),
            (count(|o| matches!(o, Outcome::GaveUp { .. })), "failed"),
            (
                count(|o| matches!(o, Outcome::Pending { .. })),
                "not delivered yet",
            ),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let _ = writeln!(
            out,
            "{} notification{} to people: {}.\n",
            f.pages.len(),
            plural(f.pages.len()),
            tally.join(", ")
        );
        out.push_str("| Person | How | What | Attempts | Outcome |\n|---|---|---|---|---|\n");
        for p in &f.pages {
            let attempts = p.attempts.to_string();
            out.push_str(&row(&[
                &inline(&p.person),
                &inline(&p.how),
                &inline(&p.what),
                &attempts,
                &outcome(p),
            ]));
        }
        out.push('\n');
    }
    let reports: Vec<&TimelineEntry> = f
        .timeline
        .iter()
        .filter(|e| matches!(e.kind, TimelineKind::Notified | TimelineKind::Deferred))
        .collect();
    if !reports.is_empty() {
        out.push_str("What the notifiers reported:\n\n");
        for e in reports {
            let _ = writeln!(out, "- {} — {}", utc(e.at), inline(&e.message));
        }
        out.push('\n');
    }
}

fn outcome(p: &Page) -> String {
    match &p.outcome {
        Outcome::Delivered { at, provider } => {
            let via = provider
                .as_deref()
                .map(|v| format!(" via {}", inline(v)))
                .unwrap_or_default();
            format!("delivered {}{via}", utc(*at))
        }
        Outcome::GaveUp { at, error } => format!(
            "**failed** {}: {}",
            utc(*at),
            inline(error.as_deref().unwrap_or("no reason recorded"))
        ),
        Outcome::Pending { error: Some(e) } => {
            format!("not delivered yet (last error: {})", inline(e))
        }
        Outcome::Pending { error: None } => "not sent yet".to_owned(),
    }
}

pub(super) fn escalations(out: &mut String, f: &Facts<'_>) {
    out.push_str("## Escalations\n\n");
    let policy = f
        .config
        .services
        .get(&f.incident.service)
        .and_then(|s| s.escalation_policy.as_deref());
    match (policy, f.highest_level()) {
        (None, _) => out.push_str("The service has no escalation policy.\n"),
        (Some(p), Some(level)) => {
            let _ = writeln!(
                out,
                "Escalation policy {}: the highest level paged was level {level}.",
                inline(p)
            );
        }
        (Some(p), None) => {
            let _ = writeln!(
                out,
                "Escalation policy {}: nobody was paged through it.",
                inline(p)
            );
        }
    }
    let steps: Vec<&TimelineEntry> = f
        .timeline
        .iter()
        .filter(|e| matches!(e.kind, TimelineKind::Escalated | TimelineKind::Retriggered))
        .collect();
    let by_hand = steps.iter().filter(|e| !by_firebell(e)).count();
    if by_hand > 0 {
        let by_timer = steps.len() - by_hand;
        let _ = writeln!(
            out,
            "{by_timer} step{} by timer, {by_hand} by hand.",
            plural(by_timer)
        );
    }
    out.push('\n');
    for e in &steps {
        let how = if by_firebell(e) {
            "by timer".to_owned()
        } else {
            format!(
                "by hand, {}",
                inline(&format!("{} via {}", f.person(&e.actor), e.channel))
            )
        };
        let _ = writeln!(out, "- {} — {how}: {}", utc(e.at), inline(&e.message));
    }
    if !steps.is_empty() {
        out.push('\n');
    }
}

/// Whether firebell itself (a timer, a sweep) recorded the entry, rather than a person.
fn by_firebell(e: &TimelineEntry) -> bool {
    e.channel == Channel::System && e.actor == "firebell"
}

pub(super) fn timeline(out: &mut String, f: &Facts<'_>) {
    out.push_str("## Timeline\n\nEvery entry, in the order firebell recorded it.\n\n");
    out.push_str("| Time (UTC) | What | Who | Via | Details |\n|---|---|---|---|---|\n");
    let entries = f.timeline;
    let mut i = 0;
    while i < entries.len() {
        let run = entries[i..]
            .iter()
            .take_while(|e| e.kind == TimelineKind::AlertAdded)
            .count();
        if run > ALERT_RUN_SHOWN + 1 {
            for e in &entries[i..i + ALERT_RUN_SHOWN] {
                out.push_str(&entry(f, e));
            }
            let folded = &entries[i + ALERT_RUN_SHOWN..i + run];
            let (first, last) = (&folded[0], &folded[folded.len() - 1]);
            out.push_str(&row(&[
                &utc(first.at),
                "alert again",
                "…",
                "…",
                &format!(
                    "… and {} more alerts again, until {} (the API's timeline has each)",
                    folded.len(),
                    utc(last.at)
                ),
            ]));
            i += run;
        } else {
            out.push_str(&entry(f, &entries[i]));
            i += 1;
        }
    }
    out.push('\n');
}

fn entry(f: &Facts<'_>, e: &TimelineEntry) -> String {
    let what = match e.kind {
        TimelineKind::Note if super::facts::action_item(&e.message).is_some() => "action item",
        kind => kind_label(kind),
    };
    row(&[
        &utc(e.at),
        what,
        &inline(&f.person(&e.actor)),
        e.channel.as_str(),
        &inline(&e.message),
    ])
}

fn kind_label(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Triggered => "triggered",
        TimelineKind::AlertAdded => "alert again",
        TimelineKind::Acknowledged => "acknowledged",
        TimelineKind::Resolved => "resolved",
        TimelineKind::Note => "note",
        TimelineKind::Ignored => "ignored",
        TimelineKind::Notified => "paged",
        TimelineKind::Escalated => "escalated",
        TimelineKind::Retriggered => "re-triggered",
        TimelineKind::Deferred => "deferred",
    }
}
