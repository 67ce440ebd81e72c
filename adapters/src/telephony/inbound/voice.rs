//! `POST /twilio/voice?incident=42`: the key pressed during a page call. 4 acknowledges, 6
//! resolves, 5 escalates; any other key hears the choices again. The person on the line must
//! have been paged about the incident by SMS or call; a number no user has hears nothing (the
//! call ends); a key press Twilio delivers again (same `CallSid` and key) acts once.

use axum::extract::State;
use axum::response::Response;
use firebell_engine::config::User;
use firebell_engine::kinds::{Actor, Channel};
use firebell_engine::replay::Delivery;
use firebell_engine::{Engine, IncidentNumber};
use tracing::info;

use super::sms::Action;
use super::{Signed, explain, no_reply, twiml};
use crate::http::AppState;
use crate::telephony::text::{clean, gather, say_twiml, spoken_prompt, xml_escape};

#[tracing::instrument(skip_all)]
pub(crate) async fn digits(State(state): State<AppState>, hook: Signed) -> Response {
    match answer(&state.engine, &hook).await {
        Some(xml) => twiml(xml),
        None => no_reply(),
    }
}

/// The TwiML to answer with, or `None` to end the call without a word.
async fn answer(engine: &Engine, hook: &Signed) -> Option<String> {
    let Some(user) = callee(engine, hook) else {
        info!(incident = ?hook.query("incident"), "key press from a number no user has: not answered");
        return None;
    };
    let Some(n) = hook
        .query("incident")
        .and_then(|s| IncidentNumber::parse(s).ok())
    else {
        return Some(say_twiml(
            "Sorry, firebell does not know which incident this call is about. Goodbye.",
        ));
    };
    let digits = hook.param("Digits").unwrap_or_default().trim();
    let Some(action) = Action::from_key(digits) else {
        return Some(reprompt(engine, n).await);
    };
    match engine.was_paged_about(&user.id, n).await {
        Ok(true) => {}
        Ok(false) => {
            info!(incident = %n, user = %user.id, "key press about an incident not paged to this number: refused");
            return Some(say_twiml(&format!(
                "firebell did not page you about incident number {} by SMS or call, so nothing was changed. Goodbye.",
                n.get()
            )));
        }
        Err(e) => return Some(say_twiml(&format!("{} Goodbye.", speakable(&explain(&e))))),
    }
    let Some(call) = hook.param("CallSid") else {
        return Some(say_twiml(
            "Sorry, firebell cannot tell which call this is, so nothing was changed. Goodbye.",
        ));
    };
    match engine
        .first_delivery(Delivery::TwilioKeyPress, &format!("{call}:{digits}"))
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            info!(incident = %n, call, "key press delivered again: already handled");
            return Some(say_twiml("That key press was already handled. Goodbye."));
        }
        Err(e) => return Some(say_twiml(&format!("{} Goodbye.", speakable(&explain(&e))))),
    }
    let actor = Actor::new(user.id.as_str(), Channel::Voice);
    Some(match action.run(engine, n, &actor).await {
        Ok(_) => {
            info!(incident = %n, user = %user.id, action = action.past_tense(), "by key press");
            say_twiml(&format!(
                "Incident {} {}. Goodbye.",
                n.get(),
                action.past_tense()
            ))
        }
        Err(e) => say_twiml(&format!("{} Goodbye.", speakable(&explain(&e)))),
    })
}

/// The person on the line: for a call firebell placed, Twilio's `From` is firebell's own number
/// and the person is `To`; for a call someone placed to firebell, it is the other way round.
fn callee<'a>(engine: &'a Engine, hook: &Signed) -> Option<&'a User> {
    let config = engine.config();
    let outbound = hook
        .param("Direction")
        .is_none_or(|d| d.starts_with("outbound"));
    let order = if outbound {
        ["To", "From"]
    } else {
        ["From", "To"]
    };
    order
        .iter()
        .filter_map(|k| hook.param(k))
        .find_map(|number| config.user_by_phone(number))
}

/// The choices again, after a key that is not one of them.
async fn reprompt(engine: &Engine, n: IncidentNumber) -> String {
    let Some(base) = engine.config().public_url.as_deref() else {
        return say_twiml("Sorry, that is not a choice. Goodbye.");
    };
    match engine.incident(n).await {
        Ok(incident) => {
            let prompt = format!(
                "Sorry, that is not a choice. {}",
                spoken_prompt((&incident).into())
            );
            gather(&xml_escape(&prompt), base, n)
        }
        Err(e) => say_twiml(&format!("{} Goodbye.", speakable(&explain(&e)))),
    }
}

/// Engine messages are written for chat: `#42` would be read as "hash 42".
fn speakable(text: &str) -> String {
    clean(&text.replace('#', "number ").replace(['`', '—'], " "))
}

#[cfg(test)]
mod tests {
    use super::speakable;

    #[test]
    fn chat_wording_is_made_speakable() {
        assert_eq!(
            speakable("incident #42 is already resolved — nothing to do"),
            "incident number 42 is already resolved nothing to do"
        );
    }
}
