//! firebell's Slack messages: the incident card as Block Kit here; thread entries, room notices
//! and command replies in `text` (the wording shared with Discord, in [`crate::chat::text`], as
//! mrkdwn); the alert-storm bundle in [`render_bundle`](super::render_bundle).
//! Pure functions of their inputs, so every shape is unit-tested without a Slack server.
//!
//! Every string from an alert, a person or the config goes through [`escape`]; every text is cut
//! to Slack's limits, so a 10 kB alert title still gives a card Slack accepts. `mrkdwn` objects
//! are sent with `verbatim: true`, so Slack does not auto-link channel names or parse mentions
//! in them either. Times are `<!date^…>` tokens: each reader sees their own time zone, and the
//! fallback says UTC.

use chrono::{DateTime, Utc};
use firebell_commands::{Doc, Span, When};
use firebell_engine::{Incident, IncidentStatus, Severity};
use serde_json::Value;
use slack_morphism::prelude::*;

use super::escape::{self, FIELD_TEXT, SECTION_TEXT};
use crate::chat::details::link_lines;
#[cfg(test)]
use crate::chat::text::duration;
use crate::chat::text::{self as shared, incident_icon, join_capped, severity_label, title_line};

pub use super::render_bundle::{BundleView, bundle};
pub use text::{page_sent, reply, room_notice, storm_page, thread_entry};

pub mod doc;
mod text;

/// Button action ids; a button's value is its incident numbers as decimal text, and
/// [`Command::from_button`](firebell_commands::Command::from_button) maps the pair back.
pub use firebell_commands::button::{ACK, ACK_ALL, ESCALATE, RESOLVE};

/// The colour bar while acknowledged (someone is on it: neither alarm nor done) and resolved.
const ACKNOWLEDGED_COLOR: &str = "#8b5cf6";
const RESOLVED_COLOR: &str = "#16a34a";

/// Budgets (characters) for the parts of a message, well inside Slack's limits.
pub(super) const NAME_CHARS: usize = 80;
const TITLE_CHARS: usize = 1000;
const SOURCE_CHARS: usize = 300;
const KEY_CHARS: usize = 80;
const PEOPLE_CHARS: usize = 1500;
/// At most this many links and images from an alert's `details`.
const MAX_LINKS: usize = 10;

pub use crate::chat::view::{CardView, Person as Paged};

/// How a person is named in Slack text.
pub trait SlackMention {
    /// `<@U0ALICE>` (a real mention) for a person linked to Slack, else their escaped name.
    fn mention(&self) -> String;
}

impl SlackMention for Paged {
    fn mention(&self) -> String {
        match self.chat_id.as_deref().filter(|id| is_slack_id(id)) {
            Some(id) => format!("<@{id}>"),
            None => escape::mrkdwn_line(&self.name, NAME_CHARS),
        }
    }
}

/// Slack ids are short runs of capitals and digits (`U0ALICE`, `W123`); anything else in the
/// config must not be pasted inside `<@…>`.
fn is_slack_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The incident card: posted on open, then replaced with `chat.update` on every change. The
/// header is a top-level block (so `text` is only the notification fallback); the rest sits in
/// one attachment, for the colour bar.
pub fn card(view: &CardView) -> SlackMessageContent {
    let i = view.incident;
    let headline = format!("{} {} {}", incident_icon(i), i.number, title_line(&i.title));
    let header = plain_text(&headline, escape::HEADER_TEXT);
    let cut = header.text != escape::plain(&headline, usize::MAX);
    let header = SlackHeaderBlock::new(header.into());
    let mut blocks = vec![facts(view)];
    if cut {
        blocks.push(section(escape::mrkdwn_line(&i.title, TITLE_CHARS)));
    }
    if let Some(links) = links(&i.details) {
        blocks.push(section(links));
    }
    blocks.push(context(i, view.now));
    blocks.extend(actions(i));
    let text = card_text(view);
    let attachment = SlackMessageAttachment::new()
        .with_color(color(i).to_owned())
        .with_fallback(text.clone())
        .with_blocks(blocks);
    SlackMessageContent::new()
        .with_text(text)
        .with_blocks(vec![header.into()])
        .with_attachments(vec![attachment])
}

