//! The wording of firebell's text-only chat lines, written once for every chat platform: an
//! incident's thread entries, pages by phone or email, the storm page, and room notices about no
//! one incident (hand-offs, maintenance). Each is built as a [`Doc`]: our words as text and code
//! spans, what came from people or the config (names, notes, reasons, policies) as spans with a
//! [`Budget`], people as mentions and times as time spans. The words and their order are the
//! same on Slack and Discord, so a change to them lands on both; each platform's document
//! renderer does the rest (escaping, mentions, time tokens, how long a name may be, fitting one
//! message).

use chrono::{DateTime, Utc};
use firebell_commands::{Budget, Doc, Person, Span};
use firebell_engine::notify::{MaintenancePhase, Notification};
use firebell_engine::{ContactMethod, Incident, IncidentStatus, Urgency};

use super::view::Window;

pub use parts::{
    after, duration, incident_icon, join_capped, more, severity_icon, severity_label,
    severity_name, status_line, status_mark, title_line, via,
};

mod parts;

/// At most this many incident numbers in a hand-off notice.
const MAX_NUMBERS: usize = 20;

/// Untrusted text on one line, cut to what the platform allows for `budget`.
fn within(budget: Budget, text: &str) -> Span {
    Span::Within(budget, Box::new(Span::Text(text.to_owned())))
}

/// A name from the config (policy, schedule, maintenance matcher), as code.
fn config_name(name: &str) -> Span {
    Span::Within(Budget::Name, Box::new(Span::Code(name.to_owned())))
}

/// The thread entry for a timeline notification, or `None` when it adds nothing to the thread:
/// the opening and new alerts (the card shows them), a page for an incident someone already
/// took (no 3 a.m. ping for nothing), and notices that are not about the thread's incident.
/// `person(user_id)` names a firebell user as the platform knows them (to mention them).
pub fn thread_entry(
    n: &Notification,
    incident: Option<&Incident>,
    now: DateTime<Utc>,
    person: &dyn Fn(&str) -> Person,
) -> Option<Doc> {
    let doc = match n {
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
            Doc::new()
                .text("📟 ")
                .mention(person(user))
                .text(format!(
                    " you're on call for this — level {level}{low}. Ack with the button or "
                ))
                .code("!ack")
                .text(".")
        }
        Notification::Acknowledged { actor } => Doc::new()
            .text("✅ Acknowledged by ")
            .mention(person(&actor.name))
            .text(via(actor.channel)),
        Notification::Resolved { actor, note } => {
            let doc = Doc::new()
                .text("🟢 Resolved by ")
                .mention(person(&actor.name))
                .text(incident.map(|i| after(i, now)).unwrap_or_default())
                .text(via(actor.channel));
            with_note(doc, note.as_deref().unwrap_or_default())
        }
        Notification::Note { actor, text } => {
            let doc = Doc::new()
                .text("📝 Note from ")
                .mention(person(&actor.name));
            with_note(doc, text)
        }
        Notification::Escalated {
            actor,
            level,
            users,
        } => escalated(*level, actor.as_ref(), users, person),
        Notification::PolicyExhausted { policy } => Doc::new()
            .text("🚨 Nobody acknowledged — escalation policy ")
            .span(config_name(policy))
            .text(" has no one left to page."),
        Notification::Retriggered { reason } => Doc::new()
            .text("🔔 Re-triggered — ")
            .span(within(Budget::Chars(500), reason))
            .text(". Ack again with the button or ")
            .code("!ack")
            .text("."),
    };
    Some(doc)
}

/// "⏫ Escalated to level 2 by @bob: @carol, @dave", or why nobody was paged.
fn escalated(
    level: u32,
    actor: Option<&firebell_engine::Actor>,
    users: &[String],
    person: &dyn Fn(&str) -> Person,
) -> Doc {
    let doc = Doc::new().text(format!("⏫ Escalated to level {level}"));
    let doc = match actor {
        Some(a) => doc.text(" by ").mention(person(&a.name)),
        None => doc.text(" (not acknowledged in time)"),
    };
    if users.is_empty() {
        doc.text(" — nobody to page at this level")
    } else {
        doc.text(": ")
            .people(users.iter().map(|u| person(u)).collect())
    }
}

/// The thread entry for a page by phone or email: "📱 Texted Alice Adams (level 1)", or why it
/// could not go out. By name, not mention: the person was already pinged in chat.
pub fn page_sent(name: &str, method: ContactMethod, level: u32, failed: Option<&str>) -> Doc {
    use ContactMethod as M;
    let (mark, did, could) = match method {
        M::Sms => ("📱", "Texted", "text"),
        M::Voice => ("📞", "Called", "call"),
        M::Email => ("✉️", "Emailed", "email"),
        M::Chat => ("📟", "Paged", "page"),
    };
    let name = within(Budget::Name, name);
    match failed {
        None => Doc::new()
            .text(format!("{mark} {did} "))
            .span(name)
            .text(format!(" (level {level})")),
        Some(why) => Doc::new()
            .text(format!("⚠️ Could not {could} "))
            .span(name)
            .text(format!(" (level {level}): "))
            .span(within(Budget::Chars(300), why)),
    }
}

