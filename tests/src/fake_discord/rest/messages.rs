//! Channel messages and threads: create, list, get, edit, delete, start a thread from a message.
//! Bodies are checked against Discord's documented limits (content 2000, 10 embeds, embed
//! title 256 / description 4096 / field name 256 / value 1024 / 25 fields / 6000 in total,
//! 5 rows of 5 components, custom ids ≤ 100 and unique, labels ≤ 80), so a card firebell renders
//! too big fails here as it would in production. serenity checks only the content length, the
//! embed count and the 6000 total itself.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::super::{APP_ID, BOT_USER, State, StoredMessage, payloads};
use super::{Answer, FormError, is_snowflake, list, not_snowflake, required, str_field, too_long};

/// Discord's limits on a message body (create, edit, interaction response, followup).
pub(super) fn message_errors(body: &Value) -> Vec<FormError> {
    let mut errors = Vec::new();
    too_long(
        &mut errors,
        "content".into(),
        str_field(body, "content"),
        2000,
    );
    let embeds = list(body, "embeds");
    if embeds.len() > 10 {
        too_long(&mut errors, "embeds".into(), Some(&"x".repeat(11)), 10);
    }
    let mut total = 0;
    for (i, embed) in embeds.iter().enumerate() {
        let p = |field: &str| format!("embeds.{i}.{field}");
        let author = embed.get("author").and_then(|a| str_field(a, "name"));
        let footer = embed.get("footer").and_then(|f| str_field(f, "text"));
        too_long(&mut errors, p("title"), str_field(embed, "title"), 256);
        too_long(
            &mut errors,
            p("description"),
            str_field(embed, "description"),
            4096,
        );
        too_long(&mut errors, p("author.name"), author, 256);
        too_long(&mut errors, p("footer.text"), footer, 2048);
        let fields = list(embed, "fields");
        if fields.len() > 25 {
            too_long(&mut errors, p("fields"), Some(&"x".repeat(26)), 25);
        }
        let mut texts = vec![str_field(embed, "title"), str_field(embed, "description")];
        texts.extend([author, footer]);
        for (j, field) in fields.iter().enumerate() {
            let (name, value) = (str_field(field, "name"), str_field(field, "value"));
            required(&mut errors, p(&format!("fields.{j}.name")), name);
            required(&mut errors, p(&format!("fields.{j}.value")), value);
            too_long(&mut errors, p(&format!("fields.{j}.name")), name, 256);
            too_long(&mut errors, p(&format!("fields.{j}.value")), value, 1024);
            texts.extend([name, value]);
        }
        total += texts
            .into_iter()
            .flatten()
            .map(|t| t.chars().count())
            .sum::<usize>();
    }
    if total > 6000 {
        let message = "Embed size exceeds maximum size of 6000".to_owned();
        errors.push(("embeds".into(), "MAX_EMBED_SIZE_EXCEEDED", message));
    }
    let rows = list(body, "components");
    if rows.len() > 5 {
        too_long(&mut errors, "components".into(), Some("xxxxxx"), 5);
    }
    let mut custom_ids = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let items = list(row, "components");
        if row.get("type").and_then(Value::as_u64) == Some(1) && !(1..=5).contains(&items.len()) {
            let message = "Must be between 1 and 5 in length.".to_owned();
            errors.push((
                format!("components.{i}.components"),
                "BASE_TYPE_BAD_LENGTH",
                message,
            ));
        }
        for (j, item) in items.iter().enumerate() {
            let p = |field: &str| format!("components.{i}.components.{j}.{field}");
            let custom_id = str_field(item, "custom_id");
            too_long(&mut errors, p("custom_id"), custom_id, 100);
            too_long(&mut errors, p("label"), str_field(item, "label"), 80);
            let is_button = item.get("type").and_then(Value::as_u64) == Some(2);
            match item.get("style").and_then(Value::as_u64) {
                Some(5) if is_button => required(&mut errors, p("url"), str_field(item, "url")),
                Some(6) if is_button => {}
                _ => required(&mut errors, p("custom_id"), custom_id),
            }
            if let Some(id) = custom_id
                && !custom_ids.insert(id.to_owned())
            {
                let message = "Component custom id cannot be duplicated".to_owned();
                errors.push((p("custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", message));
            }
        }
    }
    errors
}

