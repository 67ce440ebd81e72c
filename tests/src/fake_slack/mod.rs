//! A fake Slack on 127.0.0.1 that speaks the real wire formats, so firebell's unchanged
//! slack-morphism client and Socket Mode listener can run against it in tests:
//!
//! - the Web API under `/api/{method}` (what `with_slack_api_url("http://127.0.0.1:PORT/api")`
//!   calls): JSON, form or query parameters in, Slack's `{"ok":…}` bodies out, Bearer tokens
//!   checked by kind (`xoxb-` bot, `xapp-` app-level);
//! - `response_url`s under `/response/{id}`, which interaction and command payloads carry;
//! - Socket Mode on a second port: `apps.connections.open` hands out a one-time
//!   `ws://…/link/?ticket=…` URL, the socket greets with `hello`, and tests push envelopes
//!   and read the client's acks;
//! - failures on demand: 429 with `Retry-After`, `{"ok":false,"error":…}`, a whole outage.
//!
//! Every Web API call is recorded in arrival order; waits have a 10 s deadline and panic with a
//! dump of what arrived. The payload builders (in `payloads`) produce what Slack sends *to* the
//! app: Events API messages, `block_actions`, slash commands, request signatures.
//!
//! # Layout
//! - `web`: the Web API and `response_url` routes, and the rules they answer by.
//! - `socket`: the Socket Mode websocket listener.
//! - `files`: file sharing by the external upload flow.
//! - `payloads`: inbound payload builders over the fixtures in `tests/fixtures/slack/`.

mod files;
mod payloads;
mod socket;
mod web;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

pub use files::SharedFile;
pub use payloads::{block_action, message_event, sign, slash_command, slash_command_form};

/// The workspace the fake pretends to be; the payload builders use the same ids.
pub const TEAM_ID: &str = "T0FIREBELL";
pub const TEAM_DOMAIN: &str = "firebell-test";
pub const APP_ID: &str = "A0FIREBELL";
/// The bot user firebell posts as (what `auth.test` answers).
pub const BOT_USER_ID: &str = "U0FIREBELL";
pub const BOT_ID: &str = "B0FIREBELL";

const DEADLINE: Duration = Duration::from_secs(10);

/// One Web API (or `response_url`) call the fake received.
#[derive(Debug, Clone)]
pub struct SlackCall {
    /// `chat.postMessage`, …, or `response_url`.
    pub method: String,
    /// The request path: `/api/chat.postMessage` or `/response/3`.
    pub path: String,
    /// The parameters as sent: the JSON body, or form / query fields as a JSON object of strings.
    pub body: Value,
    /// The Bearer token from `Authorization` (or a form `token` field).
    pub token: Option<String>,
    /// The HTTP status the fake answered (429 for a planned rate limit, 503 while down).
    pub status: u16,
    /// The `error` of an `{"ok":false}` answer.
    pub error: Option<String>,
    /// The message ts the fake assigned or answered (postMessage, update, postEphemeral, delete).
    pub ts: Option<String>,
    pub at: Instant,
}

impl SlackCall {
    /// A top-level string parameter.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }

    /// The `text` parameter, or "".
    pub fn text(&self) -> &str {
        self.str("text").unwrap_or_default()
    }

    /// `text` plus every `text` string anywhere in `blocks` and `attachments` (also when they
    /// were sent as JSON strings in a form), one per line: what a reader of the message sees.
    pub fn all_text(&self) -> String {
        let mut out = vec![self.text().to_owned()];
        for field in ["blocks", "attachments"] {
            if let Some(value) = json_param(&self.body, field) {
                collect_texts(&value, &mut out);
            }
        }
        out.retain(|t| !t.is_empty());
        out.join("\n")
    }

    fn summary(&self) -> String {
        format!(
            "{} {} token={:?} status={} error={:?} ts={:?} body={}",
            self.method, self.path, self.token, self.status, self.error, self.ts, self.body
        )
    }
}

