//! REST under `/api/v10`. serenity sends JSON bodies (multipart with a `payload_json` part when
//! files are attached) and `Authorization: Bot …`; interaction callbacks and webhooks are
//! authorised by the token in the path instead. Errors are Discord's JSON
//! `{"message": …, "code": …}` (with `errors` for 50035 Invalid Form Body), which serenity
//! turns into `HttpError::UnsuccessfulRequest`; every answer carries `X-RateLimit-*` headers.
//!
//! This module routes and answers; the routes' rules live in its children:
//! - `messages`: channel messages and threads, and Discord's limits on message bodies;
//! - `files`: multipart bodies and the files attached to messages;
//! - `interactions`: interaction callbacks, followups and `@original`, command registration.

pub(super) mod files;
mod interactions;
mod messages;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::payloads;
use super::{API_PREFIX, DiscordCall, Planned, Shared, State};
use interactions::{callback, commands, followup, webhook_message};
use messages::{channel_message, create_message, list_messages, start_thread};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What the fake answers one call with.
struct Answer {
    status: StatusCode,
    /// `None` answers with an empty body (204) or, for 503, a plain-text edge error.
    body: Option<Value>,
    retry_after: Option<f64>,
    id: Option<String>,
}

impl Answer {
    fn with_status(status: u16, body: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).expect("a valid status"),
            body: Some(body),
            retry_after: None,
            id: None,
        }
    }

    fn ok(body: Value) -> Answer {
        Answer::with_status(200, body)
    }

    fn no_content() -> Answer {
        Answer {
            body: None,
            ..Answer::with_status(204, Value::Null)
        }
    }

    fn error(status: u16, code: i64, message: &str) -> Answer {
        Answer::with_status(status, json!({"message": message, "code": code}))
    }

    fn not_found() -> Answer {
        Answer::error(404, 0, "404: Not Found")
    }

    fn method_not_allowed() -> Answer {
        Answer::error(405, 0, "405: Method Not Allowed")
    }

    fn unknown_message() -> Answer {
        Answer::error(404, 10008, "Unknown Message")
    }

    fn unknown_webhook() -> Answer {
        Answer::error(404, 10015, "Unknown Webhook")
    }

    /// 50035 Invalid Form Body, `errors` nested by path as Discord nests them.
    fn invalid_form(errors: Vec<FormError>) -> Answer {
        let mut tree = Map::new();
        for (path, code, message) in errors {
            let mut node = &mut tree;
            for key in path.split('.').filter(|k| !k.is_empty()) {
                node = node
                    .entry(key)
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("error paths nest objects");
            }
            let list = node.entry("_errors").or_insert_with(|| json!([]));
            let entry = json!({"code": code, "message": message});
            list.as_array_mut().expect("_errors is a list").push(entry);
        }
        let body = json!({"message": "Invalid Form Body", "code": 50035, "errors": tree});
        Answer::with_status(400, body)
    }

    fn with_id(mut self, id: &str) -> Answer {
        self.id = Some(id.to_owned());
        self
    }

    fn code(&self) -> Option<i64> {
        let body = self.body.as_ref().filter(|_| self.status.as_u16() >= 400)?;
        body.get("code").and_then(Value::as_i64)
    }

    fn into_response(self, route: &str) -> Response {
        if self.status == StatusCode::SERVICE_UNAVAILABLE && self.body.is_none() {
            let text = "upstream connect error or disconnect/reset before headers. reset reason: \
                        connection termination";
            return (self.status, text).into_response();
        }
        let mut response = match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        };
        let headers = response.headers_mut();
        let (remaining, reset_after) = match self.retry_after {
            Some(secs) => (0, secs),
            None => (4, 1.0),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        let mut set = |name: &'static str, value: String| {
            let value = HeaderValue::from_str(&value).expect("ASCII header");
            headers.insert(HeaderName::from_static(name), value);
        };
        set("x-ratelimit-limit", "5".to_owned());
        set("x-ratelimit-remaining", remaining.to_string());
        set("x-ratelimit-reset", format!("{:.3}", now + reset_after));
        set("x-ratelimit-reset-after", format!("{reset_after:.3}"));
        set("x-ratelimit-bucket", bucket(route));
        if let Some(secs) = self.retry_after {
            set("retry-after", (secs.ceil() as u64).to_string());
            set("x-ratelimit-scope", "user".to_owned());
        }
        response
    }
}

/// A stable, Discord-looking bucket hash per route.
fn bucket(route: &str) -> String {
    let mut hasher = DefaultHasher::new();
    route.hash(&mut hasher);
    let h = hasher.finish();
    format!("{h:016x}{:016x}", h.rotate_left(17) ^ 0x5bd1_e995)
}

impl Planned {
    fn answer(self) -> Answer {
        match self {
            Planned::RateLimited { retry_after_secs } => {
                let body = json!({"message": "You are being rate limited.",
                                  "retry_after": retry_after_secs, "global": false});
                Answer {
                    retry_after: Some(retry_after_secs),
                    ..Answer::with_status(429, body)
                }
            }
            Planned::Error {
                status,
                code,
                message,
            } => Answer::error(status, code, &message),
        }
    }
}

