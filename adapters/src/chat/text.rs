//! The wording of firebell's text-only chat lines, written once for every chat platform: an
//! incident's thread entries, pages by phone or email, the storm page, and room notices about no
//! one incident (hand-offs, maintenance). The words and their order are the same on Slack and
//! Discord, so a change to them lands on both; what differs is the platform's [`Dialect`] — how
//! untrusted text is escaped, how config names, italics and times are written, and how long a
//! line may be.
//!
//! Command replies are not here: each platform turns firebell's light Markdown into its own, and
//! those rules share nothing.

use chrono::{DateTime, Utc};
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{ContactMethod, Incident, IncidentStatus, Urgency};

pub use parts::{
    after, duration, incident_icon, join_capped, more, name, severity_icon, severity_label,
    severity_name, status_line, status_mark, title_line, via,
};

mod parts;

/// At most this many incident numbers in a hand-off notice.
const MAX_NUMBERS: usize = 20;

/// How one chat platform writes the shared wording. Every fn returns text that is safe to send
/// as is: untrusted input escaped, nothing that can mention, link or break out.
pub trait Dialect {
    /// Budget for a person's or a config name.
    const NAME_CHARS: usize;
    /// Budget for a note or resolve note.
    const NOTE_CHARS: usize;
    /// Budget for a list of people.
    const PEOPLE_CHARS: usize;

    /// Untrusted text on one line (line breaks become spaces), at most `max` long.
    fn line(text: &str, max: usize) -> String;
    /// Untrusted text, line breaks kept, at most `max` long.
    fn within(text: &str, max: usize) -> String;
    /// A name from the config (policy, schedule, maintenance matcher), to sit between backticks.
    fn config_name(name: &str) -> String;
    /// Text that is already escaped, in italics.
    fn italic(escaped: &str) -> String;
    /// A date and time that each reader sees in their own zone.
    fn when(t: DateTime<Utc>) -> String;
    /// A length as the platform's limits count it.
    fn len(text: &str) -> usize;
    /// A whole line cut to what one message holds, never inside an escape or a token.
    fn fit(text: &str) -> String;
}

/// The thread entry for a timeline notification, or `None` when it adds nothing to the thread:
/// the opening and new alerts (the card shows them), a page for an incident someone already
/// took (no 3 a.m. ping for nothing), and notices that are not about the thread's incident.
/// `mention(user_id)` gives `<@…>` for a linked user or the escaped display name.
pub fn thread_entry<D: Dialect>(
    n: &Notification,
    incident: Option<&Incident>,
    now: DateTime<Utc>,
    mention: &dyn Fn(&str) -> String,
) -> Option<String> {
    let text = match n {
        Notification::IncidentOpened
        | Notification::AlertsAdded
        // Told by the notifier with the person's name (`page_sent`), not a second ping.
        | Notification::PageSent { .. }
        | Notification::StatusNotice { .. }
        | Notification::Handoff { .. }
        | Notification::Maintenance { .. }
        | Notification::Digest { .. }
        // Webhooks go to their receivers, never to a chat thread.
        | Notification::Webhook { .. } => return None,
        Notification::Paged { .. }
            if incident.is_some_and(|i| i.status != IncidentStatus::Triggered) =>
        {
            return None;
        }
        Notification::Paged {
            user,
            level,
            urgency,
            ..
        } => {
            let low = if *urgency == Urgency::Low {
                ", low urgency"
            } else {
                ""
            };
            format!(
                "📟 {} you're on call for this — level {level}{low}. Ack with the button or `!ack`.",
                mention(user)
            )
        }
        Notification::Acknowledged { actor } => {
            format!(
                "✅ Acknowledged by {}{}",
                mention(&actor.name),
                via(actor.channel)
            )
        }
        Notification::Resolved { actor, note } => format!(
            "🟢 Resolved by {}{}{}{}",
            mention(&actor.name),
            incident.map(|i| after(i, now)).unwrap_or_default(),
            via(actor.channel),
            note.as_deref().map(note_text::<D>).unwrap_or_default()
        ),
        Notification::Note { actor, text } => {
            format!(
                "📝 Note from {}{}",
                mention(&actor.name),
                note_text::<D>(text)
            )
        }
        Notification::Escalated {
            actor,
            level,
            users,
        } => {
            let by = match actor {
                Some(a) => format!(" by {}", mention(&a.name)),
                None => " (not acknowledged in time)".to_owned(),
            };
            let who = if users.is_empty() {
                " — nobody to page at this level".to_owned()
            } else {
                let people = users.iter().map(|u| mention(u));
                format!(": {}", join_capped::<D>(people, D::PEOPLE_CHARS))
            };
            format!("⏫ Escalated to level {level}{by}{who}")
        }
        Notification::PolicyExhausted { policy } => format!(
            "🚨 Nobody acknowledged — escalation policy `{}` has no one left to page.",
            D::config_name(policy)
        ),
        Notification::Retriggered { reason } => format!(
            "🔔 Re-triggered — {}. Ack again with the button or `!ack`.",
            D::line(reason, 500)
        ),
    };
    Some(D::fit(&text))
}