/// A parameter that may be JSON or, in a form post, a string holding JSON.
fn json_param(body: &Value, field: &str) -> Option<Value> {
    match body.get(field)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn collect_texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if key == "text" => out.push(s.clone()),
                    _ => collect_texts(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}

/// A planned answer for the next call to one method.
#[derive(Debug, Clone)]
enum Planned {
    RateLimited { retry_after_secs: u64 },
    Error(String),
}

/// Something to send down one websocket.
#[derive(Debug)]
enum Outgoing {
    Text(String),
    Close(&'static str),
}

struct Connection {
    id: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
    /// `hello` has been sent, so envelopes may follow.
    greeted: bool,
}

#[derive(Default)]
struct State {
    calls: Vec<SlackCall>,
    plans: HashMap<String, VecDeque<Planned>>,
    down: bool,
    /// Every ts handed out so far (messages and ephemeral messages).
    issued_ts: u64,
    /// `(channel, ts)` of messages posted and not deleted: what `chat.update` may touch.
    messages: HashSet<(String, String)>,
    /// Socket Mode tickets issued by `apps.connections.open` and not used yet.
    tickets: HashSet<String>,
    issued_tickets: u64,
    connections_total: usize,
    open: Vec<Connection>,
    /// Client frames that carried an `envelope_id`, by id.
    acks: HashMap<String, Value>,
    issued_envelopes: u64,
    issued_response_urls: u64,
    files: files::Files,
}

impl State {
    fn current_connection(&self) -> Option<&Connection> {
        self.open.iter().rev().find(|c| c.greeted)
    }
}

struct Shared {
    /// `http://127.0.0.1:PORT`
    http_base: String,
    /// `ws://127.0.0.1:PORT`
    ws_base: String,
    state: Mutex<State>,
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not turn every later answer into a second panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the state and wakes every waiter.
    fn update<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.lock());
        self.changed.notify_waiters();
        out
    }
}

/// The fake Slack; clones share one server.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
}