/// `(path, code, message)` of one Invalid Form Body error, e.g.
/// `("embeds.0.description", "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length.")`.
type FormError = (String, &'static str, String);

/// One request, as `decide` sees it.
struct Request<'a> {
    method: &'a str,
    path: &'a str,
    route: &'a str,
    /// `None` when the body was not valid JSON.
    body: Option<&'a Value>,
    auth: Option<&'a str>,
    /// The files of a multipart request.
    files: Vec<files::Part>,
}

async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_owned();
    let route = route_of(method.as_str(), &path);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parsed, files) = files::parse_body(&headers, body).await;
    let answer = shared.update(|state| {
        let request = Request {
            method: method.as_str(),
            path: &path,
            route: &route,
            body: parsed.as_ref(),
            auth: auth.as_deref(),
            files,
        };
        let answer = decide(state, &shared.ws_base, request);
        state.calls.push(DiscordCall {
            method: method.to_string(),
            path: path.clone(),
            route: route.clone(),
            body: parsed.clone().unwrap_or(Value::Null),
            auth: auth.clone(),
            status: answer.status.as_u16(),
            code: answer.code(),
            id: answer.id.clone(),
            at,
        });
        answer
    });
    answer.into_response(&route)
}

/// `POST /channels/{}/messages`: the path without `/api/v10`, snowflakes and tokens as `{}`.
pub(super) fn route_of(method: &str, path: &str) -> String {
    let rest = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').collect();
    let tokened = matches!(segments.get(1), Some(&("interactions" | "webhooks")));
    let normal: Vec<&str> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if (tokened && i == 3) || is_snowflake(s) {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("{method} {}", normal.join("/"))
}

fn is_snowflake(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The whole decision for one call, under the state lock (so ids follow arrival order).
fn decide(state: &mut State, ws_base: &str, request: Request) -> Answer {
    if state.down {
        return Answer {
            body: None,
            ..Answer::with_status(503, Value::Null)
        };
    }
    let planned = state
        .plans
        .get_mut(request.route)
        .and_then(|plans| plans.pop_front());
    if let Some(planned) = planned {
        return planned.answer();
    }
    let Some(rest) = request.path.strip_prefix(API_PREFIX) else {
        return Answer::not_found();
    };
    let Some(body) = request.body else {
        return Answer::error(400, 50109, "The request body contains invalid JSON.");
    };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let by_token = matches!(segments.first(), Some(&("interactions" | "webhooks")));
    let is_bot = request
        .auth
        .and_then(|a| a.strip_prefix("Bot "))
        .is_some_and(|t| !t.trim().is_empty());
    if !by_token && !is_bot {
        return Answer::error(401, 0, "401: Unauthorized");
    }
    match (request.method, segments.as_slice()) {
        ("GET", ["gateway"]) => Answer::ok(json!({"url": ws_base})),
        ("GET", ["gateway", "bot"]) => {
            let remaining = 1000usize.saturating_sub(state.identifies.len());
            Answer::ok(json!({
                "url": ws_base, "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": remaining,
                                        "reset_after": 86_400_000, "max_concurrency": 1},
            }))
        }
        ("GET", ["users", "@me"]) => Answer::ok(payloads::bot_user()),
        ("GET", ["oauth2", "applications", "@me"]) => Answer::ok(payloads::application()),
        (method, ["applications", app, "commands"]) => commands(state, method, app, "global", body),
        (method, ["applications", app, "guilds", guild, "commands"]) => {
            commands(state, method, app, guild, body)
        }
        (method, ["channels", channel, "messages"]) => match method {
            "POST" => create_message(state, channel, body, request.files),
            "GET" => list_messages(state, channel),
            _ => Answer::method_not_allowed(),
        },
        (method, ["channels", channel, "messages", id]) => {
            channel_message(state, method, channel, id, body)
        }
        ("POST", ["channels", channel, "messages", id, "threads"]) => {
            start_thread(state, channel, id, body)
        }
        ("POST", ["interactions", id, token, "callback"]) => callback(state, id, token, body),
        ("POST", ["webhooks", app, token]) => followup(state, app, token, body),
        (method, ["webhooks", app, token, "messages", id]) => {
            webhook_message(state, method, app, token, id, body)
        }
        _ => Answer::not_found(),
    }
}

/// Discord's answer to a non-numeric id in the path.
fn not_snowflake(field: &str, value: &str) -> Answer {
    let message = format!("Value \"{value}\" is not snowflake.");
    Answer::invalid_form(vec![(field.to_owned(), "NUMBER_TYPE_COERCE", message)])
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    super::array(value, key)
}

fn too_long(errors: &mut Vec<FormError>, path: String, value: Option<&str>, max: usize) {
    if value.is_some_and(|v| v.chars().count() > max) {
        let message = format!("Must be {max} or fewer in length.");
        errors.push((path, "BASE_TYPE_MAX_LENGTH", message));
    }
}

fn required(errors: &mut Vec<FormError>, path: String, value: Option<&str>) {
    if value.is_none_or(str::is_empty) {
        errors.push((
            path,
            "BASE_TYPE_REQUIRED",
            "This field is required".to_owned(),
        ));
    }
}
