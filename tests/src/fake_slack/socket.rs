//! Socket Mode: the websocket a client reaches through the URL `apps.connections.open` gave it.
//! The handshake needs an unused ticket (Slack's are one-time too); the fake then sends
//! `hello`, relays the test's envelopes, and records every client frame carrying an
//! `envelope_id` as that envelope's ack. Pings are answered by tungstenite itself.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{APP_ID, Connection, Outgoing, Shared};

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
    let (id, hello) = shared.update(|s| {
        s.connections_total += 1;
        let id = s.connections_total as u64;
        s.open.push(Connection {
            id,
            tx,
            greeted: false,
        });
        let hello = hello(s.open.len());
        (id, hello)
    });
    let (mut sink, mut stream) = ws.split();
    if sink.send(Message::text(hello.to_string())).await.is_ok() {
        shared.update(|s| {
            if let Some(conn) = s.open.iter_mut().find(|c| c.id == id) {
                conn.greeted = true;
            }
        });
        loop {
            tokio::select! {
                out = rx.recv() => {
                    let reason = match out {
                        Some(Outgoing::Text(text)) => {
                            if sink.send(Message::text(text)).await.is_err() {
                                break;
                            }
                            continue;
                        }
                        Some(Outgoing::Close(reason)) => reason,
                        None => "closed",
                    };
                    let frame = CloseFrame { code: CloseCode::Normal, reason: reason.into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => record_frame(&shared, text.as_str()),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    shared.update(|s| s.open.retain(|c| c.id != id));
}

/// Slack's greeting on a new connection; slack-morphism needs `debug_info.host`.
pub(super) fn hello(num_connections: usize) -> Value {
    json!({
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "applink-fake-firebell", "build_number": 1,
                       "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID},
    })
}

/// The handshake check: up, the `/link/` path, and a ticket `apps.connections.open` issued.
fn admit(shared: &Shared, request: &Request) -> Result<(), (StatusCode, &'static str)> {
    let mut state = shared.lock();
    if state.down {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "Slack is down"));
    }
    if request.uri().path().trim_end_matches('/') != "/link" {
        return Err((StatusCode::NOT_FOUND, "no such socket"));
    }
    let ticket = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("ticket="));
    match ticket {
        Some(ticket) if state.tickets.remove(ticket) => Ok(()),
        _ => Err((StatusCode::UNAUTHORIZED, "invalid or used ticket")),
    }
}

fn refuse(status: StatusCode, why: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why.to_owned()));
    *response.status_mut() = status;
    response
}

/// Client frames carrying an `envelope_id` are acks (`{"envelope_id":…,"payload":…}`).
fn record_frame(shared: &Shared, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if let Some(id) = frame.get("envelope_id").and_then(Value::as_str) {
        let id = id.to_owned();
        shared.update(|s| s.acks.insert(id, frame));
    }
}
