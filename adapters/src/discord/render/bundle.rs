//! The alert-storm summary: when incidents open faster than a room can read cards, one message
//! counts them, lists them compactly, and offers to acknowledge every triggered one at once.
//! Sized for the worst storm: hundreds of incidents still give one embed inside Discord's limits.

use firebell_engine::{Incident, IncidentStatus, Severity};
use serde_json::{Value, json};

use super::parts::{ACKNOWLEDGED_COLOR, RESOLVED_COLOR, discord_time, relative, severity_color};
use super::{ACK_ALL, BundleView, NAME_CHARS, button, mention, row, within_total};
use crate::chat::text::{join_capped, severity_icon, status_mark};
use crate::discord::escape;

/// Rows listed; the rest are counted ("…and 27 more"). A chat message is not a report.
const MAX_LISTED: usize = 25;
const ROW_TITLE_CHARS: usize = 100;
const PEOPLE_CHARS: usize = 600;
/// Kept free in the description for "…and 470 more — `!incidents` lists them".
const MORE_CHARS: usize = 80;

/// Title `🌩 Alert storm — 47 more incidents`; the description counts them by status since when,
/// says who is paged, lists them (open ones first) and what was left out; an "Acknowledge all
/// triggered" button (carrying the triggered incidents' numbers) while any is triggered.
pub fn bundle(view: &BundleView) -> Value {
    let mut lines = vec![format!(
        "Opened since {} ({}) · {}",
        discord_time(view.since, view.now),
        relative(view.since),
        view.tally()
    )];
    if !view.paged.is_empty() {
        let who = join_capped(view.paged.iter().map(mention), PEOPLE_CHARS, escape::len);
        lines.push(format!("Paging {who}"));
    }
    lines.push(String::new());

    // As many rows as fit, with room left for the line counting the rest.
    let mut used = escape::len(&lines.join("\n"));
    let mut listed = 0;
    for i in view.listing_order().take(MAX_LISTED) {
        let row = list_row(i);
        used += 1 + escape::len(&row);
        if used > escape::EMBED_DESCRIPTION - MORE_CHARS {
            break;
        }
        lines.push(row);
        listed += 1;
    }
    let left_out = view.incidents.len() - listed;
    if left_out > 0 {
        lines.push(format!("…and {left_out} more — `!incidents` lists them"));
    }
    let embed = json!({
        "title": format!("🌩 Alert storm — {}", view.opened()),
        "description": escape::truncate(&lines.join("\n"), escape::EMBED_DESCRIPTION),
        "color": color(view.incidents),
        "timestamp": view.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    json!({
        "content": "",
        "embeds": [within_total(embed)],
        "components": ack_all(view),
        "allowed_mentions": {"parse": []},
    })
}

/// `🚨 **#12** 🔴 CRITICAL · web · Disk full on web-01`
fn list_row(i: &Incident) -> String {
    format!(
        "{} **{}** {} {} · {} · {}",
        status_mark(i.status),
        i.number,
        severity_icon(i.severity),
        i.severity.as_str().to_uppercase(),
        escape::markdown_line(i.service.as_str(), NAME_CHARS),
        escape::markdown_line(&i.title, ROW_TITLE_CHARS)
    )
}

/// The most severe triggered incident's colour; purple when all open ones are acknowledged;
/// green when the storm is over.
fn color(incidents: &[Incident]) -> u32 {
    let worst = incidents
        .iter()
        .filter(|i| i.status == IncidentStatus::Triggered)
        .map(|i| i.severity)
        .min_by_key(|s| Severity::ALL.iter().position(|x| x == s));
    match worst {
        Some(s) => severity_color(s),
        None if incidents.iter().any(Incident::is_open) => ACKNOWLEDGED_COLOR,
        None => RESOLVED_COLOR,
    }
}

/// "Acknowledge all triggered", carrying the triggered incidents' numbers: as many as fit in a
/// `custom_id` (oldest first), the label saying so when not all do. `[]` when none is triggered.
fn ack_all(view: &BundleView) -> Value {
    let triggered = view.triggered_numbers();
    if triggered.is_empty() {
        return row(Vec::new());
    }
    let (mut ack, carried) = button(ACK_ALL, "Acknowledge all triggered", 1, &triggered);
    if carried < triggered.len() {
        let label = format!("Acknowledge oldest {carried} of {}", triggered.len());
        ack["label"] = json!(escape::plain_line(&label, escape::BUTTON_LABEL));
    }
    row(vec![ack])
}
