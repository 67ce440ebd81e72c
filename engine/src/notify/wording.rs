//! What the timeline says about paging: one place for the wording, so chat, postmortems and
//! reports read the same sentences.

use crate::domain::incident::TimelineKind;
use crate::domain::kinds::{Channel, ContactMethod};
use crate::domain::wording::user as who;
use crate::notify::{Delivered, Notification, Outgoing};
use crate::store::outbox::TimelineNote;

/// "by SMS", "by voice call", "in chat", "by email".
pub fn by_method(m: ContactMethod) -> &'static str {
    match m {
        ContactMethod::Chat => "in chat",
        ContactMethod::Sms => "by SMS",
        ContactMethod::Voice => "by voice call",
        ContactMethod::Email => "by email",
    }
}

/// The channel a timeline entry about `m` is recorded under.
pub fn channel_of(m: ContactMethod) -> Channel {
    match m {
        ContactMethod::Chat => Channel::System,
        ContactMethod::Sms => Channel::Sms,
        ContactMethod::Voice => Channel::Voice,
        ContactMethod::Email => Channel::Email,
    }
}

/// "SMS", "Call", "Email", "Chat mention": a page by `m`, at the start of a sentence.
pub(crate) fn noun(m: ContactMethod) -> &'static str {
    match m {
        ContactMethod::Chat => "Chat mention",
        ContactMethod::Sms => "SMS",
        ContactMethod::Voice => "Call",
        ContactMethod::Email => "Email",
    }
}

/// The timeline entry for a delivered page or notice, `None` for plain room posts.
pub(crate) fn delivered(msg: &Outgoing, d: &Delivered) -> Option<TimelineNote> {
    let r = msg.recipient.as_ref()?;
    let incident_id = msg.incident.as_ref()?.number.get();
    let via = d
        .provider
        .as_deref()
        .map(|p| format!(" via {p}"))
        .unwrap_or_default();
    let note = d
        .note
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    let message = match &msg.notification {
        Notification::Paged { level, .. } => format!(
            "Notified {} {} (level {level}){via}{note}",
            who(&r.user),
            by_method(r.method)
        ),
        Notification::StatusNotice { status, .. } => format!(
            "Told {} {} that the incident is {status}{via}{note}",
            who(&r.user),
            by_method(r.method)
        ),
        _ => return None,
    };
    Some(TimelineNote {
        incident_id,
        kind: TimelineKind::Notified,
        channel: channel_of(r.method),
        message,
        room_echo: page_echo(msg, None),
    })
}

/// For a page by phone or email, the room post that tells the chat thread about it.
fn page_echo(msg: &Outgoing, failed: Option<&str>) -> Option<(String, Notification)> {
    let r = msg.recipient.as_ref()?;
    match &msg.notification {
        Notification::Paged { level, .. } if r.method != ContactMethod::Chat => Some((
            msg.room.name.clone(),
            Notification::PageSent {
                user: r.user.id.as_str().to_owned(),
                method: r.method,
                level: *level,
                failed: failed.map(str::to_owned),
            },
        )),
        _ => None,
    }
}

/// The timeline entry for a page that could not be delivered at all.
pub(crate) fn gave_up(msg: &Outgoing, error: &str) -> Option<TimelineNote> {
    let r = msg.recipient.as_ref()?;
    let incident_id = msg.incident.as_ref()?.number.get();
    let what = match &msg.notification {
        Notification::Paged { level, .. } => format!("page (level {level})"),
        _ => "notice".to_owned(),
    };
    Some(TimelineNote {
        incident_id,
        kind: TimelineKind::Notified,
        channel: channel_of(r.method),
        message: format!(
            "Could not reach {} {}: {what} failed: {error}",
            who(&r.user),
            by_method(r.method)
        ),
        room_echo: page_echo(msg, Some(error)),
    })
}

/// The timeline entry for a page that was not sent because its incident no longer wants it
/// ("SMS to Alice Adams (alice) cancelled: acknowledged by bob").
pub(crate) fn cancelled(msg: &Outgoing, reason: &str) -> Option<TimelineNote> {
    let r = msg.recipient.as_ref()?;
    let incident_id = msg.incident.as_ref()?.number.get();
    Some(TimelineNote {
        incident_id,
        kind: TimelineKind::Notified,
        channel: channel_of(r.method),
        message: format!("{} to {} cancelled: {reason}", noun(r.method), who(&r.user)),
        room_echo: None,
    })
}
