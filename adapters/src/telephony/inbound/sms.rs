//! `POST /twilio/sms`: a reply to a page. `4`, `6` or `5` alone act on the incident this number
//! was last paged for; `ACK 42`, `RESOLVE 42`, `ESCALATE 42` name one, which must be one the
//! person was paged about by SMS or call. The answer is one SMS saying what happened or what to
//! send instead.
//!
//! Every answer is an SMS firebell pays for, so a number no user has gets no answer at all (no
//! SMS pumping), and neither does a request Twilio already delivered (same `MessageSid`): a
//! replay changes nothing.

use axum::extract::State;
use axum::response::Response;
use firebell_engine::kinds::{Actor, Channel};
use firebell_engine::replay::Delivery;
use firebell_engine::{Engine, EngineError, Incident, IncidentNumber};
use tracing::{info, warn};

use super::{Signed, explain, no_reply, twiml};
use crate::http::AppState;
use crate::telephony::text::{SMS_MAX_CHARS, clean, message_twiml, truncate};

/// What a person can do from a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Acknowledge,
    Resolve,
    Escalate,
}

impl Action {
    /// The key on a phone pad, the same for SMS replies and calls.
    pub(crate) fn from_key(key: &str) -> Option<Action> {
        match key {
            "4" => Some(Action::Acknowledge),
            "6" => Some(Action::Resolve),
            "5" => Some(Action::Escalate),
            _ => None,
        }
    }

    fn from_word(word: &str) -> Option<Action> {
        match word.trim_start_matches('!').to_lowercase().as_str() {
            "ack" | "acknowledge" => Some(Action::Acknowledge),
            "resolve" | "res" => Some(Action::Resolve),
            "escalate" | "esc" => Some(Action::Escalate),
            other => Action::from_key(other),
        }
    }

    /// The chat command that does the same, for people told to use chat instead.
    pub(crate) fn chat_command(self) -> &'static str {
        match self {
            Action::Acknowledge => "!ack",
            Action::Resolve => "!resolve",
            Action::Escalate => "!escalate",
        }
    }

    pub(crate) fn past_tense(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledged",
            Action::Resolve => "resolved",
            Action::Escalate => "escalated",
        }
    }

    /// Carries the action out for `actor`.
    pub(crate) async fn run(
        self,
        engine: &Engine,
        n: IncidentNumber,
        actor: &Actor,
    ) -> Result<Incident, EngineError> {
        match self {
            Action::Acknowledge => engine.acknowledge(n, actor).await,
            Action::Resolve => engine.resolve(n, actor, None).await,
            Action::Escalate => engine.escalate(n, actor).await.map(|e| e.incident),
        }
    }
}

const HOW: &str = "Reply 4 to acknowledge, 6 to resolve or 5 to escalate your last page, or name the incident: ACK 42, RESOLVE 42, ESCALATE 42.";

/// A reply, parsed: what to do and, when named, to which incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub action: Action,
    pub incident: Option<IncidentNumber>,
}

/// Reads `4`, `ack`, `ACK 42`, `resolve #42`, `!esc 42` (case and surrounding space ignored);
/// anything else gets a message saying what would work.
pub(crate) fn parse(text: &str) -> Result<Reply, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (first, rest) = match words.split_first() {
        Some(split) => split,
        None => return Err(format!("Your reply was empty. {HOW}")),
    };
    let Some(action) = Action::from_word(first) else {
        let shown = truncate(&clean(text), 20);
        return Err(format!("firebell did not understand \"{shown}\". {HOW}"));
    };
    match rest {
        [] => Ok(Reply {
            action,
            incident: None,
        }),
        [n] => match IncidentNumber::parse(n) {
            Ok(n) => Ok(Reply {
                action,
                incident: Some(n),
            }),
            Err(e) => Err(format!("{} {HOW}", e.message().replace('`', "\""))),
        },
        _ => Err(format!("Send one command per message. {HOW}")),
    }
}

