//! The gateway: the websocket a client reaches through the URL `GET /gateway` gave it
//! (serenity appends `?v=10` and nothing else: JSON encoding, no transport compression).
//!
//! On connect the fake sends op 10 HELLO. IDENTIFY (op 2) starts a session and is answered with
//! the READY dispatch (`s` 1); RESUME (op 6) replays the session's dispatches after the client's
//! `seq` and then sends RESUMED, or op 9 INVALID_SESSION for a session it does not know.
//! Heartbeats (op 1) get op 11. Errors close the socket with Discord's close codes (4001
//! unknown opcode, 4002 decode error, 4003 not authenticated, 4004 authentication failed, 4005
//! already authenticated, 4010 invalid shard, 4013 invalid intents).

use std::sync::Arc;

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use serenity::model::application::Interaction;
use serenity::model::event::Event;

use super::{Connection, FakeDiscord, Outgoing, Session, Shared, State, StoredMessage, payloads};

/// What Discord announces today; serenity heartbeats on its own clock, so tests never wait for it.
const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;

pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        if let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(connection(tcp, shared.clone()));
        }
    }
}

// The handshake callback's error type is tungstenite's `http::Response`, returned by value.
#[allow(clippy::result_large_err)]
async fn connection(tcp: TcpStream, shared: Arc<Shared>) {
    let gate = shared.clone();
    let admit = move |request: &Request, response: Response| match admit(&gate, request) {
        Ok(()) => Ok(response),
        Err((status, why)) => Err(refuse(status, why)),
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, admit).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = shared.update(|s| {
        s.connections_total += 1;
        let id = s.connections_total as u64;
        s.open.push(Connection {
            id,
            tx,
            session: None,
        });
        id
    });
    let (mut sink, mut stream) = ws.split();
    if sink.send(Message::text(hello())).await.is_ok() {
        loop {
            let outgoing = tokio::select! {
                out = rx.recv() => vec![out.unwrap_or(Outgoing::Close(1000, ""))],
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        shared.update(|s| on_frame(s, &shared.ws_base, id, text.as_str()))
                    }
                    // `encoding=json` takes text frames only.
                    Some(Ok(Message::Binary(_))) => {
                        vec![Outgoing::Close(4002, "Error while decoding payload.")]
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => vec![],
                },
            };
            if !send_all(&mut sink, outgoing).await {
                break;
            }
        }
    }
    shared.update(|s| s.open.retain(|c| c.id != id));
}

/// Sends in order; false once the socket is closed (by a close frame or an error).
async fn send_all(sink: &mut Sink, outgoing: Vec<Outgoing>) -> bool {
    for out in outgoing {
        match out {
            Outgoing::Text(text) => {
                if sink.send(Message::text(text)).await.is_err() {
                    return false;
                }
            }
            Outgoing::Close(code, reason) => {
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: reason.into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return false;
            }
        }
    }
    true
}

/// The handshake check: up, JSON encoding, no transport compression (the fake has none).
fn admit(shared: &Shared, request: &Request) -> Result<(), (StatusCode, &'static str)> {
    let query = request.uri().query().unwrap_or_default().to_owned();
    let mut state = shared.lock();
    state.gateway_requests.push(request.uri().to_string());
    if state.down {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "Discord is down"));
    }
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("v", v)) if v != "10" => {
                return Err((StatusCode::BAD_REQUEST, "the fake speaks gateway v10 only"));
            }
            Some(("encoding", e)) if e != "json" => {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "the fake speaks encoding=json only",
                ));
            }
            Some(("compress", _)) => {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "the fake has no transport compression",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn refuse(status: StatusCode, why: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why.to_owned()));
    *response.status_mut() = status;
    response
}

fn hello() -> String {
    json!({
        "t": null, "s": null, "op": 10,
        "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS,
              "_trace": ["[\"gateway-prd-fake-firebell\",{\"micros\":0.0}]"]},
    })
    .to_string()
}

fn close(code: u16, reason: &'static str) -> Vec<Outgoing> {
    vec![Outgoing::Close(code, reason)]
}

/// One client frame, answered under the state lock (so `s` order is send order).
fn on_frame(state: &mut State, ws_base: &str, conn: u64, text: &str) -> Vec<Outgoing> {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return close(4002, "Error while decoding payload.");
    };
    let d = frame.get("d").cloned().unwrap_or(Value::Null);
    let session = state
        .open
        .iter()
        .find(|c| c.id == conn)
        .and_then(|c| c.session.clone());
    match frame.get("op").and_then(Value::as_u64) {
        Some(1) => {
            state.heartbeats += 1;
            let ack = json!({"t": null, "s": null, "op": 11, "d": null});
            vec![Outgoing::Text(ack.to_string())]
        }
        Some(2) => {
            state.identifies.push(d.clone());
            if session.is_some() {
                return close(4005, "Already authenticated.");
            }
            identify(state, ws_base, conn, &d)
        }
        Some(6) => {
            state.resumes.push(d.clone());
            if session.is_some() {
                return close(4005, "Already authenticated.");
            }
            resume(state, conn, &d)
        }
        // Presence and voice state updates, member and soundboard requests.
        Some(3 | 4 | 8 | 31) if session.is_some() => vec![],
        Some(3 | 4 | 8 | 31) => close(4003, "Not authenticated."),
        _ => close(4001, "Unknown opcode."),
    }
}

