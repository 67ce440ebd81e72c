//! A stand-in for Slack's Web API and for a webhook receiver, so a benchmarked firebell does its
//! real chat and webhook work (render, post, edit, retry) against something that answers like a
//! remote service: every call waits a random delay (Slack answers in 50–200 ms) before its reply.
//!
//! It keeps only counts: calls per method (and `hook` for webhook deliveries), and, for alerts
//! sent with a stamp (` t=<unix micros>` in the summary, see `Events::stamped`), how long after
//! sending each alert first showed up in a `chat.postMessage` or `chat.update` — on its own card,
//! or listed in an alert-storm summary. Both are printed to stderr when it stops.
//!
//! Replies carry just the fields slack-morphism reads (`channel`, `ts`, `message`); anything it
//! does not know is answered `{"ok":true}`.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{any, get, post};
use hdrhistogram::Histogram;
use serde_json::{Value, json};

use crate::event::unix_micros;

/// How long each answer waits: uniformly in `[min, max]`.
#[derive(Debug, Clone, Copy)]
pub struct Delay {
    pub min: Duration,
    pub max: Duration,
}

/// Serves until SIGINT/SIGTERM or `max_lifetime`, then prints what it saw to stderr.
pub async fn serve(listen: SocketAddr, delay: Delay, max_lifetime: Duration) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    eprintln!("fake-slack listening on http://{listen}/api/ (webhooks: /hook)");
    let mut shared = Shared::new(delay);
    shared.base = format!("http://{listen}");
    let shared = Arc::new(shared);
    let served = axum::serve(listener, router(shared.clone()))
        .with_graceful_shutdown(crate::parse_only::stop_signal(max_lifetime))
        .await
        .context("serving");
    for line in shared.report() {
        eprintln!("{line}");
    }
    served
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{method}", any(web_api))
        .route("/upload/{id}", post(upload))
        .route("/hook", post(hook))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(shared)
}

struct Shared {
    delay: Delay,
    calls: Mutex<BTreeMap<String, u64>>,
    first_seen: Mutex<FirstSeen>,
    /// Message timestamps and the random stream.
    seq: AtomicU64,
    /// `http://127.0.0.1:PORT`, for the upload URLs it hands out.
    base: String,
}

/// Stamped alerts seen in chat, each counted once: at its first appearance.
struct FirstSeen {
    stamps: HashSet<u64>,
    latency_us: Histogram<u64>,
}

impl Shared {
    fn new(delay: Delay) -> Self {
        Self {
            delay,
            calls: Mutex::new(BTreeMap::new()),
            first_seen: Mutex::new(FirstSeen {
                stamps: HashSet::new(),
                latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                    .expect("static histogram bounds"),
            }),
            seq: AtomicU64::new(1),
            base: String::new(),
        }
    }

    fn count(&self, name: &str) {
        let mut calls = self.calls.lock().expect("no panics under the lock");
        *calls.entry(name.to_owned()).or_default() += 1;
    }

