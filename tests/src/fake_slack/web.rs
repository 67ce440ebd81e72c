//! The Web API and `response_url` routes. slack-morphism POSTs JSON with
//! `Authorization: Bearer …` and GETs `auth.test`; other clients may post forms with a `token`
//! field, so all three parameter styles land in one JSON object. Slack answers errors with
//! HTTP 200 and `{"ok":false,"error":…}`; only rate limits (429) and outages (503) change the
//! status, which is what slack-morphism keys its error kinds on.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::{Map, Value, json};

use super::{
    APP_ID, BOT_ID, BOT_USER_ID, Planned, Shared, SlackCall, State, TEAM_DOMAIN, TEAM_ID,
    json_param,
};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{method}", any(web_api))
        .route("/response/{id}", post(response_url))
        .route("/upload/{id}", post(super::files::receive))
        .with_state(shared)
}

/// What the fake answers one call with.
struct Answer {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
    ts: Option<String>,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
            retry_after: None,
            ts: None,
        }
    }

    fn ok_with_ts(body: Value, ts: &str) -> Answer {
        Answer {
            ts: Some(ts.to_owned()),
            ..Answer::ok(body)
        }
    }

    fn error(error: &str) -> Answer {
        Answer::ok(json!({"ok": false, "error": error}))
    }

    fn error_text(&self) -> Option<String> {
        self.body
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

async fn web_api(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/{method}");
    handle(
        &shared,
        Endpoint::Method(method),
        path,
        &uri,
        &headers,
        &body,
    )
}

async fn response_url(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/response/{id}");
    handle(&shared, Endpoint::ResponseUrl, path, &uri, &headers, &body)
}

enum Endpoint {
    Method(String),
    ResponseUrl,
}

fn handle(
    shared: &Shared,
    endpoint: Endpoint,
    path: String,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let at = Instant::now();
    let method = match &endpoint {
        Endpoint::Method(m) => m.clone(),
        Endpoint::ResponseUrl => "response_url".to_owned(),
    };
    let (params, parse_error) = match parse_params(uri.query(), headers, body) {
        Ok(params) => (params, None),
        Err(error) => (Value::Object(Map::new()), Some(error)),
    };
    let token = bearer(headers).or_else(|| {
        params
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let answer = shared.update(|state| {
        let answer = match parse_error {
            // An outage answers 503 whatever was sent.
            Some(error) if !state.down => Answer::error(error),
            _ => decide(state, shared, &endpoint, &params, token.as_deref()),
        };
        state.calls.push(SlackCall {
            method,
            path,
            body: params,
            token,
            status: answer.status.as_u16(),
            error: answer.error_text(),
            ts: answer.ts.clone(),
            at,
        });
        answer
    });
    if answer.status == StatusCode::SERVICE_UNAVAILABLE {
        return (
            answer.status,
            "upstream connect error or disconnect/reset before headers",
        )
            .into_response();
    }
    let mut response = (answer.status, axum::Json(answer.body)).into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// Query string, then the body (JSON or form), merged into one object.
fn parse_params(
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, &'static str> {
    let mut params = Map::new();
    if let Some(query) = query {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|_| "invalid_arguments")?;
        params.extend(fields.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(params));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => params.extend(fields),
            _ => return Err("invalid_json"),
        }
    } else {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|_| "invalid_form_data")?;
        params.extend(fields.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    Ok(Value::Object(params))
}

const BOT_METHODS: [&str; 7] = [
    "auth.test",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "chat.delete",
];

/// The whole decision for one call, under the state lock (so ts order is arrival order).
fn decide(
    state: &mut State,
    shared: &Shared,
    endpoint: &Endpoint,
    params: &Value,
    token: Option<&str>,
) -> Answer {
    if state.down {
        return Answer {
            status: StatusCode::SERVICE_UNAVAILABLE,
            ..Answer::ok(Value::Null)
        };
    }
    let method = match endpoint {
        Endpoint::Method(m) => m.as_str(),
        Endpoint::ResponseUrl => "response_url",
    };
    match state.plans.get_mut(method).and_then(|p| p.pop_front()) {
        Some(Planned::RateLimited { retry_after_secs }) => {
            return Answer {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(retry_after_secs),
                ..Answer::error("ratelimited")
            };
        }
        Some(Planned::Error(error)) => return Answer::error(&error),
        None => {}
    }
    let Endpoint::Method(method) = endpoint else {
        // A response_url carries its own authority; Slack wants no token on it.
        return Answer::ok(json!({"ok": true}));
    };
    let wants_app_token = method == "apps.connections.open";
    if !wants_app_token && !BOT_METHODS.contains(&method.as_str()) {
        return Answer::error("unknown_method");
    }
    match token {
        None | Some("") => return Answer::error("not_authed"),
        Some(t) if t.starts_with("xapp-") == wants_app_token && is_known_kind(t) => {}
        Some(t) if is_known_kind(t) => return Answer::error("not_allowed_token_type"),
        Some(_) => return Answer::error("invalid_auth"),
    }
    let text = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default();
    match method.as_str() {
        "auth.test" => Answer::ok(json!({
            "ok": true, "url": format!("https://{TEAM_DOMAIN}.slack.com/"), "team": "Firebell Test",
            "user": "firebell", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
            "is_enterprise_install": false,
        })),
        "apps.connections.open" => {
            state.issued_tickets += 1;
            let ticket = format!("{:08x}-fake-ticket", state.issued_tickets);
            state.tickets.insert(ticket.clone());
            Answer::ok(json!({
                "ok": true,
                "url": format!("{}/link/?ticket={ticket}&app_id={APP_ID}", shared.ws_base),
            }))
        }
        "chat.postMessage" => {
            let channel = text("channel");
            if channel.is_empty() {
                return Answer::error("channel_not_found");
            }
            if !has_content(params) {
                return Answer::error("no_text");
            }
            let ts = next_ts(state);
            state.messages.insert((channel.to_owned(), ts.clone()));
            let mut message = bot_message(params);
            message["ts"] = json!(ts);
            if let Some(thread_ts) = params.get("thread_ts").filter(|v| !v.is_null()) {
                message["thread_ts"] = thread_ts.clone();
            }
            let body = json!({"ok": true, "channel": channel, "ts": ts, "message": message});
            Answer::ok_with_ts(body, &ts)
        }
        "chat.update" => {
            let (channel, ts) = (text("channel"), text("ts"));
            if !state
                .messages
                .contains(&(channel.to_owned(), ts.to_owned()))
            {
                return Answer::error("message_not_found");
            }
            let body = json!({"ok": true, "channel": channel, "ts": ts, "text": text("text"),
                              "message": bot_message(params)});
            Answer::ok_with_ts(body, ts)
        }
        "chat.postEphemeral" => {
            if text("channel").is_empty() {
                return Answer::error("channel_not_found");
            }
            if text("user").is_empty() {
                return Answer::error("user_not_in_channel");
            }
            if !has_content(params) {
                return Answer::error("no_text");
            }
            let ts = next_ts(state);
            Answer::ok_with_ts(json!({"ok": true, "message_ts": ts}), &ts)
        }
        "chat.delete" => {
            let (channel, ts) = (text("channel"), text("ts"));
            if !state.messages.remove(&(channel.to_owned(), ts.to_owned())) {
                return Answer::error("message_not_found");
            }
            Answer::ok_with_ts(json!({"ok": true, "channel": channel, "ts": ts}), ts)
        }
        "files.getUploadURLExternal" => {
            Answer::ok(super::files::upload_url(state, &shared.http_base, params))
        }
        "files.completeUploadExternal" => {
            Answer::ok(super::files::complete(state, params, next_ts))
        }
        _ => Answer::error("unknown_method"),
    }
}

fn is_known_kind(token: &str) -> bool {
    ["xoxb-", "xapp-"].iter().any(|p| token.starts_with(p))
}

fn has_content(params: &Value) -> bool {
    ["text", "blocks", "attachments", "markdown_text"]
        .iter()
        .any(|f| match params.get(*f) {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            _ => false,
        })
}

/// The message object Slack echoes back for a bot post or update.
fn bot_message(params: &Value) -> Value {
    let mut message = json!({
        "user": BOT_USER_ID, "type": "message", "bot_id": BOT_ID, "app_id": APP_ID,
        "text": params.get("text").and_then(Value::as_str).unwrap_or_default(), "team": TEAM_ID,
    });
    for field in ["blocks", "attachments"] {
        if let Some(value) = json_param(params, field) {
            message[field] = value;
        }
    }
    message
}

/// Unique and increasing, shaped like Slack's: `1763700000.000100`, `1763700000.000200`, ….
fn next_ts(state: &mut State) -> String {
    state.issued_ts += 1;
    let micros = state.issued_ts * 100;
    format!(
        "{}.{:06}",
        1_763_700_000 + micros / 1_000_000,
        micros % 1_000_000
    )
}