/// The one page line in a storm summary's thread.
pub fn storm_page(who: Person) -> Doc {
    Doc::new()
        .text("📟 ")
        .mention(who)
        .text(" you're on call for the incidents in this storm. ")
        .code("!ack all")
        .text(" acknowledges every one you're paged for; the summary above lists them.")
}

/// ` — one line` in italics, or `:` and the lines quoted below; nothing for an empty note.
fn with_note(doc: Doc, note: &str) -> Doc {
    let note = note.trim();
    if note.is_empty() {
        doc
    } else if !note.contains('\n') {
        doc.text(" — ")
            .within(Budget::Note, Span::Italic(note.to_owned()))
    } else {
        doc.text(":").quote(note, Budget::Note)
    }
}

/// A room post about no one incident: a schedule hand-off, or a maintenance window starting,
/// about to end, or ended. Wording as on the console; people by display name (`names`), except
/// the person now on call, who is mentioned.
pub fn room_notice(
    n: &Notification,
    person: &dyn Fn(&str) -> Person,
    names: &dyn Fn(&str) -> String,
) -> Option<Doc> {
    match n {
        Notification::Handoff {
            schedule,
            from,
            to,
            open_incidents,
        } => {
            let doc = Doc::new()
                .text("🔁 Schedule ")
                .span(config_name(schedule))
                .text(": ");
            let mut doc = match to {
                Some(to) => doc.mention(person(to)).text(" is on call now"),
                None => doc.text("nobody is on call now"),
            };
            if let Some(from) = from {
                doc = doc
                    .text(" (was ")
                    .span(within(Budget::Name, &names(from)))
                    .text(")");
            }
            if !open_incidents.is_empty() {
                let shown: Vec<String> = open_incidents
                    .iter()
                    .take(MAX_NUMBERS)
                    .map(|n| format!("#{n}"))
                    .collect();
                doc = doc.text(format!(
                    " · open: {}{}",
                    shown.join(", "),
                    more(open_incidents.len(), MAX_NUMBERS)
                ));
            }
            Some(doc)
        }
        Notification::Maintenance { .. } => maintenance(n, names),
        _ => None,
    }
}

/// A maintenance window started, about to end, or ended.
fn maintenance(n: &Notification, names: &dyn Fn(&str) -> String) -> Option<Doc> {
    let w = Window::of(n)?;
    let id = w.id;
    let head = |words: &str| {
        Doc::new()
            .text(format!("🔧 Maintenance {id} {words}"))
            .span(config_name(w.matcher))
    };
    let until = |doc: Doc| match DateTime::<Utc>::from_timestamp_micros(w.ends_at) {
        Some(t) => doc.time(t),
        None => doc.text("an unknown time"),
    };
    let reason = |doc: Doc| match w.reason() {
        Some(r) => doc.text(" — ").span(within(Budget::Chars(500), r)),
        None => doc,
    };
    let by = within(Budget::Name, &names(w.by));
    Some(match w.phase {
        MaintenancePhase::Started => reason(until(
            head("started for ").text(" by ").span(by).text(" until "),
        ))
        .line()
        .text("Alerts that match are recorded but page nobody · end it early with ")
        .code(format!("!maintenance end {id}")),
        MaintenancePhase::EndingSoon => reason(
            until(head("for ").text(" ends at ")).text(format!(" · {} so far", w.suppressed())),
        ),
        MaintenancePhase::Ended => head("for ")
            .text(" ended (by ")
            .span(by)
            .text(format!(") · {}", w.suppressed())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::render::doc as discord;
    use crate::slack::render::doc as slack;

    /// One document, each platform's own way: mentions, time tokens, budgets and quotes.
    #[test]
    fn one_document_renders_as_each_platform_writes_it() {
        let person = |chat_id: Option<&str>, name: &str| Person {
            chat_id: chat_id.map(str::to_owned),
            name: name.to_owned(),
        };
        let at = DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
        let d = Doc::new()
            .mention(person(Some("U0ALICE"), "Alice"))
            .text(" ")
            .mention(person(None, "Bob *x*"))
            .text(" ")
            .time(at)
            .text(" ")
            .within(Budget::Chars(4), Span::Italic("a long note".into()))
            .text(":")
            .quote("> one\ntwo", Budget::Note);
        assert_eq!(
            slack::render(&d),
            "<@U0ALICE> Bob ∗x∗ <!date^1700000000^{date_short_pretty} at {time}|Tue 14 Nov \
             22:13 UTC> _a l…_:\n> \u{ad}&gt; one\n> two"
        );
        assert_eq!(
            discord::render(&d),
            "Alice Bob \\*x\\* <t:1700000000:f> *a l…*:\n> \\> one\n> two"
        );
    }
}
