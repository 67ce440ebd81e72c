//! Inbound email end to end: real SMTP conversations against the listener (lettre for mail as
//! mailers send it, a raw socket for what they should not send), `POST /integrations/email/{key}`,
//! and the mail log that says what became of each mail.
//!
//! A 250 to DATA (or a 202) comes only after the outcome is committed, so every test reads the
//! incident and the log right after sending, without waiting.

mod abuse;
mod examples;
mod http;
mod malformed;
mod rules;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use firebell::Loaded;
use firebell::{App, AppParts};
use firebell_engine::ManualClock;
use firebell_tests::fixtures::{self, API_TOKEN};
use firebell_tests::{Backend, TestDb, t0};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

pub(crate) const DOMAIN: &str = "alerts.example.com";

/// The standard test config with the listener on (port 0, 200 KB limit) plus `email_lines` in
/// `[email]`, then `extra` (service email tables, more services).
pub(crate) fn config(email_lines: &str, extra: &str) -> Loaded {
    let text = format!(
        "{}\n[email]\nlisten = \"127.0.0.1:0\"\ndomain = \"{DOMAIN}\"\nmax_size = \"200KB\"\n{email_lines}\n{extra}",
        fixtures::config_toml()
    );
    Loaded::parse(&text, "test.toml", &|_| None).unwrap_or_else(|e| panic!("test config:\n{e}"))
}

/// The real application with its SMTP listener, on a fresh database.
pub(crate) struct MailApp {
    app: Option<App>,
    pub base: String,
    pub smtp: SocketAddr,
    pub client: reqwest::Client,
    clock: Arc<ManualClock>,
    _db: TestDb,
}

impl MailApp {
    pub async fn start(backend: Backend, config: Loaded) -> MailApp {
        let db = TestDb::new(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let clock = Arc::new(ManualClock::new(t0()));
        let app = App::start(AppParts {
            config,
            store: db.store().await,
            listener,
            clock: clock.clone(),
            console: None,
        })
        .await
        .expect("app starts");
        MailApp {
            base: format!("http://{}", app.addr),
            smtp: app.smtp_addr.expect("the [email] listener is on"),
            client: reqwest::Client::new(),
            clock,
            app: Some(app),
            _db: db,
        }
    }

    pub async fn stop(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
    }

    /// Moves the manual clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    pub fn engine(&self) -> &firebell_engine::Engine {
        &self.app.as_ref().expect("running").engine
    }

    /// lettre's SMTP client on the listener, in the clear.
    pub fn mailer(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.smtp.ip().to_string())
            .port(self.smtp.port())
            .tls(Tls::None)
            .timeout(Some(Duration::from_secs(10)))
            .build()
    }

    /// Sends a plain-text mail with lettre; the server's reply text on success.
    pub async fn send(&self, from: &str, to: &str, subject: &str, body: &str) -> String {
        let msg = Message::builder()
            .from(from.parse::<Mailbox>().expect("from"))
            .to(to.parse::<Mailbox>().expect("to"))
            .subject(subject)
            .body(body.to_owned())
            .expect("message");
        let reply = self
            .mailer()
            .send(msg)
            .await
            .unwrap_or_else(|e| panic!("sending {subject:?} to {to}: {e}"));
        assert_eq!(reply.code().to_string(), "250");
        reply.message().collect::<Vec<_>>().join(" ")
    }

    pub async fn api(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// The newest `n` mail log entries, newest first.
    pub async fn log(&self, n: usize) -> Vec<Value> {
        let (s, body) = self.api(&format!("/api/v1/email/log?limit={n}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["mails"].as_array().cloned().unwrap_or_default()
    }

    /// The newest mail log entry.
    pub async fn last(&self) -> Value {
        self.log(1).await.pop().expect("a mail log entry")
    }

    pub async fn incident(&self, n: i64) -> Value {
        let (s, body) = self.api(&format!("/api/v1/incidents/{n}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["incident"].clone()
    }
}

/// A raw SMTP client: one command at a time, replies read whole (multi-line ones too).
pub(crate) struct Raw {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Raw {
    /// Connects and reads the greeting.
    pub async fn connect(addr: SocketAddr) -> (Raw, String) {
        let (r, w) = TcpStream::connect(addr)
            .await
            .expect("connect")
            .into_split();
        let mut raw = Raw {
            reader: BufReader::new(r),
            writer: w,
        };
        let greeting = raw.reply().await;
        (raw, greeting)
    }

    /// Connects, greets with EHLO and returns the client.
    pub async fn hello(addr: SocketAddr) -> Raw {
        let (mut raw, greeting) = Raw::connect(addr).await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        let ehlo = raw.cmd("EHLO client.test").await;
        assert!(ehlo.starts_with("250"), "{ehlo}");
        raw
    }

    pub async fn write(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write");
    }

    /// Sends one command line; the whole reply.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.write(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// One reply (all its lines, joined by `\n`); empty when the server closed the connection.
    pub async fn reply(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), self.reader.read_line(&mut line))
                    .await
                    .expect("a reply within 10 s")
                    .expect("read");
            if read == 0 {
                break;
            }
            let line = line.trim_end().to_owned();
            let last = line.len() < 4 || line.as_bytes()[3] == b' ';
            out.push(line);
            if last {
                break;
            }
        }
        out.join("\n")
    }

    /// MAIL, RCPT, DATA and the message (dot-stuffed here); the reply to the final dot.
    pub async fn mail(&mut self, from: &str, to: &str, message: &[u8]) -> String {
        let r = self.cmd(&format!("MAIL FROM:<{from}>")).await;
        assert!(r.starts_with("250"), "MAIL: {r}");
        let r = self.cmd(&format!("RCPT TO:<{to}>")).await;
        assert!(r.starts_with("250"), "RCPT: {r}");
        let r = self.cmd("DATA").await;
        assert!(r.starts_with("354"), "DATA: {r}");
        self.write(&stuffed(message)).await;
        self.write(b".\r\n").await;
        self.reply().await
    }
}

/// `message` with CRLF line ends, dot-stuffed, ending in CRLF.
pub(crate) fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    for line in message.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    while out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}
