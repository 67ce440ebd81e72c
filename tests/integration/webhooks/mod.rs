//! Outbound webhooks against a fake receiver on 127.0.0.1: what is sent, in which order, signed
//! how; retries on the manual clock; giving up with a timeline entry; and a dead receiver that
//! holds up neither pages nor chat.
//!
//! # Layout
//! - `mod.rs`: the config pointing at the receiver and shared steps.
//! - `delivery`: the events of an incident's life, their bodies, headers and filters.
//! - `failures`: retries, identical retried bodies, giving up, a hanging receiver.
//! - `sources`: heartbeats and hand escalations, not only alerts and the API, send events.

mod delivery;
mod failures;
mod sources;

use std::time::Duration;

use firebell::Loaded;
use firebell_engine::IncidentNumber;
use firebell_tests::fake_receiver::FakeReceiver;
use firebell_tests::fixtures::config_toml;
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::ingest_flow::trigger;

/// The signing secret of the test subscriptions.
pub const SECRET: &str = "whsec-0123456789abcdef0123456789";

/// The standard test config plus `hooks` (TOML with `{url}` standing for the receiver's base
/// URL) and `extra` (anything else).
pub fn config(receiver: &FakeReceiver, hooks: &str, extra: &str) -> Loaded {
    let toml = format!(
        "{}\n{extra}\n{}",
        config_toml(),
        hooks.replace("{url}", &receiver.url)
    );
    Loaded::parse(&toml, "webhooks-test.toml", &|_| None)
        .unwrap_or_else(|e| panic!("the webhook test config is invalid:\n{e}\n{toml}"))
}

/// One subscription, `lamp`, for everything, signed with [`SECRET`].
pub const LAMP: &str = r#"
[webhooks.lamp]
url = "{url}/lamp"
secret = "whsec-0123456789abcdef0123456789"
"#;

/// The app with its receiver.
pub struct Rig {
    pub app: TestApp,
    pub receiver: FakeReceiver,
}

impl Rig {
    pub async fn start(backend: Backend, hooks: &str) -> Rig {
        Self::start_with(backend, hooks, "").await
    }

    pub async fn start_with(backend: Backend, hooks: &str, extra: &str) -> Rig {
        let receiver = FakeReceiver::start().await;
        let app = TestApp::spawn_with(backend, config(&receiver, hooks, extra)).await;
        Rig { app, receiver }
    }

    /// Triggers `title` on the service with integration key `key`; returns the incident.
    pub async fn open(&self, key: &str, dedup: &str, title: &str) -> IncidentNumber {
        let (s, body) = self
            .app
            .post_json("/v2/enqueue", &trigger(key, dedup, title))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        let (_, list) = self.app.api_get("/api/v1/incidents").await;
        let n = list["incidents"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["title"] == title))
            .and_then(|i| i["number"].as_i64())
            .unwrap_or_else(|| panic!("no incident titled {title:?}: {list}"));
        IncidentNumber::parse(&n.to_string()).expect("number")
    }

    /// `POST /api/v1/incidents/{n}/{verb}` (acknowledge, resolve, notes), as the `ci` token.
    pub async fn act(&self, n: IncidentNumber, verb: &str, note: Option<&str>) {
        let body = note.map(|t| json!({ "note": t }));
        let (s, reply) = self
            .app
            .api_post(
                &format!("/api/v1/incidents/{}/{verb}", n.get()),
                body.as_ref(),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{verb}: {reply}");
    }

    /// The incident's JSON (`incident`, `timeline`, `notifications`).
    pub async fn show(&self, n: IncidentNumber) -> Value {
        let (s, body) = self
            .app
            .api_get(&format!("/api/v1/incidents/{}", n.get()))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    /// Moves the manual clock on and wakes the timer and outbox workers, as real time would.
    pub fn advance(&self, by: chrono::Duration) {
        self.app.advance(by);
        self.app.engine().outbox_nudge().notify_one();
    }

    /// Waits (10 s) until nothing is left in the outbox.
    pub async fn drained(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let stats = self.app.engine().stats().await.expect("stats");
            if stats.outbox_depth == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the outbox still holds {} rows",
                stats.outbox_depth
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Event types of requests, in arrival order.
pub fn types(requests: &[firebell_tests::fake_receiver::Received]) -> Vec<String> {
    requests.iter().map(|r| r.event_type()).collect()
}
