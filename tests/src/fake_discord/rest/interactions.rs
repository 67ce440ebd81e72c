//! Interactions: the initial response (`POST /interactions/{id}/{token}/callback`, once),
//! followups and `@original` under `/webhooks/{app}/{token}`, and application command
//! registration. The fake learns about an interaction from its token (see `payloads`), so it
//! answers for any interaction a builder made: an unknown token is 10062 Unknown interaction, a
//! second response 40060, a webhook call before the response 10015 Unknown Webhook.

use serde_json::{Value, json};

use super::super::payloads::{self, TokenInfo};
use super::super::{APP_ID, State, StoredMessage};
use super::messages::message_errors;
use super::{Answer, FormError, is_snowflake, list, not_snowflake, required, str_field, too_long};

/// `POST /interactions/{id}/{token}/callback`: the initial response, exactly once.
pub(super) fn callback(state: &mut State, id: &str, token: &str, body: &Value) -> Answer {
    let Some(info) = payloads::decode_token(token).filter(|t| t.id == id) else {
        return Answer::error(404, 10062, "Unknown interaction");
    };
    if state.interactions.get(id).is_some_and(|i| i.responded) {
        return Answer::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .cloned()
        .unwrap_or(json!({}));
    let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0);
    let original = match (kind, &info.message) {
        (1, _) if info.kind == 1 => None,
        // CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        (4 | 5, _) => {
            let mut data = data;
            if kind == 5 {
                let ephemeral = data["flags"].as_u64().unwrap_or(0) & 64;
                data = json!({"content": "", "flags": ephemeral});
            }
            let posted = match kind {
                4 => state.post(&info.channel, &data, true),
                _ => loading_message(state, &info, &data),
            };
            match posted {
                Ok(message) => message["id"].as_str().map(str::to_owned),
                Err(answer) => return answer,
            }
        }
        // DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE: the component's message.
        (6 | 7, Some(message)) => {
            if kind == 7 && state.messages.contains_key(message) {
                if let Err(answer) = state.edit(message, &data) {
                    return answer;
                }
            } else if kind == 7 && !message_errors(&data).is_empty() {
                return Answer::invalid_form(message_errors(&data));
            }
            Some(message.clone())
        }
        // MODAL
        (9, _) => None,
        _ => {
            let message = "Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.".to_owned();
            return Answer::invalid_form(vec![("type".into(), "BASE_TYPE_CHOICES", message)]);
        }
    };
    let entry = state.interactions.entry(id.to_owned()).or_default();
    entry.responded = true;
    entry.original = original.clone();
    match original {
        Some(message) => Answer::no_content().with_id(&message),
        None => Answer::no_content(),
    }
}

/// The "firebell is thinking…" message a deferred response shows until `@original` is edited.
fn loading_message(state: &mut State, info: &TokenInfo, data: &Value) -> Result<Value, Answer> {
    let id = state.next_snowflake();
    let mut message = payloads::bot_message(&id, &info.channel);
    message["webhook_id"] = json!(APP_ID);
    message["application_id"] = json!(APP_ID);
    message["flags"] = json!(128 | data["flags"].as_u64().unwrap_or(0)); // LOADING
    let stored = StoredMessage {
        channel_id: info.channel.clone(),
        message: message.clone(),
    };
    state.messages.insert(id, stored);
    Ok(message)
}

/// The interaction behind a webhook path, once it has been responded to.
fn responded_interaction(state: &State, app: &str, token: &str) -> Option<TokenInfo> {
    let info = payloads::decode_token(token).filter(|_| app == APP_ID)?;
    state
        .interactions
        .get(&info.id)
        .filter(|i| i.responded)
        .map(|_| info)
}

/// `POST /webhooks/{app}/{token}`: a followup message.
pub(super) fn followup(state: &mut State, app: &str, token: &str, body: &Value) -> Answer {
    let Some(info) = responded_interaction(state, app, token) else {
        return Answer::unknown_webhook();
    };
    match state.post(&info.channel, body, true) {
        Ok(message) => {
            let id = message["id"].as_str().unwrap_or_default().to_owned();
            Answer::ok(message).with_id(&id)
        }
        Err(answer) => answer,
    }
}