impl FakeSlack {
    /// Binds the Web API and the Socket Mode listener on 127.0.0.1:0 and serves both.
    pub async fn start() -> FakeSlack {
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Slack Web API");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Slack socket");
        let shared = Arc::new(Shared {
            http_base: format!("http://{}", http.local_addr().expect("addr")),
            ws_base: format!("ws://{}", ws.local_addr().expect("addr")),
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        });
        let app = web::router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(http, app).await;
        });
        tokio::spawn(socket::serve(ws, shared.clone()));
        FakeSlack { shared }
    }

    /// `http://127.0.0.1:PORT/api`: the value for `with_slack_api_url` (no trailing slash).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.shared.http_base)
    }

    /// A fresh `response_url` on the fake, for the payload builders.
    pub fn response_url(&self) -> String {
        let n = self.shared.update(|s| {
            s.issued_response_urls += 1;
            s.issued_response_urls
        });
        format!("{}/response/{n}", self.shared.http_base)
    }

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<SlackCall> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<SlackCall> {
        let state = self.shared.lock();
        state
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Waits until at least `n` calls to `method` arrived; returns all calls to it.
    pub async fn wait_for_calls(&self, method: &str, n: usize) -> Vec<SlackCall> {
        let what = format!("{n} call(s) to {method}");
        self.wait_until(&what, |calls| {
            calls.iter().filter(|c| c.method == method).count() >= n
        })
        .await;
        self.calls_to(method)
    }

    /// Waits until `pred` holds for the calls so far; returns them.
    pub async fn wait_until(
        &self,
        what: &str,
        pred: impl Fn(&[SlackCall]) -> bool,
    ) -> Vec<SlackCall> {
        self.wait_state(what, |s| pred(&s.calls).then(|| s.calls.clone()))
            .await
    }

    /// The next call to `method` gets HTTP 429, `Retry-After: {secs}` and
    /// `{"ok":false,"error":"ratelimited"}`. Plans queue up: call twice to limit two calls.
    pub fn rate_limit_next(&self, method: &str, retry_after_secs: u64) {
        self.plan(method, Planned::RateLimited { retry_after_secs });
    }

    /// The next call to `method` gets HTTP 200 `{"ok":false,"error":error}`.
    pub fn fail_next(&self, method: &str, error: &str) {
        self.plan(method, Planned::Error(error.to_owned()));
    }

    fn plan(&self, method: &str, planned: Planned) {
        self.shared.update(|s| {
            s.plans
                .entry(method.to_owned())
                .or_default()
                .push_back(planned)
        });
    }

    /// An outage: while down, every Web API call gets HTTP 503, open sockets are closed and
    /// new ones refused.
    pub fn set_down(&self, down: bool) {
        self.shared.update(|s| {
            s.down = down;
            if down {
                for conn in s.open.drain(..) {
                    let _ = conn.tx.send(Outgoing::Close("service unavailable"));
                }
            }
        });
    }

    /// Waits until a Socket Mode client is connected and has been sent `hello`.
    pub async fn wait_connected(&self) {
        self.wait_state("a Socket Mode connection", |s| {
            s.current_connection().map(|_| ())
        })
        .await;
    }

    /// Waits until `n` websocket connections were accepted in total and the newest is open and
    /// greeted: the client's reconnect after `drop_socket`, `send_disconnect` or an outage.
    pub async fn wait_connection_count(&self, n: usize) {
        let what = format!("{n} Socket Mode connection(s) in total");
        self.wait_state(&what, |s| {
            let newest_open = s.open.iter().any(|c| c.greeted && c.id as usize >= n);
            (s.connections_total >= n && newest_open).then_some(())
        })
        .await;
    }

    /// Websocket connections accepted so far, closed ones included.
    pub fn connection_count(&self) -> usize {
        self.shared.lock().connections_total
    }

    pub fn open_connections(&self) -> usize {
        self.shared.lock().open.len()
    }

    /// Sends a Socket Mode envelope of `kind` (`events_api`, `interactive` or `slash_commands`)
    /// around `payload` to the current connection (waiting for one); returns its `envelope_id`.
    pub async fn send_envelope(&self, kind: &str, payload: Value) -> String {
        let id = self.shared.update(|s| {
            s.issued_envelopes += 1;
            envelope_id(s.issued_envelopes)
        });
        let frame = envelope(kind, &id, payload).to_string();
        self.send_to_current(Outgoing::Text(frame)).await;
        id
    }

    /// Sends Slack's `disconnect` message (reason e.g. `refresh_requested`, `warning`,
    /// `link_disabled`), after which a client is expected to reconnect by itself.
    pub async fn send_disconnect(&self, reason: &str) {
        let frame = json!({"type": "disconnect", "reason": reason,
                           "debug_info": {"host": "applink-fake-firebell"}});
        self.send_to_current(Outgoing::Text(frame.to_string()))
            .await;
    }

    /// Waits for the client's ack of `envelope_id`; returns the whole ack frame.
    pub async fn wait_ack(&self, envelope_id: &str) -> Value {
        let what = format!("an ack of envelope {envelope_id}");
        self.wait_state(&what, |s| s.acks.get(envelope_id).cloned())
            .await
    }

    /// Closes the current websocket with a close frame, as Slack does when it drops a
    /// connection, and waits until it is gone; the client has to reconnect.
    pub async fn drop_socket(&self) {
        let id = self.send_to_current(Outgoing::Close("link dropped")).await;
        self.wait_state("the dropped socket to close", |s| {
            s.open.iter().all(|c| c.id != id).then_some(())
        })
        .await;
    }

    /// Sends to the newest greeted connection (waiting for one); returns its id.
    async fn send_to_current(&self, mut out: Outgoing) -> u64 {
        loop {
            let conn = self
                .wait_state("an open Socket Mode connection", |s| {
                    s.current_connection().map(|c| (c.id, c.tx.clone()))
                })
                .await;
            match conn.1.send(out) {
                Ok(()) => return conn.0,
                // It closed in between: forget it and try the next one.
                Err(mpsc::error::SendError(back)) => {
                    out = back;
                    self.shared.update(|s| s.open.retain(|c| c.id != conn.0));
                }
            }
        }
    }

    async fn wait_state<T>(&self, what: &str, ready: impl Fn(&State) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let notified = self.shared.changed.notified();
            let got = ready(&self.shared.lock());
            if let Some(out) = got {
                return out;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "the fake Slack never saw {what} (10 s); it saw:\n{}",
                    self.dump()
                );
            }
        }
    }

    fn dump(&self) -> String {
        let state = self.shared.lock();
        let mut lines: Vec<String> = state.calls.iter().map(SlackCall::summary).collect();
        if lines.is_empty() {
            lines.push("(no Web API calls)".to_owned());
        }
        lines.push(format!(
            "sockets: {} accepted, {} open; acks: {:?}",
            state.connections_total,
            state.open.len(),
            state.acks.keys().collect::<Vec<_>>()
        ));
        lines.join("\n")
    }
}

/// UUID-shaped, like Slack's envelope ids.
fn envelope_id(n: u64) -> String {
    format!(
        "{n:08x}-f1be-4e11-8a5c-{:012x}",
        n.wrapping_mul(0x9e37_79b9)
    )
}

/// A Socket Mode envelope as Slack frames it. Only `events_api` carries retry information in
/// practice, but slack-morphism ignores the fields elsewhere, so they are always present.
fn envelope(kind: &str, envelope_id: &str, payload: Value) -> Value {
    assert!(
        matches!(kind, "events_api" | "interactive" | "slash_commands"),
        "unknown Socket Mode envelope type {kind:?}"
    );
    json!({
        "envelope_id": envelope_id,
        "type": kind,
        "payload": payload,
        // Slack accepts a response in the ack for commands and interactions, not for events.
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": 0,
        "retry_reason": "",
    })
}
