//! The real application, started in-process on 127.0.0.1:0 against a fresh database, with a
//! manual clock and an in-memory console terminal the test can type into and read from.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use firebell::{App, AppParts, ConsoleIo, Loaded};
use firebell_adapters::console::Style;
use firebell_engine::ManualClock;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::db::{Backend, TestDb};
use crate::fixtures::{self, API_TOKEN};

/// 03:00 UTC: when pages happen.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T03:00:00Z")
        .expect("valid")
        .to_utc()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub db: TestDb,
    config: Loaded,
    app: Option<App>,
    console_in: DuplexStream,
    console_out: Arc<(Mutex<String>, Notify)>,
}

impl TestApp {
    /// Starts on a fresh database with the standard test config.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, fixtures::loaded()).await
    }

    pub async fn spawn_with(backend: Backend, config: Loaded) -> TestApp {
        let db = TestDb::new(backend).await;
        let clock = ManualClock::new(t0());
        Self::start(db, clock, config).await
    }

    /// Starts on an existing database (as a restarted process would), with the standard config.
    pub async fn spawn_on(db: TestDb, clock: ManualClock) -> TestApp {
        Self::start(db, clock, fixtures::loaded()).await
    }

    async fn start(db: TestDb, clock: ManualClock, config: Loaded) -> TestApp {
        let store = db.store().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (console_in, app_in) = tokio::io::duplex(64 * 1024);
        let (app_out, mut console_reader) = tokio::io::duplex(1024 * 1024);
        let console_out = Arc::new((Mutex::new(String::new()), Notify::new()));
        let sink = console_out.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            while let Ok(n) = console_reader.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                sink.0
                    .lock()
                    .expect("console buffer")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
                sink.1.notify_waiters();
            }
        });
        let console = ConsoleIo {
            input: Box::new(tokio::io::BufReader::new(app_in)),
            output: Box::new(app_out),
            style: Style { color: false },
        };
        let app = App::start(AppParts {
            config: config.clone(),
            store,
            listener,
            clock: Arc::new(clock.clone()),
            console: Some(console),
        })
        .await
        .expect("app starts");
        let base = format!("http://{}", app.addr);
        TestApp {
            base,
            client: reqwest::Client::new(),
            clock,
            db,
            config,
            app: Some(app),
            console_in,
            console_out,
        }
    }

    /// Stops the app (committing what it accepted) and starts a new one on the same database,
    /// as a process restart would.
    pub async fn restart(mut self) -> TestApp {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
        let clock = self.clock.clone();
        let TestApp { db, config, .. } = self;
        Self::start(db, clock, config).await
    }

    pub async fn stop(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
    }

    /// Moves the manual clock forward and wakes the timer worker, as the passing of real time
    /// would: whatever became due fires within moments.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
        self.engine().timer_nudge().notify_one();
    }

    /// The config the app was started with (the engine's part is also [`Self::engine`]'s).
    pub fn config(&self) -> &Loaded {
        &self.config
    }

    pub fn engine(&self) -> &firebell_engine::Engine {
        &self.app.as_ref().expect("running").engine
    }

    /// POSTs raw bytes with a JSON content type (for malformed-body tests).
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        decode(resp).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.post_raw(path, body.to_string()).await
    }

    pub async fn api_get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("request");
        decode(resp).await
    }

    /// `GET path` with the API token, for what is not JSON (CSV, Markdown, PNG): status,
    /// content type, body bytes.
    pub async fn api_get_raw(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            resp.bytes().await.expect("body").to_vec(),
        )
    }

    pub async fn api_post(&self, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(API_TOKEN);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        decode(req.send().await.expect("request")).await
    }

    /// Types one line into the console room.
    pub async fn type_line(&mut self, line: &str) {
        self.console_in
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("console input");
        self.console_in.flush().await.expect("flush");
    }

    /// Everything the console has printed so far.
    pub fn console_text(&self) -> String {
        self.console_out.0.lock().expect("console buffer").clone()
    }

    /// Waits (up to 10 s of real time) until the console has printed `needle` after byte `from`;
    /// returns the text from `from` on. Panics with the whole transcript otherwise.
    pub async fn console_wait(&self, from: usize, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.console_out.1.notified();
            let text = self.console_text();
            let tail = text.get(from..).unwrap_or("");
            if tail.contains(needle) {
                return tail.to_owned();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("console never printed {needle:?}; transcript:\n{text}");
            }
        }
    }

    /// Polls `GET path` until `done(body)` holds (up to 10 s of real time); returns the body.
    pub async fn api_wait(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, body) = self.api_get(path).await;
            if done(&body) {
                return body;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("GET {path} never reached the expected state; last body: {body}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Length of the console transcript, to wait for output after this point.
    pub fn console_mark(&self) -> usize {
        self.console_text().len()
    }
}

async fn decode(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}