/// The thread entry for a page by phone or email: "📱 Texted Alice Adams (level 1)", or why it
/// could not go out. By name, not mention: the person was already pinged in chat.
pub fn page_sent<D: Dialect>(
    name: &str,
    method: ContactMethod,
    level: u32,
    failed: Option<&str>,
) -> String {
    use ContactMethod as M;
    let name = D::line(name, D::NAME_CHARS);
    let (mark, did, could) = match method {
        M::Sms => ("📱", "Texted", "text"),
        M::Voice => ("📞", "Called", "call"),
        M::Email => ("✉️", "Emailed", "email"),
        M::Chat => ("📟", "Paged", "page"),
    };
    match failed {
        None => format!("{mark} {did} {name} (level {level})"),
        Some(why) => format!(
            "⚠️ Could not {could} {name} (level {level}): {}",
            D::line(why, 300)
        ),
    }
}

/// The one page line in a storm summary's thread. `mention` is already the platform's.
pub fn storm_page(mention: &str) -> String {
    format!(
        "📟 {mention} you're on call for the incidents in this storm. `!ack all` acknowledges \
         every one you're paged for; the summary above lists them."
    )
}

/// ` — one line` in italics, or `:` and the lines quoted below; nothing for an empty note.
fn note_text<D: Dialect>(note: &str) -> String {
    let note = note.trim();
    if note.is_empty() {
        String::new()
    } else if !note.contains('\n') {
        format!(" — {}", D::italic(&D::line(note, D::NOTE_CHARS)))
    } else {
        let lines: Vec<String> = D::within(note, D::NOTE_CHARS)
            .lines()
            .map(|l| format!("> {l}"))
            .collect();
        format!(":\n{}", lines.join("\n"))
    }
}

/// A room post about no one incident: a schedule hand-off, or a maintenance window starting,
/// about to end, or ended. Wording as on the console; people by display name, except the person
/// now on call, who is mentioned.
pub fn room_notice<D: Dialect>(
    n: &Notification,
    mention: &dyn Fn(&str) -> String,
    names: &dyn Fn(&str) -> String,
) -> Option<String> {
    let text = match n {
        Notification::Handoff {
            schedule,
            from,
            to,
            open_incidents,
        } => {
            let now = match to {
                Some(to) => format!("{} is on call now", mention(to)),
                None => "nobody is on call now".to_owned(),
            };
            let was = from
                .as_deref()
                .map(|f| format!(" (was {})", name::<D>(names, f)))
                .unwrap_or_default();
            let open = if open_incidents.is_empty() {
                String::new()
            } else {
                let shown: Vec<String> = open_incidents
                    .iter()
                    .take(MAX_NUMBERS)
                    .map(|n| format!("#{n}"))
                    .collect();
                format!(
                    " · open: {}{}",
                    shown.join(", "),
                    more(open_incidents.len(), MAX_NUMBERS)
                )
            };
            format!(
                "🔁 Schedule `{}`: {now}{was}{open}",
                D::config_name(schedule)
            )
        }
        Notification::Maintenance {
            window: id,
            phase,
            matcher,
            reason,
            by,
            ends_at,
            suppressed,
        } => {
            let matcher = D::config_name(matcher);
            let until = DateTime::<Utc>::from_timestamp_micros(ends_at.micros())
                .map(D::when)
                .unwrap_or_else(|| "an unknown time".to_owned());
            let suppressed = match suppressed {
                0 => "no alerts suppressed".to_owned(),
                1 => "1 alert suppressed".to_owned(),
                k => format!("{k} alerts suppressed"),
            };
            let reason = reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!(" — {}", D::line(r, 500)))
                .unwrap_or_default();
            let by = name::<D>(names, by);
            match phase {
                MaintenancePhase::Started => format!(
                    "🔧 Maintenance {id} started for `{matcher}` by {by} until {until}{reason}\n\
                     Alerts that match are recorded but page nobody · end it early with \
                     `!maintenance end {id}`"
                ),
                MaintenancePhase::EndingSoon => format!(
                    "🔧 Maintenance {id} for `{matcher}` ends at {until} · {suppressed} so far{reason}"
                ),
                MaintenancePhase::Ended => {
                    format!("🔧 Maintenance {id} for `{matcher}` ended (by {by}) · {suppressed}")
                }
            }
        }
        _ => return None,
    };
    Some(D::fit(&text))
}
