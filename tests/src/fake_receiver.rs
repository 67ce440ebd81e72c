//! A fake webhook receiver on 127.0.0.1: records every request (path, headers, raw body) and
//! answers 200, or on demand an error status, or nothing until released (a receiver that hangs).
//! Also checks `X-PagerDuty-Signature` the way a receiver would, independently of firebell's
//! code.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One request the receiver got, and what it answered (`None`: it never answered).
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub answered: Option<u16>,
}

impl Received {
    /// A header by name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// `event.event_type`.
    pub fn event_type(&self) -> String {
        self.json()["event"]["event_type"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether `X-PagerDuty-Signature` carries `v1=` + hex(HMAC-SHA256(secret, raw body)), as
    /// PagerDuty's verification guide describes (several comma-separated signatures allowed).
    pub fn signed_with(&self, secret: &str) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(&self.body);
        let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
        self.header("x-pagerduty-signature")
            .is_some_and(|h| h.split(',').any(|s| s.trim() == expected))
    }
}

#[derive(Debug, Clone, Copy)]
enum Answer {
    Status(u16),
    Hang,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Received>>,
    /// Answers for the next requests, in order; then `otherwise`.
    plan: Mutex<VecDeque<Answer>>,
    otherwise: Mutex<Option<Answer>>,
    changed: Notify,
    /// Wakes the requests held open by [`FakeReceiver::hang`].
    released: Notify,
}

pub struct FakeReceiver {
    /// `http://127.0.0.1:PORT`; any path is accepted and recorded.
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeReceiver {
    pub async fn start() -> FakeReceiver {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(receive).with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeReceiver { url, shared }
    }

    /// The next `n` requests are answered with `status`.
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut plan = self.shared.plan.lock().expect("plan");
        plan.extend(std::iter::repeat_n(Answer::Status(status), n));
    }

    /// Every request from now on is answered with `status` (`None`: 200 again).
    pub fn fail_always(&self, status: Option<u16>) {
        *self.shared.otherwise.lock().expect("otherwise") = status.map(Answer::Status);
    }

    /// Every request from now on is held open, unanswered, until [`release`](Self::release).
    pub fn hang(&self) {
        *self.shared.otherwise.lock().expect("otherwise") = Some(Answer::Hang);
    }

    /// Answers the requests held open with 503 (so the app can stop without waiting for its
    /// timeout); later requests get 200 again.
    pub fn release(&self) {
        *self.shared.otherwise.lock().expect("otherwise") = None;
        self.shared.released.notify_waiters();
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.requests.lock().expect("requests").clone()
    }

    /// Waits (up to 10 s) until `done` holds for the recorded requests; returns them.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.shared.changed.notified();
            let now = self.requests();
            if done(&now) {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<(String, String, Option<u16>)> = now
                    .iter()
                    .map(|r| (r.path.clone(), r.event_type(), r.answered))
                    .collect();
                panic!("the fake receiver never saw {what}; it saw: {seen:#?}");
            }
        }
    }

    /// Waits until `n` requests have arrived; returns them.
    pub async fn wait_count(&self, n: usize) -> Vec<Received> {
        self.wait_for(&format!("{n} request(s)"), |r| r.len() >= n)
            .await
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Registered before the request is recorded, so a release right after it is not missed.
    let released = shared.released.notified();
    let answer = {
        let next = shared.plan.lock().expect("plan").pop_front();
        next.or(*shared.otherwise.lock().expect("otherwise"))
    };
    let status = match answer {
        None => Some(200),
        Some(Answer::Status(s)) => Some(s),
        Some(Answer::Hang) => None,
    };
    shared.requests.lock().expect("requests").push(Received {
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: body.to_vec(),
        answered: status,
    });
    shared.changed.notify_waiters();
    match status {
        Some(s) => StatusCode::from_u16(s).expect("a valid status"),
        None => {
            released.await;
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
