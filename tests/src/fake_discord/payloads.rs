//! What Discord sends *to* the app, built from recorded-shape fixtures in
//! `tests/fixtures/discord/` with the dynamic parts (ids, channel, user, text, token) replaced,
//! and the objects the fake answers with. Every shape is checked against serenity's own types
//! in `tests`.
//!
//! Ids are snowflakes like Discord's (creation time in the top 42 bits), so serenity's
//! `created_at` and ordering by id both work: the fake's own (worker 1) start at
//! 2025-11-21T04:40:00Z, inbound ones from the builders (worker 2) a day later.
//!
//! Interaction tokens start like Discord's (`aW50ZXJhY3Rpb246…`, base64 of `interaction:`) and
//! carry the interaction's id, type, channel and message, so the fake can answer
//! callbacks, followups and `@original` for any interaction a builder made.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

use super::{APP_ID, BOT_USER, GUILD};

const READY: &str = include_str!("../../fixtures/discord/ready.json");
const MESSAGE_CREATE: &str = include_str!("../../fixtures/discord/message_create.json");
const COMPONENT_CLICK: &str = include_str!("../../fixtures/discord/component_click.json");
const SLASH_COMMAND: &str = include_str!("../../fixtures/discord/slash_command.json");
const BOT_MESSAGE: &str = include_str!("../../fixtures/discord/bot_message.json");
const THREAD_CHANNEL: &str = include_str!("../../fixtures/discord/thread_channel.json");

/// The snowflake worker of ids the fake assigns; builders use `INBOUND_WORKER`.
pub(super) const FAKE_WORKER: u64 = 1;
const INBOUND_WORKER: u64 = 2;
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
const FAKE_BASE_MS: i64 = 1_763_700_000_000;
const INBOUND_BASE_MS: i64 = 1_763_800_000_000;
/// The id `slash_command` gives the `/firebell` command.
const COMMAND_ID: &str = "600000000000000001";

static SEQ: AtomicU64 = AtomicU64::new(1);

/// A process-wide sequence number, so inbound ids never repeat across tests.
fn next() -> u64 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("the Discord fixtures are valid JSON")
}

/// The `n`th snowflake of `worker`, one second after the previous one.
pub(super) fn snowflake(worker: u64, n: u64) -> u64 {
    let base = if worker == FAKE_WORKER {
        FAKE_BASE_MS
    } else {
        INBOUND_BASE_MS
    };
    let ms = base + n as i64 * 1000;
    (((ms - DISCORD_EPOCH_MS) as u64) << 22) | (worker << 17) | (n & 0xfff)
}