    fn next(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    async fn wait(&self) {
        let span = self.delay.max.saturating_sub(self.delay.min).as_micros() as u64;
        let jitter = if span == 0 {
            0
        } else {
            splitmix64(self.next()) % (span + 1)
        };
        tokio::time::sleep(self.delay.min + Duration::from_micros(jitter)).await;
    }

    fn saw(&self, body: &[u8]) {
        let now = unix_micros();
        let mut seen = self.first_seen.lock().expect("no panics under the lock");
        for t in stamps(body) {
            if t <= now && seen.stamps.insert(t) {
                seen.latency_us.saturating_record((now - t).max(1));
            }
        }
    }

    fn report(&self) -> Vec<String> {
        let calls = self.calls.lock().expect("no panics under the lock");
        let listed: Vec<String> = calls.iter().map(|(m, n)| format!("{m}={n}")).collect();
        let get = |m: &str| calls.get(m).copied().unwrap_or(0);
        let seen = self.first_seen.lock().expect("no panics under the lock");
        let h = &seen.latency_us;
        let ms = |us: u64| format!("{:.1}ms", us as f64 / 1000.0);
        let (p50, p99, max) = if h.is_empty() {
            ("-".to_owned(), "-".to_owned(), "-".to_owned())
        } else {
            let q = |q| ms(h.value_at_quantile(q));
            (q(0.5), q(0.99), ms(h.max()))
        };
        vec![
            format!("fake-slack calls: {}", listed.join(" ")),
            format!(
                "fake-slack summary: posts={} updates={} hooks={} first_seen={} first_p50={p50} \
                 first_p99={p99} first_max={max}",
                get("chat.postMessage"),
                get("chat.update"),
                get("hook"),
                h.len(),
            ),
        ]
    }
}

async fn web_api(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    body: Bytes,
) -> axum::Json<Value> {
    shared.count(&method);
    if matches!(method.as_str(), "chat.postMessage" | "chat.update") {
        shared.saw(&body);
    }
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default();
    let reply = match method.as_str() {
        "auth.test" => json!({
            "ok": true, "url": "https://bench.slack.com/", "team": "Bench", "user": "firebell",
            "team_id": "T0BENCH", "user_id": "U0BOT", "bot_id": "B0BOT",
        }),
        "chat.postMessage" => {
            let ts = ts(shared.next());
            let mut message = json!({"ts": ts, "text": text("text"), "user": "U0BOT",
                                     "bot_id": "B0BOT", "type": "message"});
            if let Some(thread) = params.get("thread_ts").filter(|v| !v.is_null()) {
                message["thread_ts"] = thread.clone();
            }
            json!({"ok": true, "channel": text("channel"), "ts": ts, "message": message})
        }
        "chat.update" => json!({
            "ok": true, "channel": text("channel"), "ts": text("ts"),
            "message": {"text": text("text"), "user": "U0BOT", "bot_id": "B0BOT"},
        }),
        "chat.delete" => json!({"ok": true, "channel": text("channel"), "ts": text("ts")}),
        "chat.postEphemeral" => json!({"ok": true, "message_ts": ts(shared.next())}),
        "files.getUploadURLExternal" => {
            let id = format!("F{:08}", shared.next());
            let url = format!("{}/upload/{id}", shared.base);
            json!({"ok": true, "file_id": id, "upload_url": url})
        }
        "files.completeUploadExternal" => json!({"ok": true, "files": []}),
        _ => json!({"ok": true}),
    };
    shared.wait().await;
    axum::Json(reply)
}

async fn upload(State(shared): State<Arc<Shared>>, Path(_id): Path<String>) -> &'static str {
    shared.count("upload");
    shared.wait().await;
    "OK"
}

async fn hook(State(shared): State<Arc<Shared>>) -> &'static str {
    shared.count("hook");
    shared.wait().await;
    "ok"
}

/// Unique and increasing, shaped like Slack's: `1763700000.000001`, `1763700000.000002`, ….
fn ts(n: u64) -> String {
    format!("{}.{:06}", 1_763_700_000 + n / 1_000_000, n % 1_000_000)
}

/// Every ` t=` followed by exactly 16 digits (unix micros) in `body`.
fn stamps(body: &[u8]) -> Vec<u64> {
    const DIGITS: usize = 16;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = find(&body[i..], b" t=") {
        let start = i + at + 3;
        let digits = body[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == DIGITS {
            let text = std::str::from_utf8(&body[start..start + DIGITS]).unwrap_or_default();
            out.extend(text.parse::<u64>().ok());
        }
        i = start;
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A well-mixed 64-bit value from a counter: the fake's delays need no better randomness.
fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_found_wherever_the_summary_is_quoted() {
        let body = br#"{"text":"High 5xx t=1763700000123456","blocks":[{"text":"x t=1763700000123456 y t=12 z t=17637000001234567"}]}"#;
        assert_eq!(
            stamps(body),
            vec![1_763_700_000_123_456, 1_763_700_000_123_456]
        );
        assert!(stamps(b"no stamp here t=").is_empty());
    }

    #[test]
    fn an_alert_is_counted_once_at_its_first_appearance() {
        let shared = Shared::new(Delay {
            min: Duration::ZERO,
            max: Duration::ZERO,
        });
        let t = unix_micros() - 250_000;
        let body = format!("card t={t} and again t={t}");
        shared.saw(body.as_bytes());
        shared.saw(body.as_bytes());
        shared.count("chat.postMessage");
        let report = shared.report();
        assert_eq!(report[0], "fake-slack calls: chat.postMessage=1");
        assert!(
            report[1].starts_with("fake-slack summary: posts=1 updates=0 hooks=0 first_seen=1 "),
            "{}",
            report[1]
        );
        assert!(report[1].contains(" first_p50=25"), "{}", report[1]);
    }

    #[test]
    fn timestamps_increase_like_slacks() {
        assert_eq!(ts(1), "1763700000.000001");
        assert!(ts(1_000_001) > ts(999_999));
    }
}
