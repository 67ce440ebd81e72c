//! What a page says on a phone: the SMS text (one 160-character message, never split) and the
//! TwiML a call speaks. Alert titles are untrusted: control and bidi characters are dropped and
//! everything spoken is XML-escaped. A text's head and a status notice are the documents an
//! email's subject is built from too ([`crate::plain`]); what a call says is worded for the ear.

use std::collections::HashMap;

use firebell_commands::Doc;
use firebell_engine::kinds::{Actor, IncidentStatus, Severity};
use firebell_engine::{Incident, IncidentNumber};

use crate::plain::{self, page_head, status_notice, status_words};

/// One SMS segment: longer texts are split by carriers, arrive out of order, and cost more.
pub const SMS_MAX_CHARS: usize = 160;
/// Twilio refuses inline TwiML longer than this.
pub const TWIML_MAX_CHARS: usize = 4000;
/// The longest title a call reads out; beyond that nobody is listening any more.
const SPOKEN_TITLE_MAX_CHARS: usize = 200;

/// The facts a page names, borrowed from the incident as it is now (pure values, so the
/// wording is tested without a database).
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub number: IncidentNumber,
    pub severity: Severity,
    pub service: &'a str,
    pub title: &'a str,
}

impl<'a> From<&'a Incident> for About<'a> {
    fn from(i: &'a Incident) -> Self {
        Self {
            number: i.number,
            severity: i.severity,
            // The host when the monitor named one (`db-01`: what the person woken up recognises
            // first, as in PagerDuty's texts), else the service.
            service: i.source.as_deref().unwrap_or(i.service.as_str()),
            title: &i.title,
        }
    }
}

/// Drops control and bidi-format characters, turns every run of whitespace into one space, and
/// trims: what is left is safe on one line of a phone screen or in a speech synthesizer.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else if is_hidden(c) {
            continue;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Control characters and the bidi marks, embeddings, overrides and isolates: what makes text
/// read differently from what it is, on a phone or in a mail client.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Cuts `text` to at most `max` characters, ending in `…` when anything was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// `firebell #42 CRITICAL web: disk full. Reply 4 ack, 6 resolve` — the title is shortened to
/// fit one SMS.
pub fn page_sms(incident: About<'_>) -> String {
    let head = page_head(incident.number, incident.severity, incident.service);
    let prefix = plain::render(&Doc::new().text("firebell ").append(head));
    let suffix = ". Reply 4 ack, 6 resolve";
    let room = SMS_MAX_CHARS.saturating_sub(prefix.chars().count() + suffix.chars().count());
    let title = truncate(&clean(incident.title), room);
    truncate(&format!("{prefix}{title}{suffix}"), SMS_MAX_CHARS)
}

/// `firebell #42 acknowledged by Bob Brown`.
pub fn notice_sms(
    n: IncidentNumber,
    status: IncidentStatus,
    actor: &Actor,
    names: &HashMap<String, String>,
) -> String {
    let notice = status_notice(n, status, &display_name(actor, names));
    let text = plain::render(&Doc::new().text("firebell ").append(notice));
    truncate(&clean(&text), SMS_MAX_CHARS)
}

/// The person's name for a configured user id; an API token or monitor keeps its own name.
pub fn display_name(actor: &Actor, names: &HashMap<String, String>) -> String {
    names
        .get(&actor.name)
        .cloned()
        .unwrap_or_else(|| actor.name.clone())
}

/// Escapes the five XML special characters.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// "This is firebell incident 42, critical, web: disk full."
fn spoken_intro(incident: About<'_>) -> String {
    format!(
        "This is firebell incident {}, {}, {}: {}.",
        incident.number.get(),
        incident.severity,
        clean(incident.service),
        truncate(&clean(incident.title), SPOKEN_TITLE_MAX_CHARS)
    )
}

/// What a call says about an incident, ending in the key choices.
pub fn spoken_prompt(incident: About<'_>) -> String {
    format!(
        "{} Press 4 to acknowledge, 6 to resolve, 5 to escalate.",
        spoken_intro(incident)
    )
}

/// The call's TwiML: read the incident, take one key press and post it to `/twilio/voice`.
/// Without a public URL there is nowhere to post to, so the call only reads the page out.
pub fn page_twiml(incident: About<'_>, public_url: Option<&str>) -> String {
    match public_url {
        Some(base) => gather(&xml_escape(&spoken_prompt(incident)), base, incident.number),
        None => say_twiml(&format!(
            "{} Acknowledge it in chat.",
            spoken_intro(incident)
        )),
    }
}

/// `<Gather>` around an already escaped prompt, posting the digit back for incident `n`.
pub fn gather(escaped_prompt: &str, public_url: &str, n: IncidentNumber) -> String {
    let action = xml_escape(&format!(
        "{}/twilio/voice?incident={}",
        public_url.trim_end_matches('/'),
        n.get()
    ));
    format!(
        "<Response><Gather numDigits=\"1\" action=\"{action}\" method=\"POST\"><Say>{escaped_prompt}</Say></Gather><Say>No input received. Goodbye.</Say></Response>"
    )
}

/// A call that only says something and hangs up.
pub fn say_twiml(text: &str) -> String {
    format!(
        "<Response><Say>{}</Say></Response>",
        xml_escape(&clean(text))
    )
}

/// An SMS reply.
pub fn message_twiml(text: &str) -> String {
    format!(
        "<Response><Message>{}</Message></Response>",
        xml_escape(&clean(text))
    )
}

/// The text a voice status notice speaks.
pub fn notice_spoken(
    n: IncidentNumber,
    status: IncidentStatus,
    actor: &Actor,
    names: &HashMap<String, String>,
) -> String {
    format!(
        "This is firebell. Incident {} was {} by {}. Goodbye.",
        n.get(),
        status_words(status),
        display_name(actor, names)
    )
}

#[cfg(test)]
mod tests;
