//! A fake Discord on 127.0.0.1 that speaks the real wire formats (API v10), so firebell's
//! unchanged serenity `Http` and gateway shard can run against it in tests:
//!
//! - REST under `/api/v10/…`, which is where serenity sends requests once
//!   `HttpBuilder::proxy("http://127.0.0.1:PORT")` swaps `https://discord.com` for the proxy
//!   (with `ratelimiter_disabled(true)`; the rate limiter ignores the proxy). `Authorization:
//!   Bot …` is checked, bodies are validated against Discord's documented limits, and answers
//!   are full objects serenity deserializes (messages, threads, commands);
//! - the gateway on a second port: `GET /gateway` hands out `ws://127.0.0.1:PORT`, the socket
//!   greets with op 10 HELLO, answers IDENTIFY with READY and RESUME with a replay plus RESUMED,
//!   acks heartbeats, and relays the test's dispatches as plain text frames;
//! - failures on demand: 429 with Discord's headers and body, any JSON error, a whole outage.
//!
//! Every REST call is recorded in arrival order; waits have a 10 s deadline and panic with a
//! dump of what arrived. The payload builders (in `payloads`) produce what Discord sends *to*
//! the app: MESSAGE_CREATE, component clicks, slash commands, pings, request signatures.
//!
//! # Layout
//! - `rest`: the REST routes and the rules they answer by (`messages`, `interactions` below it).
//! - `gateway`: the gateway websocket listener, its sessions, and the gateway half of
//!   `FakeDiscord` (wait for READY, dispatch, drop, reconnect).
//! - `payloads`: inbound payload builders over the fixtures in `tests/fixtures/discord/`, and
//!   the Ed25519 signer for the HTTP interactions endpoint.

mod gateway;
mod payloads;
mod rest;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

pub use payloads::{
    InteractionSigner, component_click, message_create, ping, slash_command, user_name,
};
pub use rest::files::PostedFile;

/// The guild everything happens in; the payload builders use the same ids.
pub const GUILD: &str = "500000000000000001";
/// The bot user firebell acts as (what `GET /users/@me` and READY answer).
pub const BOT_USER: &str = "300000000000000001";
pub const BOT_USERNAME: &str = "firebell";
/// The application the bot belongs to (READY's `application.id`, the commands' owner).
pub const APP_ID: &str = "400000000000000001";

const DEADLINE: Duration = Duration::from_secs(10);
const API_PREFIX: &str = "/api/v10";

/// One REST call the fake received.
#[derive(Debug, Clone)]
pub struct DiscordCall {
    pub method: String,
    /// The request path as sent, e.g. `/api/v10/channels/100000000000000001/messages`.
    pub path: String,
    /// Method and path without the `/api/v10` prefix, ids and tokens replaced by `{}`:
    /// `POST /channels/{}/messages`, `POST /interactions/{}/{}/callback`.
    pub route: String,
    /// The JSON body (or a multipart request's `payload_json`); `Null` when there was none.
    pub body: Value,
    /// The `Authorization` header as sent (`Bot …`).
    pub auth: Option<String>,
    /// The HTTP status the fake answered (429 for a planned rate limit, 503 while down).
    pub status: u16,
    /// The JSON error `code` of an error answer (10008 Unknown Message, 50035 Invalid Form Body…).
    pub code: Option<i64>,
    /// The snowflake the fake assigned or acted on: the message created, edited or deleted, the
    /// thread started.
    pub id: Option<String>,
    pub at: Instant,
}

impl DiscordCall {
    /// The message fields: the body itself, or `data` of an interaction callback.
    fn message_fields(&self) -> &Value {
        match self.body.get("data") {
            Some(data) if data.is_object() && self.route.ends_with("/callback") => data,
            _ => &self.body,
        }
    }