/// `GET`, `PATCH`, `DELETE /webhooks/{app}/{token}/messages/{id or @original}`.
pub(super) fn webhook_message(
    state: &mut State,
    method: &str,
    app: &str,
    token: &str,
    id: &str,
    body: &Value,
) -> Answer {
    let Some(info) = responded_interaction(state, app, token) else {
        return Answer::unknown_webhook();
    };
    let target = match id {
        "@original" => state.interactions[&info.id].original.clone(),
        id => Some(id.to_owned()),
    };
    let Some(target) = target.filter(|t| state.messages.contains_key(t)) else {
        return Answer::unknown_message();
    };
    match method {
        "GET" => Answer::ok(state.messages[&target].message.clone()),
        "PATCH" => match state.edit(&target, body) {
            Ok(mut message) => {
                // Editing a deferred response ends its loading state.
                let flags = message["flags"].as_u64().unwrap_or(0) & !128;
                message["flags"] = json!(flags);
                if let Some(stored) = state.messages.get_mut(&target) {
                    stored.message["flags"] = json!(flags);
                }
                Answer::ok(message).with_id(&target)
            }
            Err(answer) => answer,
        },
        "DELETE" => {
            state.messages.remove(&target);
            Answer::no_content().with_id(&target)
        }
        _ => Answer::method_not_allowed(),
    }
}

/// `GET`, `PUT` (bulk overwrite) and `POST` (upsert one) of application commands; `scope` is
/// `global` or a guild id.
pub(super) fn commands(
    state: &mut State,
    method: &str,
    app: &str,
    scope: &str,
    body: &Value,
) -> Answer {
    if !is_snowflake(app) {
        return not_snowflake("application_id", app);
    }
    if app != APP_ID {
        return Answer::error(403, 50001, "Missing Access");
    }
    let guild = (scope != "global").then_some(scope);
    match method {
        "GET" => Answer::ok(json!(
            state.commands.get(scope).cloned().unwrap_or_default()
        )),
        "PUT" => {
            let Some(list) = body.as_array() else {
                let message = "Only iterables may be used in a ListType".to_owned();
                return Answer::invalid_form(vec![(String::new(), "LIST_TYPE_CONVERT", message)]);
            };
            let errors: Vec<FormError> = list
                .iter()
                .enumerate()
                .flat_map(|(i, c)| command_errors(c, &format!("{i}.")))
                .collect();
            if !errors.is_empty() {
                return Answer::invalid_form(errors);
            }
            let new: Vec<Value> = list.iter().map(|c| command(state, c, guild)).collect();
            state.commands.insert(scope.to_owned(), new.clone());
            Answer::ok(json!(new))
        }
        "POST" => {
            let errors = command_errors(body, "");
            if !errors.is_empty() {
                return Answer::invalid_form(errors);
            }
            let created = command(state, body, guild);
            let list = state.commands.entry(scope.to_owned()).or_default();
            let existing = list.iter().position(|c| c["name"] == created["name"]);
            match existing {
                Some(i) => list[i] = created.clone(),
                None => list.push(created.clone()),
            }
            Answer::with_status(if existing.is_some() { 200 } else { 201 }, created)
        }
        _ => Answer::method_not_allowed(),
    }
}

fn command_errors(command: &Value, prefix: &str) -> Vec<FormError> {
    let mut errors = Vec::new();
    let valid_name = |name: Option<&str>| {
        name.is_some_and(|n| {
            (1..=32).contains(&n.chars().count())
                && n.chars()
                    .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
                && n.to_lowercase() == n
        })
    };
    let chat_input = command.get("type").and_then(Value::as_u64).unwrap_or(1) == 1;
    let mut check = |path: String, item: &Value, needs_description: bool| {
        if !valid_name(str_field(item, "name")) {
            let message = "Command name is invalid".to_owned();
            errors.push((
                format!("{path}name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                message,
            ));
        }
        let description = str_field(item, "description");
        if needs_description {
            required(&mut errors, format!("{path}description"), description);
        }
        too_long(&mut errors, format!("{path}description"), description, 100);
    };
    check(prefix.to_owned(), command, chat_input);
    for (i, option) in list(command, "options").iter().enumerate() {
        check(format!("{prefix}options.{i}."), option, true);
    }
    errors
}

/// The command object Discord answers with; a command keeps its id across overwrites.
fn command(state: &mut State, body: &Value, guild: Option<&str>) -> Value {
    let name = str_field(body, "name").unwrap_or_default();
    let scope = guild.unwrap_or("global");
    let existing = state
        .commands
        .get(scope)
        .and_then(|list| list.iter().find(|c| c["name"] == name))
        .and_then(|c| str_field(c, "id"))
        .map(str::to_owned);
    let id = existing.unwrap_or_else(|| state.next_snowflake());
    let version = state.next_snowflake();
    let mut command = json!({
        "id": id, "application_id": APP_ID, "version": version,
        "default_member_permissions": null, "type": 1, "name": name,
        "name_localizations": null, "description": "", "description_localizations": null,
        "nsfw": false, "integration_types": [0], "contexts": null,
    });
    match guild {
        Some(guild) => command["guild_id"] = json!(guild),
        None => command["dm_permission"] = json!(true),
    }
    for field in [
        "type",
        "description",
        "options",
        "default_member_permissions",
        "nsfw",
        "contexts",
        "integration_types",
        "name_localizations",
    ] {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            command[field] = value.clone();
        }
    }
    command
}