fn has_token(d: &Value) -> bool {
    d.get("token")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty())
}

fn identify(state: &mut State, ws_base: &str, conn: u64, d: &Value) -> Vec<Outgoing> {
    if !has_token(d) {
        return close(4004, "Authentication failed.");
    }
    if d.get("intents").and_then(Value::as_u64).is_none() {
        return close(4013, "Invalid intent(s).");
    }
    let shard = d.get("shard").cloned().unwrap_or(json!([0, 1]));
    let valid_shard = match shard.as_array().map(Vec::as_slice) {
        Some([id, total]) => match (id.as_u64(), total.as_u64()) {
            (Some(id), Some(total)) => id < total,
            _ => false,
        },
        _ => false,
    };
    if !valid_shard {
        return close(4010, "Invalid shard.");
    }
    let n = state.identifies.len() as u128;
    let session_id = format!(
        "{:032x}",
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    );
    let resume_url = format!("{ws_base}/resume");
    let mut session = Session::default();
    let ready = payloads::ready(&session_id, &resume_url, shard);
    let frame = dispatch_frame(&mut session, "READY", ready);
    state.sessions.insert(session_id.clone(), session);
    attach(state, conn, session_id);
    vec![Outgoing::Text(frame)]
}

fn resume(state: &mut State, conn: u64, d: &Value) -> Vec<Outgoing> {
    if !has_token(d) {
        return close(4004, "Authentication failed.");
    }
    let session_id = d.get("session_id").and_then(Value::as_str).unwrap_or("");
    let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let Some(session) = state.sessions.get_mut(session_id).filter(|s| seq <= s.seq) else {
        let invalid = json!({"t": null, "s": null, "op": 9, "d": false});
        return vec![Outgoing::Text(invalid.to_string())];
    };
    let mut out: Vec<Outgoing> = session
        .log
        .iter()
        .filter(|(s, _)| *s > seq)
        .map(|(_, frame)| Outgoing::Text(frame.clone()))
        .collect();
    out.push(Outgoing::Text(dispatch_frame(
        session,
        "RESUMED",
        json!({}),
    )));
    let session_id = session_id.to_owned();
    attach(state, conn, session_id);
    out
}

/// Makes `conn` the one socket of `session_id`; another socket still on it is closed.
fn attach(state: &mut State, conn: u64, session_id: String) {
    for other in state.open.iter_mut() {
        if other.id != conn && other.session.as_deref() == Some(session_id.as_str()) {
            other.session = None;
            let _ = other
                .tx
                .send(Outgoing::Close(4000, "session resumed elsewhere"));
        }
    }
    if let Some(c) = state.open.iter_mut().find(|c| c.id == conn) {
        c.session = Some(session_id);
    }
}

/// An op 0 frame with the session's next sequence number, logged for replay.
fn dispatch_frame(session: &mut Session, event: &str, data: Value) -> String {
    session.seq += 1;
    let frame = json!({"t": event, "s": session.seq, "op": 0, "d": data}).to_string();
    session.log.push((session.seq, frame.clone()));
    frame
}

/// Sends `event` to every live socket; returns how many. A MESSAGE_CREATE also makes the
/// message exist on the fake, as it would on Discord.
fn dispatch_to_live(state: &mut State, event: &str, data: Value) -> usize {
    if event == "MESSAGE_CREATE"
        && let (Some(id), Some(channel)) = (
            data.get("id").and_then(Value::as_str),
            data.get("channel_id").and_then(Value::as_str),
        )
    {
        let stored = StoredMessage {
            channel_id: channel.to_owned(),
            message: data.clone(),
        };
        state.messages.insert(id.to_owned(), stored);
    }
    let mut sent = 0;
    for conn in &state.open {
        let Some(session) = conn
            .session
            .as_ref()
            .and_then(|id| state.sessions.get_mut(id))
        else {
            continue;
        };
        // Logged even if the socket just closed: a RESUME replays it.
        let _ = conn
            .tx
            .send(Outgoing::Text(dispatch_frame(session, event, data.clone())));
        sent += 1;
    }
    sent
}

/// The gateway side of the fake, as tests drive it.
impl FakeDiscord {
    /// Waits until a client is connected with a live session: sent READY after IDENTIFY (or
    /// RESUMED after RESUME).
    pub async fn wait_ready(&self) {
        self.wait_state("a gateway client that identified and got READY", |s| {
            s.live_connections().next().map(|_| ())
        })
        .await;
    }

    /// Waits until `n` gateway sockets were accepted in total and one is live: the client's
    /// reconnect after `drop_gateway`, `send_reconnect`, `invalidate_session` or an outage.
    pub async fn wait_gateway_connections(&self, n: usize) {
        let what = format!("{n} gateway connection(s) in total, the newest live");
        self.wait_state(&what, |s| {
            let newest_live = s.live_connections().any(|c| c.id as usize >= n);
            (s.connections_total >= n && newest_live).then_some(())
        })
        .await;
    }