/// The creation time of a snowflake as Discord writes timestamps
/// (`2025-11-21T04:40:01.000000+00:00`); a non-snowflake gets the fake's base time.
pub(super) fn timestamp_of(id: &str) -> String {
    let ms = id
        .parse::<u64>()
        .map(|id| (id >> 22) as i64 + DISCORD_EPOCH_MS)
        .unwrap_or(FAKE_BASE_MS);
    let at = DateTime::from_timestamp_millis(ms).expect("a snowflake time is in range");
    at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// Discord usernames are lowercase handles; the builders derive one from the id's last
/// digits: `200000000000000001` → `user0001`.
pub fn user_name(user_id: &str) -> String {
    let tail = &user_id[user_id.len().saturating_sub(4)..];
    format!("user{tail}")
}

/// A user object as Discord embeds it in messages and members.
fn user(user_id: &str) -> Value {
    if user_id == BOT_USER {
        return bot_author();
    }
    let name = user_name(user_id);
    let mut display = name.replacen("user", "User ", 1);
    display.truncate(32);
    json!({
        "username": name, "public_flags": 0, "primary_guild": null, "id": user_id,
        "global_name": display, "discriminator": "0", "collectibles": null, "clan": null,
        "avatar_decoration_data": null, "avatar": null,
    })
}

fn bot_author() -> Value {
    fixture(BOT_MESSAGE)["author"].clone()
}

/// `GET /users/@me`: the bot user with the fields only its owner sees.
pub(super) fn bot_user() -> Value {
    let mut user = bot_author();
    user["mfa_enabled"] = json!(false);
    user["locale"] = json!("en-US");
    user["premium_type"] = json!(0);
    user["email"] = Value::Null;
    user["verified"] = json!(true);
    user
}

/// A message the bot posted in `channel_id`, before the request's fields are applied.
pub(super) fn bot_message(id: &str, channel_id: &str) -> Value {
    let mut message = fixture(BOT_MESSAGE);
    message["id"] = json!(id);
    message["channel_id"] = json!(channel_id);
    message["timestamp"] = json!(timestamp_of(id));
    message
}

/// The thread channel `POST /channels/{parent}/messages/{id}/threads` answers.
pub(super) fn thread_channel(id: &str, parent: &str, name: &str, archive_after: u64) -> Value {
    let mut thread = fixture(THREAD_CHANNEL);
    let now = timestamp_of(id);
    thread["id"] = json!(id);
    thread["parent_id"] = json!(parent);
    thread["name"] = json!(name);
    thread["thread_metadata"]["auto_archive_duration"] = json!(archive_after);
    thread["thread_metadata"]["archive_timestamp"] = json!(now);
    thread["thread_metadata"]["create_timestamp"] = json!(now);
    thread["member"]["id"] = json!(id);
    thread["member"]["join_timestamp"] = json!(now);
    thread
}

/// The READY dispatch's `d` for a new session.
pub(super) fn ready(session_id: &str, resume_gateway_url: &str, shard: Value) -> Value {
    let mut ready = fixture(READY);
    ready["session_id"] = json!(session_id);
    ready["resume_gateway_url"] = json!(resume_gateway_url);
    ready["shard"] = shard;
    ready
}

/// `GET /oauth2/applications/@me`; `verify_key` is the `InteractionSigner`'s public key.
pub(super) fn application() -> Value {
    json!({
        "id": APP_ID, "name": "firebell", "icon": null, "description": "", "summary": "",
        "type": null, "hook": true, "bot_public": false, "bot_require_code_grant": false,
        "verify_key": InteractionSigner::new().public_key_hex(), "flags": 8953856,
        "owner": {"id": "200000000000000001", "username": "alice", "avatar": null,
                  "discriminator": "0", "public_flags": 0, "flags": 0, "global_name": "Alice"},
        "team": null, "guild_id": GUILD, "approximate_guild_count": 1,
        "approximate_user_install_count": 0, "interactions_endpoint_url": null,
        "redirect_uris": [], "integration_types_config": {"0": {}}, "bot": bot_author(),
    })
}

/// What an interaction token tells the fake.
pub(super) struct TokenInfo {
    pub id: String,
    /// The interaction type: 2 command, 3 component.
    pub kind: u8,
    pub channel: String,
    /// The message a component sits on.
    pub message: Option<String>,
}

fn interaction_token(id: &str, kind: u8, channel: &str, message: Option<&str>) -> String {
    let message = message.unwrap_or("0");
    URL_SAFE_NO_PAD.encode(format!("interaction:{id}:{kind}:{channel}:{message}"))
}

pub(super) fn decode_token(token: &str) -> Option<TokenInfo> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.strip_prefix("interaction:")?.split(':');
    let (id, kind, channel, message) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some(TokenInfo {
        id: id.to_owned(),
        kind: kind.parse().ok()?,
        channel: channel.to_owned(),
        message: (message != "0").then(|| message.to_owned()),
    })
}

/// `<@123>` and `<@!123>` in `content`, as Discord resolves them into `mentions`.
fn mentioned_ids(content: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let digits = rest.strip_prefix('!').unwrap_or(rest);
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if end > 0 && digits[end..].starts_with('>') && !ids.iter().any(|i| i == &digits[..end]) {
            ids.push(digits[..end].to_owned());
        }
    }
    ids
}

/// A MESSAGE_CREATE dispatch payload: `author_id` wrote `content` in `channel_id` (for a message
/// in a thread, the thread's id) of `GUILD`. Mentions in the content are resolved.
pub fn message_create(channel_id: &str, author_id: &str, content: &str) -> Value {
    let id = snowflake(INBOUND_WORKER, next()).to_string();
    let mut payload = fixture(MESSAGE_CREATE);
    payload["id"] = json!(id);
    payload["nonce"] = json!((id.parse::<u64>().expect("a snowflake") - 1).to_string());
    payload["timestamp"] = json!(timestamp_of(&id));
    payload["channel_id"] = json!(channel_id);
    payload["author"] = user(author_id);
    payload["content"] = json!(content);
    payload["mentions"] = mentioned_ids(content).iter().map(|u| user(u)).collect();
    payload["guild_id"] = json!(GUILD);
    payload
}

