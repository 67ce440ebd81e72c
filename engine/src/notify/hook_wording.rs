//! What the incident's timeline says when a webhook could not be delivered. Successful
//! deliveries add nothing: the timeline is for people, and a status lamp being told is not news.

use crate::domain::incident::TimelineKind;
use crate::domain::kinds::Channel;
use crate::notify::{Notification, Outgoing};
use crate::store::outbox::TimelineNote;

/// "Webhook `status-lamp` gave up on incident.resolved after 12 attempts: HTTP 500 Internal
/// Server Error", or, for an answer retrying cannot change, "… failed …: HTTP 404 Not Found
/// (not retried)". `None` for anything but a webhook row about an incident.
pub(crate) fn gave_up(msg: &Outgoing, error: &str, retryable: bool) -> Option<TimelineNote> {
    let Notification::Webhook {
        subscription,
        event_type,
        ..
    } = &msg.notification
    else {
        return None;
    };
    let incident_id = msg.incident.as_ref()?.number.get();
    let message = if retryable {
        let tries = if msg.attempt == 1 {
            "1 attempt".to_owned()
        } else {
            format!("{} attempts", msg.attempt)
        };
        format!("Webhook `{subscription}` gave up on {event_type} after {tries}: {error}")
    } else {
        format!("Webhook `{subscription}` failed on {event_type}: {error} (not retried)")
    };
    Some(TimelineNote {
        incident_id,
        kind: TimelineKind::Notified,
        channel: Channel::System,
        message,
        room_echo: None,
    })
}