    /// IDENTIFY frames received in total (each one starts a new session).
    pub fn identifies(&self) -> usize {
        self.shared.lock().identifies.len()
    }

    /// The IDENTIFY payloads (`d`) received: token, intents, properties, shard, compress, ….
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.shared.lock().identifies.clone()
    }

    /// RESUME frames received in total (answered or refused).
    pub fn resumes(&self) -> usize {
        self.shared.lock().resumes.len()
    }

    /// Heartbeats (op 1) received in total.
    pub fn heartbeats(&self) -> usize {
        self.shared.lock().heartbeats
    }

    /// Gateway sockets open now (identified or not).
    pub fn open_gateways(&self) -> usize {
        self.shared.lock().open.len()
    }

    /// The path and query of every gateway handshake so far, refused ones included (serenity
    /// asks for `/?v=10`).
    pub fn gateway_requests(&self) -> Vec<String> {
        self.shared.lock().gateway_requests.clone()
    }

    /// Gateway sockets accepted so far, closed ones included.
    pub fn gateway_connections(&self) -> usize {
        self.shared.lock().connections_total
    }

    /// Sends a dispatch (op 0, `t` = `event`, the session's next `s`) to every live connection,
    /// waiting up to 10 s for one. Panics if serenity 0.12.5 would not parse it: serenity drops
    /// such a frame with only a log line, which would show up as a baffling timeout instead.
    /// A MESSAGE_CREATE also makes the message exist on the fake (threads can start from it).
    pub async fn dispatch(&self, event: &str, data: Value) {
        if let Err(why) = check_dispatch(event, &data) {
            panic!("serenity 0.12.5 cannot parse this {event} dispatch: {why}\n{data:#}");
        }
        self.dispatch_unchecked(event, data).await;
    }

    /// `dispatch` without the serenity check: for events serenity does not know, or payloads a
    /// test means to be malformed.
    pub async fn dispatch_unchecked(&self, event: &str, data: Value) {
        loop {
            self.wait_ready().await;
            // The socket may have closed in between: then wait for the next one.
            let sent = self
                .shared
                .update(|s| dispatch_to_live(s, event, data.clone()));
            if sent > 0 {
                return;
            }
        }
    }

    /// Closes every live socket with close code 4000 ("unknown error, reconnect"), as Discord
    /// does when it drops a connection, and waits until they are gone. The session stays
    /// resumable, so serenity reconnects at once and RESUMEs.
    pub async fn drop_gateway(&self) {
        self.close_live(4000, "fake Discord dropped the connection")
            .await;
    }

    /// Sends op 7 RECONNECT to every live socket: the client should reconnect and RESUME.
    pub async fn send_reconnect(&self) {
        self.send_to_live(r#"{"op":7,"d":null,"s":null,"t":null}"#)
            .await;
    }

    /// Sends op 9 INVALID_SESSION (`d` = `resumable`) to every live socket.
    pub async fn invalidate_session(&self, resumable: bool) {
        if !resumable {
            self.shared.update(|s| {
                let ids: Vec<String> = s
                    .live_connections()
                    .filter_map(|c| c.session.clone())
                    .collect();
                for id in ids {
                    s.sessions.remove(&id);
                }
            });
        }
        let frame = format!(r#"{{"op":9,"d":{resumable},"s":null,"t":null}}"#);
        self.send_to_live(&frame).await;
    }

    async fn send_to_live(&self, frame: &str) {
        self.wait_ready().await;
        self.shared.update(|s| {
            for conn in s.live_connections() {
                let _ = conn.tx.send(Outgoing::Text(frame.to_owned()));
            }
        });
    }

    async fn close_live(&self, code: u16, reason: &'static str) {
        self.wait_ready().await;
        let ids: Vec<u64> = self.shared.update(|s| {
            s.live_connections()
                .map(|c| {
                    let _ = c.tx.send(Outgoing::Close(code, reason));
                    c.id
                })
                .collect()
        });
        self.wait_state("the dropped gateway socket(s) to close", |s| {
            s.open.iter().all(|c| !ids.contains(&c.id)).then_some(())
        })
        .await;
    }
}

/// Whether serenity 0.12.5 parses `data` as the `event` dispatch. Serenity's `Event` falls back
/// to `Unknown` when a known event fails to parse, so the two events firebell relies on are
/// parsed as their own types to get the real error.
pub(super) fn check_dispatch(event: &str, data: &Value) -> Result<(), String> {
    let typed = match event {
        "MESSAGE_CREATE" => {
            serde_json::from_value::<serenity::model::channel::Message>(data.clone()).map(drop)
        }
        "INTERACTION_CREATE" => serde_json::from_value::<Interaction>(data.clone()).map(drop),
        _ => Ok(()),
    };
    typed.map_err(|e| e.to_string())?;
    let frame = serde_json::json!({"t": event, "d": data});
    match serde_json::from_value::<Event>(frame) {
        Ok(Event::Unknown(_)) => Err(format!(
            "it becomes Event::Unknown (serenity does not know {event:?} or cannot parse it)"
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