    /// The message `content`, or "".
    pub fn content(&self) -> &str {
        self.message_fields()
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `content`, then every embed's author, title, description, field names and values and
    /// footer, then every button label, one per line: what a reader of the message sees.
    pub fn all_text(&self) -> String {
        let fields = self.message_fields();
        let mut out = vec![self.content().to_owned()];
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        for embed in array(fields, "embeds") {
            out.extend(embed.get("author").and_then(|a| text(a, "name")));
            out.extend(text(embed, "title"));
            out.extend(text(embed, "description"));
            for field in array(embed, "fields") {
                out.extend(text(field, "name"));
                out.extend(text(field, "value"));
            }
            out.extend(embed.get("footer").and_then(|f| text(f, "text")));
        }
        for row in array(fields, "components") {
            for component in array(row, "components") {
                out.extend(text(component, "label"));
            }
        }
        out.retain(|t| !t.is_empty());
        out.join("\n")
    }

    /// The channel id in the path (`/channels/{id}/…`); `None` for other routes.
    pub fn channel(&self) -> Option<&str> {
        let rest = self.path.strip_prefix(API_PREFIX)?;
        let rest = rest.strip_prefix("/channels/")?;
        rest.split('/').next().filter(|c| !c.is_empty())
    }

    fn summary(&self) -> String {
        format!(
            "{} {} auth={:?} status={} code={:?} id={:?} body={}",
            self.method, self.path, self.auth, self.status, self.code, self.id, self.body
        )
    }
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A planned answer for the next call to one route.
#[derive(Debug, Clone)]
enum Planned {
    RateLimited {
        retry_after_secs: f64,
    },
    Error {
        status: u16,
        code: i64,
        message: String,
    },
}

/// Something to send down one gateway socket.
#[derive(Debug)]
enum Outgoing {
    Text(String),
    Close(u16, &'static str),
}

struct Connection {
    id: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
    /// The session this socket identified or resumed into; dispatches go only to those.
    session: Option<String>,
}

/// A gateway session: what IDENTIFY created and RESUME continues.
#[derive(Default)]
struct Session {
    seq: u64,
    /// Every dispatch frame sent in this session, by sequence number, for replay on RESUME.
    log: Vec<(u64, String)>,
}

/// A message that exists on the fake: posted through REST, or dispatched as MESSAGE_CREATE.
struct StoredMessage {
    channel_id: String,
    message: Value,
}

/// What the fake knows about one interaction, learned from its token on first use.
#[derive(Default)]
struct InteractionState {
    /// The callback (initial response) was sent.
    responded: bool,
    /// The message `@original` refers to once responded.
    original: Option<String>,
}

#[derive(Default)]
struct State {
    /// Files posted with messages, in order.
    files: Vec<rest::files::PostedFile>,
    calls: Vec<DiscordCall>,
    plans: HashMap<String, VecDeque<Planned>>,
    down: bool,
    /// Snowflakes handed out so far (messages, commands, sessions' READY has none).
    issued: u64,
    messages: HashMap<String, StoredMessage>,
    /// Thread channels by id; a thread started from a message has that message's id.
    threads: HashMap<String, Value>,
    interactions: HashMap<String, InteractionState>,
    /// Registered application commands by scope (`global` or a guild id).
    commands: HashMap<String, Vec<Value>>,
    /// The path and query of every gateway handshake (`/?v=10`).
    gateway_requests: Vec<String>,
    connections_total: usize,
    open: Vec<Connection>,
    sessions: HashMap<String, Session>,
    identifies: Vec<Value>,
    resumes: Vec<Value>,
    heartbeats: usize,
}

impl State {
    fn live_connections(&self) -> impl Iterator<Item = &Connection> {
        self.open.iter().filter(|c| c.session.is_some())
    }

    /// The next snowflake, shaped like Discord's (creation time in the top bits).
    fn next_snowflake(&mut self) -> String {
        self.issued += 1;
        payloads::snowflake(payloads::FAKE_WORKER, self.issued).to_string()
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

/// The fake Discord; clones share one server.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
}

impl FakeDiscord {
    /// Binds REST and the gateway on 127.0.0.1:0 and serves both.
    pub async fn start() -> FakeDiscord {
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Discord REST API");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Discord gateway");
        let shared = Arc::new(Shared {
            http_base: format!("http://{}", http.local_addr().expect("addr")),
            ws_base: format!("ws://{}", ws.local_addr().expect("addr")),
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        });
        let app = rest::router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(http, app).await;
        });
        tokio::spawn(gateway::serve(ws, shared.clone()));
        FakeDiscord { shared }
    }

    /// `http://127.0.0.1:PORT`: the value for `HttpBuilder::proxy` (serenity keeps the
    /// `/api/v10` path and swaps only the origin).
    pub fn url(&self) -> String {
        self.shared.http_base.clone()
    }

    /// `ws://127.0.0.1:PORT`: what `GET /gateway` and `GET /gateway/bot` answer.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_base.clone()
    }