/// The card's one-line notification text, e.g. `🔴 #42 CRITICAL web: Disk full on web-01 —
/// triggered` (escaped; no mentions, no date tokens).
pub fn card_text(view: &CardView) -> String {
    let i = view.incident;
    let status = match i.status {
        IncidentStatus::Triggered => "triggered".to_owned(),
        IncidentStatus::Acknowledged => match &i.acknowledged_by {
            Some(id) => format!("acknowledged by {}", name(view, id)),
            None => "acknowledged".to_owned(),
        },
        IncidentStatus::Resolved => match &i.resolved_by {
            Some(id) => format!("resolved by {}", name(view, id)),
            None => "resolved".to_owned(),
        },
    };
    format!(
        "{} {} {} {}: {} — {status}",
        incident_icon(i),
        i.number,
        i.severity.as_str().to_uppercase(),
        escape::mrkdwn_line(i.service.as_str(), NAME_CHARS),
        escape::mrkdwn_line(&title_line(&i.title), 300),
    )
}

/// Service, severity, status, who was paged, alert count and source, two columns.
fn facts(view: &CardView) -> SlackBlock {
    let i = view.incident;
    let mut fields = vec![
        (
            "Service",
            escape::mrkdwn_line(i.service.as_str(), NAME_CHARS),
        ),
        ("Severity", severity_label(i.severity)),
        ("Status", status_line(view)),
    ];
    if !view.paged.is_empty() || view.level.is_some() {
        let mut who = if view.paged.is_empty() {
            "nobody yet".to_owned()
        } else {
            join_capped(view.paged.iter().map(Paged::mention), PEOPLE_CHARS, chars)
        };
        if let Some(level) = view.level {
            who.push_str(&format!(" · level {level}"));
        }
        fields.push(("Paged", who));
    }
    fields.push(("Alerts", i.alert_count.to_string()));
    if let Some(source) = i.source.as_deref().filter(|s| !s.trim().is_empty()) {
        fields.push(("Source", escape::mrkdwn_line(source, SOURCE_CHARS)));
    }
    let fields = fields
        .into_iter()
        .take(escape::MAX_FIELDS)
        .map(|(label, value)| md(escape::truncate(&format!("*{label}*\n{value}"), FIELD_TEXT)))
        .collect();
    SlackSectionBlock::new().with_fields(fields).into()
}

/// `Triggered` / `Acknowledged by Alice Adams at 03:05 (via Slack)` / `Resolved by Bob after
/// 1h 12m (via SMS)`.
fn status_line(view: &CardView) -> String {
    let at = |t| {
        Doc::new()
            .text(" at ")
            .span(Span::Time(t, When::Near(view.now)))
    };
    doc::render(&shared::status_line(view, at))
}

/// A user's display name, escaped.
fn name(view: &CardView, id: &str) -> String {
    escape::mrkdwn_line(&(view.names)(id), NAME_CHARS)
}

/// How Slack's limits count: characters.
pub(super) fn chars(text: &str) -> usize {
    text.chars().count()
}

/// PagerDuty-style `links` (`[{href, text}]`) and `images` (`[{src, href, alt}]`) from the alert.
/// Images are links too: an image block whose URL Slack cannot fetch (a Grafana behind the VPN)
/// makes `chat.postMessage` fail with `invalid_blocks`, and the card must always post.
fn links(details: &Value) -> Option<String> {
    let all: Vec<String> = link_lines(details, escape::link, |h| escape::link(h, None).is_some())
        .take(MAX_LINKS)
        .collect();
    (!all.is_empty()).then(|| join_capped(all.into_iter(), SECTION_TEXT - 100, chars))
}

