//! The incident card: one embed (title, colour by status, facts as fields, the alert's links and
//! image) and a row of buttons that follows the status.

use chrono::SecondsFormat;
use firebell_commands::{Doc, Span, When};
use firebell_engine::{Incident, IncidentStatus};
use serde_json::{Value, json};

use super::parts::{ACKNOWLEDGED_COLOR, RESOLVED_COLOR, relative, severity_color};
use super::{
    ACK, CardView, ESCALATE, NAME_CHARS, RESOLVE, button, field, mention, row, within_total,
};
use crate::chat::details::{image_sources, link_lines};
use crate::chat::text::{self, incident_icon, join_capped, severity_label, title_line};
use crate::discord::escape;

/// Budgets for the parts of a card, well inside Discord's limits and together inside the
/// 6000 an embed may hold.
const TITLE_CHARS: usize = 1000;
const SOURCE_CHARS: usize = 300;
const KEY_CHARS: usize = 200;
const PEOPLE_CHARS: usize = 900;
const LINKS_CHARS: usize = 2000;
/// At most this many links and images from an alert's `details`.
const MAX_LINKS: usize = 10;

/// The incident card: posted on open, then replaced by Edit Message on every change. Buttons
/// follow the status; a resolved card sends `components: []`, so the edit removes them.
pub fn card(view: &CardView) -> Value {
    let i = view.incident;
    let prefix = format!("{} {} ", incident_icon(i), i.number);
    let budget = escape::EMBED_TITLE - escape::len(&prefix);
    let title = escape::markdown_line(&title_line(&i.title), budget);
    let cut = title != escape::markdown(&title_line(&i.title));
    let mut description = Vec::new();
    if cut {
        description.push(escape::markdown_line(&i.title, TITLE_CHARS));
    }
    let (links, image) = links(&i.details);
    description.extend(links);
    let mut embed = json!({
        "title": format!("{prefix}{title}"),
        "color": color(i),
        "fields": facts(view),
        "timestamp": i.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "footer": {"text": format!("dedup key: {}", escape::plain_line(i.dedup_key.as_str(), KEY_CHARS))},
    });
    if !description.is_empty() {
        let text = escape::truncate(&description.join("\n"), escape::EMBED_DESCRIPTION);
        embed["description"] = json!(text);
    }
    if let Some(url) = image {
        embed["image"] = json!({ "url": url });
    }
    json!({
        "content": "",
        "embeds": [within_total(embed)],
        "components": actions(i),
        "allowed_mentions": {"parse": []},
    })
}

/// Service, severity, status, who was paged, alert count and source; short ones side by side.
fn facts(view: &CardView) -> Vec<Value> {
    let i = view.incident;
    let mut fields = vec![
        field(
            "Service",
            escape::markdown_line(i.service.as_str(), NAME_CHARS),
            true,
        ),
        field("Severity", severity_label(i.severity), true),
        field("Status", status_line(view), true),
    ];
    if !view.paged.is_empty() || view.level.is_some() {
        let mut who = if view.paged.is_empty() {
            "nobody yet".to_owned()
        } else {
            join_capped(view.paged.iter().map(mention), PEOPLE_CHARS, escape::len)
        };
        if let Some(level) = view.level {
            who.push_str(&format!(" · level {level}"));
        }
        fields.push(field("Paged", who, true));
    }
    let mut alerts = i.alert_count.to_string();
    if i.alert_count > 1 {
        alerts.push_str(&format!(" · last {}", relative(i.last_alert_at)));
    }
    fields.push(field("Alerts", alerts, true));
    if let Some(source) = i.source.as_deref().filter(|s| !s.trim().is_empty()) {
        let source = escape::markdown_line(source, SOURCE_CHARS);
        let short = escape::len(&source) <= 40;
        fields.push(field("Source", source, short));
    }
    fields.truncate(escape::MAX_FIELDS);
    fields
}

/// `Triggered` / `Acknowledged by Alice Adams <t:…:R> (via Discord)` / `Resolved by Bob after
/// 1h 12m (via SMS)`.
fn status_line(view: &CardView) -> String {
    let ago = |t| Doc::new().text(" ").span(Span::Time(t, When::Ago));
    super::doc::render(&text::status_line(view, ago))
}

/// PagerDuty-style `links` (`[{href, text}]`) and `images` (`[{src, href, alt}]`) as masked
/// links, one per line, and the first image's URL for the embed (Discord fetches it; one it
/// cannot reach simply does not show, the message still posts).
fn links(details: &Value) -> (Vec<String>, Option<String>) {
    let image = image_sources(details).find_map(|src| escape::url(&src));
    let lines = link_lines(details, escape::link, |h| escape::url(h).is_some());
    let mut out = Vec::new();
    let mut used = 0;
    for l in lines.take(MAX_LINKS) {
        used += escape::len(&l) + 1;
        if used > LINKS_CHARS {
            break;
        }
        out.push(l);
    }
    (out, image)
}

/// Acknowledge (primary, while triggered), Resolve (success) and Escalate (secondary) while
/// open; an empty list once resolved.
fn actions(i: &Incident) -> Value {
    let n = [i.number.get()];
    let mut buttons = Vec::new();
    if i.status == IncidentStatus::Triggered {
        buttons.push(button(ACK, "Acknowledge", 1, &n).0);
    }
    if i.status != IncidentStatus::Resolved {
        buttons.push(button(RESOLVE, "Resolve", 3, &n).0);
        buttons.push(button(ESCALATE, "Escalate", 2, &n).0);
    }
    row(buttons)
}

fn color(i: &Incident) -> u32 {
    match i.status {
        IncidentStatus::Triggered => severity_color(i.severity),
        IncidentStatus::Acknowledged => ACKNOWLEDGED_COLOR,
        IncidentStatus::Resolved => RESOLVED_COLOR,
    }
}