/// Flags a sender may set: SUPPRESS_EMBEDS, EPHEMERAL (interactions), SUPPRESS_NOTIFICATIONS.
const SETTABLE_FLAGS: u64 = 4 | 64 | 4096;

/// Applies the fields a create or edit body carries to a stored message.
fn apply_fields(message: &mut Value, body: &Value) {
    if let Some(content) = body.get("content") {
        message["content"] = json!(content.as_str().unwrap_or_default());
    }
    if let Some(embeds) = body.get("embeds") {
        let mut embeds = embeds.as_array().cloned().unwrap_or_default();
        for embed in &mut embeds {
            if embed.get("type").is_none() {
                embed["type"] = json!("rich");
            }
            embed["content_scan_version"] = json!(0);
        }
        message["embeds"] = json!(embeds);
    }
    if let Some(components) = body.get("components") {
        message["components"] = json!(components.as_array().cloned().unwrap_or_default());
    }
    if let Some(tts) = body.get("tts").and_then(Value::as_bool) {
        message["tts"] = json!(tts);
    }
    if let Some(flags) = body.get("flags") {
        let old = message["flags"].as_u64().unwrap_or(0);
        let new = flags.as_u64().unwrap_or(0);
        message["flags"] = json!((old & !SETTABLE_FLAGS) | (new & SETTABLE_FLAGS));
    }
}

fn is_empty_message(message: &Value) -> bool {
    str_field(message, "content").is_none_or(str::is_empty)
        && ["embeds", "components", "attachments", "sticker_items"]
            .iter()
            .all(|k| list(message, k).is_empty())
        && message.get("poll").is_none_or(Value::is_null)
}

/// Validates `body`, applies it to `message`, and refuses an empty result.
fn build_message(mut message: Value, body: &Value) -> Result<Value, Answer> {
    let errors = message_errors(body);
    if !errors.is_empty() {
        return Err(Answer::invalid_form(errors));
    }
    apply_fields(&mut message, body);
    if is_empty_message(&message) {
        return Err(Answer::error(400, 50006, "Cannot send an empty message"));
    }
    Ok(message)
}

impl State {
    /// A timestamp later than every id handed out so far (edits, thread joins).
    fn now(&mut self) -> String {
        let id = self.next_snowflake();
        payloads::timestamp_of(&id)
    }

    /// Stores a new message the bot (or the app's webhook) posted in `channel` and returns it.
    pub(super) fn post(
        &mut self,
        channel: &str,
        body: &Value,
        webhook: bool,
    ) -> Result<Value, Answer> {
        let id = self.next_snowflake();
        let mut message = build_message(payloads::bot_message(&id, channel), body)?;
        if webhook {
            message["webhook_id"] = json!(APP_ID);
            message["application_id"] = json!(APP_ID);
        }
        if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
            let target = str_field(reference, "message_id").unwrap_or_default();
            let Some(referenced) = self.messages.get(target) else {
                let error = (
                    "message_reference".to_owned(),
                    "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                    "Unknown message".to_owned(),
                );
                return Err(Answer::invalid_form(vec![error]));
            };
            message["type"] = json!(19);
            message["referenced_message"] = referenced.message.clone();
            message["message_reference"] = json!({"type": 0, "channel_id": referenced.channel_id,
                                                  "message_id": target});
        }
        if let Some(thread) = self.threads.get_mut(channel) {
            let count = thread["total_message_sent"].as_u64().unwrap_or(0) + 1;
            thread["message_count"] = json!(count);
            thread["total_message_sent"] = json!(count);
            thread["last_message_id"] = json!(id);
            message["position"] = json!(count - 1);
        }
        let stored = StoredMessage {
            channel_id: channel.to_owned(),
            message: message.clone(),
        };
        self.messages.insert(id, stored);
        Ok(message)
    }

    /// Applies an edit body to a stored message and returns the new version.
    pub(super) fn edit(&mut self, id: &str, body: &Value) -> Result<Value, Answer> {
        let now = self.now();
        let stored = self
            .messages
            .get_mut(id)
            .ok_or_else(Answer::unknown_message)?;
        let mut message = build_message(stored.message.clone(), body)?;
        message["edited_timestamp"] = json!(now);
        stored.message = message.clone();
        Ok(message)
    }
}