/// `Opened Today at 3:02 AM · key disk-db01 · last alert 3:10 AM`
fn context(i: &Incident, now: DateTime<Utc>) -> SlackBlock {
    let mut text = format!(
        "Opened {} · key `{}`",
        slack_time(i.created_at, now),
        escape::mrkdwn_line(i.dedup_key.as_str(), KEY_CHARS)
    );
    if i.alert_count > 1 {
        text.push_str(&format!(
            " · last alert {}",
            slack_time(i.last_alert_at, now)
        ));
    }
    let text =
        SlackBlockMarkDownText::new(escape::truncate(&text, SECTION_TEXT)).with_verbatim(true);
    SlackContextBlock::new(vec![text.into()]).into()
}

/// Acknowledge (while triggered), Resolve and Escalate (while open); none once resolved.
fn actions(i: &Incident) -> Option<SlackBlock> {
    let n = i.number.get().to_string();
    let mut buttons = Vec::new();
    if i.status == IncidentStatus::Triggered {
        buttons
            .push(button(ACK, "Acknowledge", n.clone()).with_style(SlackBlockButtonStyle::Primary));
    }
    if i.status != IncidentStatus::Resolved {
        buttons.push(button(RESOLVE, "Resolve", n.clone()));
        let confirm = confirm(
            &format!("Escalate {}?", i.number),
            "This pages the next level of the escalation policy now.",
            "Escalate",
        );
        buttons.push(button(ESCALATE, "Escalate", n.clone()).with_confirm(confirm));
    }
    if buttons.is_empty() {
        return None;
    }
    let elements = buttons.into_iter().map(Into::into).collect();
    let block = SlackActionsBlock::new(elements)
        .with_block_id(SlackBlockId(format!("firebell_incident_{n}")));
    Some(block.into())
}

pub(super) fn button(action: &str, text: &str, value: String) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(plain_text(text, escape::BUTTON_TEXT).into())
        .with_action_id(SlackActionId(action.to_owned()))
        .with_value(value)
}

/// A "are you sure?" dialog for a button that pages or changes many incidents.
pub(super) fn confirm(title: &str, text: &str, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(
        plain_text(title, 100).into(),
        SlackBlockPlainText::new(text.to_owned()).into(),
        plain_text(yes, 30).into(),
        plain_text("Cancel", 30).into(),
    )
}

fn color(i: &Incident) -> &'static str {
    match i.status {
        IncidentStatus::Triggered => match i.severity {
            Severity::Critical => "#d92d20",
            Severity::Error => "#f97316",
            Severity::Warning => "#eab308",
            Severity::Info => "#3b82f6",
        },
        IncidentStatus::Acknowledged => ACKNOWLEDGED_COLOR,
        IncidentStatus::Resolved => RESOLVED_COLOR,
    }
}

/// A `plain_text` object Slack shows as is (emoji rendered), cut to `max` characters.
pub(super) fn plain_text(text: &str, max: usize) -> SlackBlockPlainText {
    SlackBlockPlainText::new(escape::plain(text, max)).with_emoji(true)
}

/// A `mrkdwn` text object; the text must already be escaped where untrusted.
pub(super) fn md(text: String) -> SlackBlockText {
    SlackBlockMarkDownText::new(text).with_verbatim(true).into()
}

/// A section block of (escaped) mrkdwn, cut to the section limit.
pub(super) fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md(escape::truncate(&text, SECTION_TEXT)))
        .into()
}

/// A time every reader sees in their own zone: `<!date^…^{time}|03:05 UTC>`, with the day when
/// it is not today (in UTC).
pub(super) fn slack_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    date_token(t, t.date_naive() != now.date_naive())
}

pub(super) fn date_token(t: DateTime<Utc>, with_day: bool) -> String {
    let (format, fallback) = if with_day {
        (
            "{date_short_pretty} at {time}",
            t.format("%a %d %b %H:%M UTC"),
        )
    } else {
        ("{time}", t.format("%H:%M UTC"))
    };
    format!("<!date^{}^{format}|{fallback}>", t.timestamp())
}

#[cfg(test)]
mod tests;