/// Why a named incident is refused: the person was not paged about it by phone.
pub(crate) fn not_paged(n: IncidentNumber, action: Action) -> String {
    format!(
        "firebell did not page you about {n} by SMS or call, so nothing was changed. Use chat ({} {}) or reply to a page you got.",
        action.chat_command(),
        n.get()
    )
}

#[tracing::instrument(skip_all)]
pub(crate) async fn reply(State(state): State<AppState>, hook: Signed) -> Response {
    match answer(&state.engine, &hook).await {
        Some(text) => twiml(message_twiml(&truncate(&text, SMS_MAX_CHARS * 2))),
        None => no_reply(),
    }
}

/// The answer to send, or `None` to send nothing.
async fn answer(engine: &Engine, hook: &Signed) -> Option<String> {
    let from = hook.param("From").unwrap_or_default();
    let Some(user) = engine.config().user_by_phone(from) else {
        info!(from, "SMS from a number no user has: not answered");
        return None;
    };
    let Some(sid) = hook.param("MessageSid") else {
        warn!(user = %user.id, "SMS webhook without a MessageSid: ignored");
        return None;
    };
    match engine.first_delivery(Delivery::TwilioSms, sid).await {
        Ok(true) => {}
        Ok(false) => {
            info!(sid, user = %user.id, "SMS webhook delivered again: already handled");
            return None;
        }
        Err(e) => return Some(explain(&e)),
    }
    let reply = match parse(hook.param("Body").unwrap_or_default()) {
        Ok(r) => r,
        Err(help) => return Some(help),
    };
    let n = match reply.incident {
        Some(n) => match engine.was_paged_about(&user.id, n).await {
            Ok(true) => n,
            Ok(false) => {
                info!(incident = %n, user = %user.id, "SMS reply about an incident not paged to this number: refused");
                return Some(not_paged(n, reply.action));
            }
            Err(e) => return Some(explain(&e)),
        },
        None => match engine.last_paged_incident(&user.id).await {
            Ok(Some(n)) => n,
            Ok(None) => {
                return Some("You have not been paged by SMS or call recently, so firebell does not know which incident you mean. Name it: ACK 42.".to_owned());
            }
            Err(e) => return Some(explain(&e)),
        },
    };
    let actor = Actor::new(user.id.as_str(), Channel::Sms);
    Some(match reply.action.run(engine, n, &actor).await {
        Ok(incident) => {
            info!(incident = %n, user = %user.id, action = reply.action.past_tense(), "by SMS reply");
            let about = format!(
                "{n} {} ({}: {})",
                reply.action.past_tense(),
                incident.service,
                clean(&incident.title)
            );
            truncate(&about, SMS_MAX_CHARS)
        }
        Err(e) => explain(&e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<IncidentNumber> {
        Some(IncidentNumber::parse(s).unwrap())
    }

    #[test]
    fn keys_and_words_with_or_without_a_number() {
        let cases = [
            ("4", Action::Acknowledge, None),
            (" 6 \n", Action::Resolve, None),
            ("5", Action::Escalate, None),
            ("ACK 42", Action::Acknowledge, n("42")),
            ("ack #42", Action::Acknowledge, n("42")),
            ("Resolve 42", Action::Resolve, n("42")),
            ("  ESCALATE   7  ", Action::Escalate, n("7")),
            ("!ack 3", Action::Acknowledge, n("3")),
            ("4 42", Action::Acknowledge, n("42")),
            ("acknowledge", Action::Acknowledge, None),
        ];
        for (text, action, incident) in cases {
            assert_eq!(parse(text), Ok(Reply { action, incident }), "{text:?}");
        }
    }

    #[test]
    fn anything_else_gets_told_what_works() {
        for text in [
            "",
            "   ",
            "hello",
            "7",
            "ack forty-two",
            "ack 4 2",
            "ackk 42",
        ] {
            let help = parse(text).unwrap_err();
            assert!(help.contains("Reply 4 to acknowledge"), "{text:?}: {help}");
        }
        assert!(
            parse("ack forty-two")
                .unwrap_err()
                .starts_with("\"forty-two\" is not an incident number"),
        );
    }
}