pub(super) fn create_message(
    state: &mut State,
    channel: &str,
    body: &Value,
    files: Vec<super::files::Part>,
) -> Answer {
    if !is_snowflake(channel) {
        return not_snowflake("channel_id", channel);
    }
    if let Some(refused) = super::files::too_large(&files) {
        return refused;
    }
    match state.post(channel, body, false) {
        Ok(mut message) => {
            super::files::attach(state, &mut message, files);
            let id = message["id"].as_str().unwrap_or_default().to_owned();
            Answer::ok(message).with_id(&id)
        }
        Err(answer) => answer,
    }
}

/// `GET /channels/{}/messages`: newest first, at most 50 (Discord's default `limit`).
pub(super) fn list_messages(state: &State, channel: &str) -> Answer {
    let mut messages: Vec<(u64, &Value)> = state
        .messages
        .iter()
        .filter(|(_, m)| m.channel_id == channel)
        .map(|(id, m)| (id.parse().unwrap_or(0), &m.message))
        .collect();
    messages.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    Answer::ok(
        messages
            .into_iter()
            .take(50)
            .map(|(_, m)| m.clone())
            .collect(),
    )
}

/// `GET`, `PATCH` and `DELETE /channels/{}/messages/{}`.
pub(super) fn channel_message(
    state: &mut State,
    method: &str,
    channel: &str,
    id: &str,
    body: &Value,
) -> Answer {
    let Some(stored) = state.messages.get(id).filter(|m| m.channel_id == channel) else {
        return if is_snowflake(id) {
            Answer::unknown_message()
        } else {
            not_snowflake("message_id", id)
        };
    };
    let by_bot = stored.message["author"]["id"] == BOT_USER;
    match method {
        "GET" => Answer::ok(stored.message.clone()),
        "PATCH" if !by_bot => {
            Answer::error(403, 50005, "Cannot edit a message authored by another user")
        }
        "PATCH" => match state.edit(id, body) {
            Ok(message) => Answer::ok(message).with_id(id),
            Err(answer) => answer,
        },
        "DELETE" => {
            state.messages.remove(id);
            Answer::no_content().with_id(id)
        }
        _ => Answer::method_not_allowed(),
    }
}

/// `POST /channels/{}/messages/{}/threads`: the thread's id is the message's.
pub(super) fn start_thread(state: &mut State, channel: &str, id: &str, body: &Value) -> Answer {
    if state.threads.contains_key(channel) {
        return Answer::error(400, 50024, "Cannot execute action on this channel type");
    }
    if state
        .messages
        .get(id)
        .is_none_or(|m| m.channel_id != channel)
    {
        return Answer::unknown_message();
    }
    if state.threads.contains_key(id) {
        return Answer::error(
            400,
            160004,
            "A thread has already been created for this message",
        );
    }
    let name = str_field(body, "name");
    let mut errors = Vec::new();
    required(&mut errors, "name".into(), name);
    too_long(&mut errors, "name".into(), name, 100);
    let archive_after = match body.get("auto_archive_duration") {
        None | Some(Value::Null) => 4320,
        Some(v) => v.as_u64().unwrap_or(0),
    };
    if ![60, 1440, 4320, 10080].contains(&archive_after) {
        let message = "Value must be one of {60, 1440, 4320, 10080}.".to_owned();
        errors.push(("auto_archive_duration".into(), "BASE_TYPE_CHOICES", message));
    }
    if !errors.is_empty() {
        return Answer::invalid_form(errors);
    }
    let thread = payloads::thread_channel(id, channel, name.unwrap_or_default(), archive_after);
    if let Some(starter) = state.messages.get_mut(id) {
        starter.message["thread"] = thread.clone();
        let flags = starter.message["flags"].as_u64().unwrap_or(0);
        starter.message["flags"] = json!(flags | 32); // HAS_THREAD
    }
    state.threads.insert(id.to_owned(), thread.clone());
    Answer::with_status(201, thread).with_id(id)
}
