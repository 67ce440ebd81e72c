//! What Slack sends *to* the app, built from recorded-shape fixtures in
//! `tests/fixtures/slack/` with the dynamic parts (ids, channel, user, text, timestamps)
//! replaced. Each shape is checked against slack-morphism's own types below.
//!
//! Text is passed through as given: Slack escapes `&`, `<` and `>` in message text
//! (`&lt;`), so pass the escaped form when a test is about that.

use std::sync::atomic::{AtomicU64, Ordering};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{BOT_USER_ID, TEAM_ID};

const MESSAGE_EVENT: &str = include_str!("../../fixtures/slack/message_event.json");
const BLOCK_ACTIONS: &str = include_str!("../../fixtures/slack/block_actions.json");
const SLASH_COMMAND: &str = include_str!("../../fixtures/slack/slash_command.json");

/// The order Slack sends slash command form fields in.
const SLASH_COMMAND_FIELDS: [&str; 13] = [
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
];

static SEQ: AtomicU64 = AtomicU64::new(1);

/// A process-wide sequence number, so ids and timestamps never repeat across tests.
fn next() -> u64 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("the Slack fixtures are valid JSON")
}

/// Inbound ts: `1763800000.000100`, … (the fake's own posts count from `1763700000`).
fn inbound_ts(n: u64) -> (u64, String) {
    let micros = n * 100;
    let secs = 1_763_800_000 + micros / 1_000_000;
    (secs, format!("{secs}.{:06}", micros % 1_000_000))
}

fn trigger_id(n: u64) -> String {
    format!(
        "7001234{n:06}.1763700000001.{:032x}",
        n.wrapping_mul(0x2545_f491_4f6c_dd1d)
    )
}

/// Slack users have a handle; the fake derives one from the id.
fn user_name(user: &str) -> String {
    user.to_lowercase()
}

/// An Events API `event_callback` carrying a channel `message` event from `user` (a thread
/// reply when `thread_ts` is given): what arrives as the payload of an `events_api` envelope
/// or as the body of an Events API request.
pub fn message_event(channel: &str, user: &str, text: &str, thread_ts: Option<&str>) -> Value {
    let n = next();
    let (secs, ts) = inbound_ts(n);
    let mut payload = fixture(MESSAGE_EVENT);
    payload["event_id"] = json!(format!("Ev0FB{n:08}"));
    payload["event_time"] = json!(secs);
    let event = &mut payload["event"];
    event["channel"] = json!(channel);
    event["user"] = json!(user);
    event["text"] = json!(text);
    event["ts"] = json!(ts);
    event["event_ts"] = json!(ts);
    event["client_msg_id"] = json!(format!("6f1f4c8a-2d57-4d0e-9c53-{n:012x}"));
    event["blocks"][0]["elements"][0]["elements"][0]["text"] = json!(text);
    if let Some(thread_ts) = thread_ts {
        event["thread_ts"] = json!(thread_ts);
    }
    payload
}

/// A `block_actions` interaction: `user` clicked the button `action_id` (carrying `value`) on
/// the bot's message `message_ts` in `channel`.
pub fn block_action(
    channel: &str,
    user: &str,
    message_ts: &str,
    action_id: &str,
    value: &str,
    response_url: &str,
) -> Value {
    let n = next();
    let (_, action_ts) = inbound_ts(n);
    let mut payload = fixture(BLOCK_ACTIONS);
    payload["user"] = json!({"id": user, "username": user_name(user), "name": user_name(user),
                             "team_id": TEAM_ID});
    payload["container"]["message_ts"] = json!(message_ts);
    payload["container"]["channel_id"] = json!(channel);
    payload["channel"]["id"] = json!(channel);
    payload["trigger_id"] = json!(trigger_id(n));
    payload["response_url"] = json!(response_url);
    payload["message"]["ts"] = json!(message_ts);
    payload["message"]["user"] = json!(BOT_USER_ID);
    let button = &mut payload["message"]["blocks"][1]["elements"][0];
    button["action_id"] = json!(action_id);
    button["value"] = json!(value);
    button["text"]["text"] = json!(label(action_id));
    let action = &mut payload["actions"][0];
    action["action_id"] = json!(action_id);
    action["value"] = json!(value);
    action["text"]["text"] = json!(label(action_id));
    action["action_ts"] = json!(action_ts);
    payload
}

