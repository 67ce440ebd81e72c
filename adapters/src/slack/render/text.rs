//! The messages that are mrkdwn text only: an incident's thread entries, room notices about no
//! one incident (hand-offs, maintenance), and command replies.

use chrono::{DateTime, Utc};
use firebell_commands::{Reply, Tone};
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{Incident, IncidentStatus, Urgency};

use super::{NAME_CHARS, after, date_token, join_capped, name, via};
use crate::slack::escape::{self, SECTION_TEXT};

/// Budgets (characters) for a note or resolve note, and for a list of people.
const NOTE_CHARS: usize = 2500;
const PEOPLE_CHARS: usize = 1500;
/// At most this many incident numbers in a hand-off notice.
const MAX_NUMBERS: usize = 20;

/// The thread entry for a timeline notification, or `None` when it adds nothing to the thread:
/// the opening and new alerts (the card shows them), a page for an incident someone already
/// took (no 3 a.m. ping for nothing), and notices that are not about the thread's incident.
/// `mention(user_id)` gives `<@U…>` for a linked user or the escaped display name.
pub fn thread_entry(
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
        | Notification::Maintenance { .. } => return None,
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
            note.as_deref().map(note_text).unwrap_or_default()
        ),
        Notification::Note { actor, text } => {
            format!("📝 Note from {}{}", mention(&actor.name), note_text(text))
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
                format!(
                    ": {}",
                    join_capped(users.iter().map(|u| mention(u)), PEOPLE_CHARS)
                )
            };
            format!("⏫ Escalated to level {level}{by}{who}")
        }
        Notification::PolicyExhausted { policy } => format!(
            "🚨 Nobody acknowledged — escalation policy `{}` has no one left to page.",
            escape::mrkdwn_line(policy, NAME_CHARS)
        ),
        Notification::Retriggered { reason } => format!(
            "🔔 Re-triggered — {}. Ack again with the button or `!ack`.",
            escape::mrkdwn_line(reason, 500)
        ),
    };
    Some(escape::truncate(&text, SECTION_TEXT))
}

/// The thread entry for a page by phone or email: "📱 Texted Alice Adams (level 1)", or why it
/// could not go out. By name, not mention: the person was already pinged in chat.
pub fn page_sent(
    name: &str,
    method: firebell_engine::ContactMethod,
    level: u32,
    failed: Option<&str>,
) -> String {
    use firebell_engine::ContactMethod as M;
    let name = escape::mrkdwn_line(name, NAME_CHARS);
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
            escape::mrkdwn_line(why, 300)
        ),
    }
}

/// ` — _one line_`, or `:` and the lines quoted below; nothing for an empty note.
fn note_text(note: &str) -> String {
    let note = note.trim();
    if note.is_empty() {
        String::new()
    } else if !note.contains('\n') {
        format!(" — _{}_", escape::mrkdwn_line(note, NOTE_CHARS))
    } else {
        let lines: Vec<String> = escape::mrkdwn_within(note, NOTE_CHARS)
            .lines()
            .map(|l| format!("> {l}"))
            .collect();
        format!(":\n{}", lines.join("\n"))
    }
}

/// A room post about no one incident: a schedule hand-off, or a maintenance window starting,
/// about to end, or ended. Wording as on the console; people by display name, except the person
/// now on call, who is mentioned.
pub fn room_notice(
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
                .map(|f| format!(" (was {})", name(names, f)))
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
                escape::mrkdwn_line(schedule, NAME_CHARS)
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
            let matcher = escape::mrkdwn_line(matcher, NAME_CHARS);
            let until = DateTime::<Utc>::from_timestamp_micros(*ends_at)
                .map(|t| date_token(t, true))
                .unwrap_or_else(|| "an unknown time".to_owned());
            let suppressed = match suppressed {
                0 => "no alerts suppressed".to_owned(),
                1 => "1 alert suppressed".to_owned(),
                k => format!("{k} alerts suppressed"),
            };
            let reason = reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!(" — {}", escape::mrkdwn_line(r, 500)))
                .unwrap_or_default();
            let by = name(names, by);
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
    Some(escape::truncate(&text, SECTION_TEXT))
}

/// ` and 7 more` when `total` items were cut to `shown`.
fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" and {} more", total - shown)
    } else {
        String::new()
    }
}

/// A command's reply as mrkdwn: a mark for its tone, then the text. The text is our own light
/// Markdown (`*bold*`, `` `code` ``), kept; but replies echo what people typed and incident
/// titles, so `&`, `<`, `>` are escaped and bare broadcasts defused all the same.
pub fn reply(r: &Reply) -> String {
    let mark = match r.tone {
        Tone::Success => "✅",
        Tone::Info => "ℹ️",
        Tone::Error => "⚠️",
    };
    let text = format!("{mark} {}", escape::entities(&r.text));
    escape::truncate(&text, escape::MESSAGE_TEXT)
}