    /// Every REST call so far, in arrival order.
    pub fn calls(&self) -> Vec<DiscordCall> {
        self.shared.lock().calls.clone()
    }

    /// The calls to one route, e.g. `POST /channels/{}/messages`.
    pub fn calls_to(&self, route: &str) -> Vec<DiscordCall> {
        let state = self.shared.lock();
        state
            .calls
            .iter()
            .filter(|c| c.route == route)
            .cloned()
            .collect()
    }

    /// Initial interaction responses: the `POST /interactions/{}/{}/callback` calls.
    pub fn interaction_responses(&self) -> Vec<DiscordCall> {
        self.calls_to("POST /interactions/{}/{}/callback")
    }

    /// Waits until at least `n` calls to `route` arrived; returns all calls to it.
    pub async fn wait_for_calls(&self, route: &str, n: usize) -> Vec<DiscordCall> {
        let what = format!("{n} call(s) to {route}");
        self.wait_until(&what, |calls| {
            calls.iter().filter(|c| c.route == route).count() >= n
        })
        .await;
        self.calls_to(route)
    }

    /// Waits until `pred` holds for the calls so far; returns them.
    pub async fn wait_until(
        &self,
        what: &str,
        pred: impl Fn(&[DiscordCall]) -> bool,
    ) -> Vec<DiscordCall> {
        self.wait_state(what, |s| pred(&s.calls).then(|| s.calls.clone()))
            .await
    }

    /// The next call to `route` gets Discord's 429: `{"message": "You are being rate
    /// limited.", "retry_after": X, "global": false}` with `Retry-After` (whole seconds, rounded
    /// up) and the `X-RateLimit-*` headers. Plans queue up: call twice to limit two calls.
    pub fn rate_limit_next(&self, route: &str, retry_after_secs: f64) {
        self.plan(route, Planned::RateLimited { retry_after_secs });
    }

    /// The next call to `route` gets `status` with `{"message": message, "code": code}`, e.g.
    /// `(403, 50013, "Missing Permissions")` or `(404, 10003, "Unknown Channel")`.
    pub fn fail_next(&self, route: &str, status: u16, code: i64, message: &str) {
        let message = message.to_owned();
        self.plan(
            route,
            Planned::Error {
                status,
                code,
                message,
            },
        );
    }

    fn plan(&self, route: &str, planned: Planned) {
        assert!(
            route.contains(' ') && !route.contains(API_PREFIX),
            "routes look like `POST /channels/{{}}/messages`, got {route:?}"
        );
        self.shared.update(|s| {
            s.plans
                .entry(route.to_owned())
                .or_default()
                .push_back(planned)
        });
    }

    /// An outage: while down, every REST call gets HTTP 503 (a plain-text body, as from
    /// Discord's edge), open gateway sockets are dropped and new ones refused. Sessions survive,
    /// so a client may RESUME afterwards.
    pub fn set_down(&self, down: bool) {
        self.shared.update(|s| {
            s.down = down;
            if down {
                for conn in s.open.drain(..) {
                    let _ = conn.tx.send(Outgoing::Close(1012, "service restart"));
                }
            }
        });
    }

    /// Message `id` as Discord would return it now (`None` once deleted or never posted).
    pub fn message(&self, id: &str) -> Option<Value> {
        self.shared
            .lock()
            .messages
            .get(id)
            .map(|m| m.message.clone())
    }

    /// The commands registered so far, for `global` or a guild id.
    pub fn commands(&self, scope: &str) -> Vec<Value> {
        let state = self.shared.lock();
        state.commands.get(scope).cloned().unwrap_or_default()
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
                    "the fake Discord never saw {what} (10 s); it saw:\n{}",
                    self.dump()
                );
            }
        }
    }

    fn dump(&self) -> String {
        let state = self.shared.lock();
        let mut lines: Vec<String> = state.calls.iter().map(DiscordCall::summary).collect();
        if lines.is_empty() {
            lines.push("(no REST calls)".to_owned());
        }
        lines.push(format!(
            "gateway: {} socket(s) accepted, {} open, {} live; {} IDENTIFY, {} RESUME, {} heartbeat(s)",
            state.connections_total,
            state.open.len(),
            state.live_connections().count(),
            state.identifies.len(),
            state.resumes.len(),
            state.heartbeats
        ));
        lines.join("\n")
    }
}