/// `ack` → `Ack`, `escalate_now` → `Escalate now`: a plausible button label.
fn label(action_id: &str) -> String {
    let words = action_id.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `/firebell {text}` typed by `user` in `channel`, as the JSON object Socket Mode delivers
/// (every value a string, as in the form Slack would post over HTTP).
pub fn slash_command(channel: &str, user: &str, text: &str, response_url: &str) -> Value {
    let mut payload = fixture(SLASH_COMMAND);
    payload["channel_id"] = json!(channel);
    payload["user_id"] = json!(user);
    payload["user_name"] = json!(user_name(user));
    payload["text"] = json!(text);
    payload["response_url"] = json!(response_url);
    payload["trigger_id"] = json!(trigger_id(next()));
    payload
}

/// The same command as the `application/x-www-form-urlencoded` body Slack POSTs to a
/// slash command's Request URL, fields in Slack's order.
pub fn slash_command_form(channel: &str, user: &str, text: &str, response_url: &str) -> String {
    let payload = slash_command(channel, user, text, response_url);
    let fields: Vec<(&str, &str)> = SLASH_COMMAND_FIELDS
        .iter()
        .map(|&k| (k, payload[k].as_str().unwrap_or_default()))
        .collect();
    serde_urlencoded::to_string(fields).expect("strings always form-encode")
}

/// `X-Slack-Signature` for a request body sent at `timestamp` (`X-Slack-Request-Timestamp`):
/// `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{body}`)).
pub fn sign(signing_secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(signing_secret.as_bytes()).expect("HMAC accepts any key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Each builder's output must parse with slack-morphism's own types into the variant firebell
/// matches on, not into a catch-all (`Unknown`) variant.
#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use slack_morphism::prelude::*;
    use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

    use super::*;

    const CHANNEL: &str = "C0INCIDENTS";
    const ALICE: &str = "U0ALICE01";

    fn no_unknown_blocks(blocks: &Option<Vec<SlackBlock>>) -> bool {
        let blocks = blocks.as_deref().unwrap_or_default();
        !blocks.is_empty() && blocks.iter().all(|b| !matches!(b, SlackBlock::Unknown(_)))
    }

    #[test]
    fn message_event_parses_as_a_slack_morphism_message_event() {
        for thread_ts in [None, Some("1763700000.000100")] {
            let payload = message_event(CHANNEL, ALICE, "!ack 42", thread_ts);

            let event: SlackPushEvent = serde_json::from_value(payload).expect("a push event");

            let SlackPushEvent::EventCallback(callback) = event else {
                panic!("not an event_callback: {event:?}");
            };
            assert_eq!(callback.team_id.value(), TEAM_ID);
            let SlackEventCallbackBody::Message(message) = callback.event else {
                panic!("not a message event: {:?}", callback.event);
            };
            assert_eq!(
                message.origin.channel.as_ref().map(|c| c.value().as_str()),
                Some(CHANNEL)
            );
            assert_eq!(
                message.sender.user.as_ref().map(|u| u.value().as_str()),
                Some(ALICE)
            );
            let content = message.content.expect("content");
            assert_eq!(content.text.as_deref(), Some("!ack 42"));
            assert!(no_unknown_blocks(&content.blocks), "{:?}", content.blocks);
            assert_eq!(
                message
                    .origin
                    .thread_ts
                    .as_ref()
                    .map(|t| t.value().as_str()),
                thread_ts
            );
            assert_eq!(message.subtype, None);
        }
    }

    #[test]
    fn message_events_get_fresh_ids_and_timestamps() {
        let a = message_event(CHANNEL, ALICE, "one", None);
        let b = message_event(CHANNEL, ALICE, "two", None);

        assert_ne!(a["event_id"], b["event_id"]);
        assert!(a["event"]["ts"].as_str() < b["event"]["ts"].as_str());
    }

    #[test]
    fn block_action_parses_as_slack_morphism_block_actions() {
        let url = "http://127.0.0.1:9/response/1";
        let payload = block_action(CHANNEL, ALICE, "1763700000.000300", "resolve", "42", url);

        let event: SlackInteractionEvent = serde_json::from_value(payload).expect("an interaction");

        let SlackInteractionEvent::BlockActions(event) = event else {
            panic!("not block_actions: {event:?}");
        };
        let actions = event.actions.expect("actions");
        assert_eq!(actions[0].action_id.value(), "resolve");
        assert_eq!(actions[0].value.as_deref(), Some("42"));
        let SlackInteractionActionContainer::Message(container) = &event.container else {
            panic!("not a message container: {:?}", event.container);
        };
        assert_eq!(container.message_ts.value(), "1763700000.000300");
        assert_eq!(
            container.channel_id.as_ref().map(|c| c.value().as_str()),
            Some(CHANNEL)
        );
        assert_eq!(
            event.user.map(|u| u.id.value().clone()).as_deref(),
            Some(ALICE)
        );
        assert_eq!(
            event.channel.map(|c| c.id.value().clone()).as_deref(),
            Some(CHANNEL)
        );
        assert_eq!(
            event.response_url.map(|u| u.value().to_string()).as_deref(),
            Some(url)
        );
        let message = event.message.expect("the message with the button");
        assert_eq!(message.origin.ts.value(), "1763700000.000300");
        assert!(
            no_unknown_blocks(&message.content.blocks),
            "{:?}",
            message.content.blocks
        );
    }

    #[test]
    fn slash_command_parses_as_a_slack_morphism_command_from_json_and_from_the_form() {
        let url = "http://127.0.0.1:9/response/2";

        let json: SlackCommandEvent =
            serde_json::from_value(slash_command(CHANNEL, ALICE, "ack 42", url))
                .expect("a command");
        let form_body = slash_command_form(CHANNEL, ALICE, "ack 42", url);
        let form: SlackCommandEvent =
            serde_urlencoded::from_str(&form_body).expect("a form command");

        for command in [json, form] {
            assert_eq!(command.command.value(), "/firebell");
            assert_eq!(command.text.as_deref(), Some("ack 42"));
            assert_eq!(command.channel_id.value(), CHANNEL);
            assert_eq!(command.user_id.value(), ALICE);
            assert_eq!(command.response_url.value().as_str(), url);
        }
        assert!(form_body.starts_with("token="), "{form_body}");
        assert!(
            form_body.contains("&command=%2Ffirebell&text=ack+42&"),
            "{form_body}"
        );
    }

    #[test]
    fn sign_matches_slacks_documented_example() {
        // docs.slack.dev/authentication/verifying-requests-from-slack
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

        let signature = sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body);

        assert_eq!(
            signature,
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }

    #[test]
    fn sign_is_accepted_by_slack_morphisms_verifier() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64;
        let body = slash_command_form(CHANNEL, ALICE, "ack 42", "http://127.0.0.1:9/response/4");
        let verifier =
            SlackEventSignatureVerifier::new(&SlackSigningSecret::new("s3cret".to_owned()));

        let signature = sign("s3cret", now, &body);

        assert!(verifier.verify(&signature, &body, &now.to_string()).is_ok());
        assert!(
            verifier
                .verify(&sign("other", now, &body), &body, &now.to_string())
                .is_err()
        );
    }
}