/// The member object of `user_id` in an interaction (with `user`, unlike MESSAGE_CREATE's).
fn interaction_member(template: &Value, user_id: &str) -> Value {
    let mut member = template["member"].clone();
    member["user"] = user(user_id);
    member
}

/// INTERACTION_CREATE for a button click (type 3, component_type 2): `user_id` clicked the
/// button `custom_id` on the bot's message `message_id` in `channel_id`. The embedded message
/// is a plausible card carrying that one button; its id and channel are the real ones.
pub fn component_click(
    channel_id: &str,
    user_id: &str,
    message_id: &str,
    custom_id: &str,
) -> Value {
    let id = snowflake(INBOUND_WORKER, next()).to_string();
    let mut payload = fixture(COMPONENT_CLICK);
    payload["id"] = json!(id);
    payload["token"] = json!(interaction_token(&id, 3, channel_id, Some(message_id)));
    payload["channel_id"] = json!(channel_id);
    payload["channel"]["id"] = json!(channel_id);
    payload["member"] = interaction_member(&payload, user_id);
    payload["data"]["custom_id"] = json!(custom_id);
    let message = &mut payload["message"];
    message["id"] = json!(message_id);
    message["channel_id"] = json!(channel_id);
    message["timestamp"] = json!(timestamp_of(message_id));
    let button = &mut message["components"][0]["components"][0];
    button["custom_id"] = json!(custom_id);
    button["label"] = json!(label(custom_id));
    payload
}

/// `ack:42` → `Ack`, `escalate_now` → `Escalate now`: a plausible button label.
fn label(custom_id: &str) -> String {
    let action = custom_id.split(':').next().unwrap_or(custom_id);
    let words = action.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// INTERACTION_CREATE for `/firebell command:{text}` (type 2, a chat-input command with one
/// string option `command`; Discord leaves `options` out when the option is empty).
pub fn slash_command(channel_id: &str, user_id: &str, text: &str) -> Value {
    let id = snowflake(INBOUND_WORKER, next()).to_string();
    let mut payload = fixture(SLASH_COMMAND);
    payload["id"] = json!(id);
    payload["token"] = json!(interaction_token(&id, 2, channel_id, None));
    payload["channel_id"] = json!(channel_id);
    payload["channel"]["id"] = json!(channel_id);
    payload["member"] = interaction_member(&payload, user_id);
    payload["data"]["id"] = json!(COMMAND_ID);
    if text.is_empty() {
        payload["data"]
            .as_object_mut()
            .expect("data is an object")
            .remove("options");
    } else {
        payload["data"]["options"][0]["value"] = json!(text);
    }
    payload
}

/// The PING (type 1) Discord POSTs to an interactions endpoint URL when it is saved; the
/// answer must be `{"type": 1}`.
pub fn ping() -> Value {
    let id = snowflake(INBOUND_WORKER, next()).to_string();
    json!({
        "application_id": APP_ID, "entitlements": [], "id": id,
        "token": interaction_token(&id, 1, "0", None), "type": 1, "version": 1,
    })
}

/// Signs HTTP interaction requests as Discord does: `X-Signature-Ed25519` is
/// hex(Ed25519(timestamp ‖ body)) and `X-Signature-Timestamp` the timestamp. The key is fixed,
/// so a test config can carry `public_key_hex()` as a constant.
pub struct InteractionSigner {
    key: SigningKey,
}

impl InteractionSigner {
    const SEED: [u8; 32] = *b"firebell fake discord signing k1";
    const OTHER_SEED: [u8; 32] = *b"somebody else's application key!";

    /// The application's key: what the app under test is configured to trust.
    pub fn new() -> Self {
        InteractionSigner {
            key: SigningKey::from_bytes(&Self::SEED),
        }
    }

    /// A different fixed key, for forged requests the app must refuse.
    pub fn other() -> Self {
        InteractionSigner {
            key: SigningKey::from_bytes(&Self::OTHER_SEED),
        }
    }

    /// The application's public key as the Developer Portal shows it (64 hex digits).
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// `X-Signature-Ed25519` for `body` sent at `timestamp` (unix seconds, as a string).
    pub fn sign(&self, timestamp: &str, body: &str) -> String {
        let message = [timestamp.as_bytes(), body.as_bytes()].concat();
        hex::encode(self.key.sign(&message).to_bytes())
    }
}

impl Default for InteractionSigner {
    fn default() -> Self {
        Self::new()
    }
}
