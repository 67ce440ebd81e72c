//! Replay protection for inbound requests that act on incidents. Twilio signs a webhook without
//! a timestamp, so a captured SMS reply or key press could be sent again at any time; Slack
//! retries an event it thinks we missed. Each carries an id of its own (`MessageSid`,
//! `CallSid` + the key pressed, `event_id`), and [`Engine::first_delivery`](crate::Engine::first_delivery) records it in the
//! database: the first delivery acts, every later one changes nothing — across restarts and
//! replicas. Rows expire after [`Delivery::kept_for`] and the timer worker deletes them
//! ([`crate::retention`]).

use chrono::Duration;

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::store::inbound;

/// Where a request came from, which says how long its id must be remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// An SMS reply, by its `MessageSid`.
    TwilioSms,
    /// A key press during a call, by `CallSid` and the digits.
    TwilioKeyPress,
    /// A Slack Events API (or Socket Mode) event, by its `event_id`.
    SlackEvent,
}

/// Longest id kept; real ones are 34 (Twilio) or about a dozen (Slack) characters.
const MAX_KEY_BYTES: usize = 200;

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::TwilioSms => "twilio_sms",
            Delivery::TwilioKeyPress => "twilio_key",
            Delivery::SlackEvent => "slack_event",
        }
    }

    /// How long an id is remembered. Twilio's signature never goes stale, so its ids are kept
    /// long after anyone could still act on the incident; Slack's signature is refused after
    /// five minutes and its retries come within the hour, so a day is plenty.
    pub fn kept_for(self) -> Duration {
        match self {
            Delivery::TwilioSms | Delivery::TwilioKeyPress => Duration::days(90),
            Delivery::SlackEvent => Duration::days(1),
        }
    }
}

/// `true` the first time `key` arrives from `source`: act on it. `false` for a replay or a
/// retry of a request already taken, which must change nothing.
pub async fn first_delivery(ctx: &Ctx, source: Delivery, key: &str) -> Result<bool, EngineError> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(EngineError::user(format!(
            "a request id must be 1 to {MAX_KEY_BYTES} bytes"
        )));
    }
    let now = ctx.clock().now();
    let expires = now + source.kept_for();
    let mut conn = ctx.store().conn().await?;
    Ok(inbound::claim(
        &mut conn.c(),
        source.as_str(),
        key,
        Timestamp::from(now),
        Timestamp::from(expires),
    )
    .await?)
}
