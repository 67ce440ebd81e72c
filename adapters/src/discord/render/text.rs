//! The messages that are text only: an incident's thread entries, room notices about no one
//! incident (hand-offs, maintenance), and command replies. Same wording as on Slack.

use chrono::{DateTime, Utc};
use firebell_commands::{Reply, Tone};
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{ContactMethod, Incident, IncidentStatus, Urgency};

use super::NAME_CHARS;
use super::parts::{after, join_capped, name, via};
use crate::discord::escape::{self, CONTENT};

/// Budgets for a note or resolve note, and for a list of people: a line stays one message.
const NOTE_CHARS: usize = 1200;
const PEOPLE_CHARS: usize = 500;
/// At most this many incident numbers in a hand-off notice.
const MAX_NUMBERS: usize = 20;

/// The thread entry for a timeline notification, or `None` when it adds nothing to the thread:
/// the opening and new alerts (the card shows them), a page for an incident someone already
/// took (no 3 a.m. ping for nothing), and notices that are not about the thread's incident.
/// `mention(user_id)` gives `<@…>` for a linked user or the escaped display name.
pub fn thread_entry(
    n: &Notification,
    incident: &Incident,
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
        Notification::Paged { .. } if incident.status != IncidentStatus::Triggered => return None,
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
            after(incident, now),
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
            escape::code(policy, NAME_CHARS)
        ),
        Notification::Retriggered { reason } => format!(
            "🔔 Re-triggered — {}. Ack again with the button or `!ack`.",
            escape::markdown_line(reason, 500)
        ),
    };
    Some(escape::truncate(&text, CONTENT))
}

/// The thread entry for a page by phone or email: "📱 Texted Alice Adams (level 1)", or why it
/// could not go out. By name, not mention: the person was already pinged in chat.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> String {
    use ContactMethod as M;
    let name = escape::markdown_line(name, NAME_CHARS);
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
            escape::markdown_line(why, 300)
        ),
    }
}

/// The one page line in a storm summary's thread.
pub fn storm_page(mention: &str) -> String {
    format!(
        "📟 {mention} you're on call for the incidents in this storm. `!ack all` acknowledges \
         every one you're paged for; the summary above lists them."
    )
}

/// ` — *one line*`, or `:` and the lines quoted below; nothing for an empty note.
fn note_text(note: &str) -> String {
    let note = note.trim();
    if note.is_empty() {
        String::new()
    } else if !note.contains('\n') {
        format!(" — *{}*", escape::markdown_line(note, NOTE_CHARS))
    } else {
        let lines: Vec<String> = escape::markdown_within(note, NOTE_CHARS)
            .lines()
            .map(|l| format!("> {l}"))
            .collect();
        format!(":\n{}", lines.join("\n"))
    }
}

/// A room post about no one incident: a schedule hand-off, or a maintenance window starting,
/// about to end, or ended. People by display name, except the person now on call, who is
/// mentioned.
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
                escape::code(schedule, NAME_CHARS)
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
            let matcher = escape::code(matcher, NAME_CHARS);
            let until = DateTime::<Utc>::from_timestamp_micros(*ends_at)
                .map(|t| format!("<t:{}:f>", t.timestamp()))
                .unwrap_or_else(|| "an unknown time".to_owned());
            let suppressed = match suppressed {
                0 => "no alerts suppressed".to_owned(),
                1 => "1 alert suppressed".to_owned(),
                k => format!("{k} alerts suppressed"),
            };
            let reason = reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!(" — {}", escape::markdown_line(r, 500)))
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
    Some(escape::truncate(&text, CONTENT))
}

/// ` and 7 more` when `total` items were cut to `shown`.
fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" and {} more", total - shown)
    } else {
        String::new()
    }
}

/// A command's reply as Discord Markdown: a mark for its tone, then the text. The text is our
/// own light Markdown, which is kept (`*bold*` becomes Discord's `**bold**`, `` `code` `` stays),
/// but replies echo what people typed and incident titles, so everything else is escaped
/// (outside code) or defused (inside).
pub fn reply(r: &Reply) -> String {
    let mark = match r.tone {
        Tone::Success => "✅",
        Tone::Info => "ℹ️",
        Tone::Error => "⚠️",
    };
    let lines: Vec<String> = r.text.lines().map(light_markdown).collect();
    escape::truncate(&format!("{mark} {}", lines.join("\n")), CONTENT)
}

/// One line of light Markdown: code spans first (nothing inside them is formatting), then
/// `*bold*` in the rest. An unmatched marker shows as typed.
fn light_markdown(line: &str) -> String {
    let segments: Vec<&str> = line.split('`').collect();
    let closed = segments.len() % 2 == 1;
    let mut out = String::new();
    for (k, segment) in segments.iter().enumerate() {
        let unmatched = !closed && k == segments.len() - 1;
        match (k % 2 == 1, unmatched) {
            (true, false) => {
                out.push('`');
                out.push_str(&escape::code(segment, usize::MAX));
                out.push('`');
            }
            (true, true) => {
                out.push_str("\\`");
                out.push_str(&bold(segment));
            }
            (false, _) => out.push_str(&bold(segment)),
        }
    }
    out
}

fn bold(text: &str) -> String {
    let parts: Vec<&str> = text.split('*').collect();
    let closed = parts.len() % 2 == 1;
    let mut out = String::new();
    for (k, part) in parts.iter().enumerate() {
        let unmatched = !closed && k == parts.len() - 1;
        match (k % 2 == 1, unmatched || part.is_empty()) {
            (true, false) => out.push_str(&format!("**{}**", escape::markdown(part))),
            (true, true) => {
                out.push_str("\\*");
                out.push_str(&escape::markdown(part));
                if !unmatched {
                    out.push_str("\\*");
                }
            }
            (false, _) => out.push_str(&escape::markdown(part)),
        }
    }
    out
}
