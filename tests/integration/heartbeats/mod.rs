//! Heartbeats (dead man's switch) on a manual clock: a miss opens one incident, the next
//! check-in resolves it, on every backend, across restarts and replicas.
//!
//! # Layout
//! - `mod.rs`: the config with heartbeats, and helpers over the HTTP API.
//! - `config`: `[heartbeats.NAME]` mistakes, each with its line and what would be right.
//! - `flow`: miss → incident → check-in → resolved, over real HTTP, restarts included.
//! - `http`: the check-in endpoints' keys, 404s, `/fail`, and the bearer-token list.
//! - `engines`: several engines on one database (replicas), removed heartbeats, re-firing.

mod config;
mod engines;
mod flow;
mod http;

use firebell::Loaded;
use firebell_tests::TestApp;
use firebell_tests::fixtures::config_toml;
use reqwest::StatusCode;
use serde_json::Value;

/// The check-in key of `backup-nightly` (on service `db`, every 24 h, 2 h grace).
pub const NIGHTLY_KEY: &str = "backup-nightly-key-0123456789";
/// The check-in key of `sync-hourly` (on service `web`, every hour, default grace 6 min).
pub const HOURLY_KEY: &str = "sync-hourly-key-0123456789abc";

pub fn heartbeats_toml() -> String {
    format!(
        r#"{}
[heartbeats.backup-nightly]
service = "db"
interval = "24h"
grace = "2h"
key = "{NIGHTLY_KEY}"

[heartbeats.sync-hourly]
service = "web"
interval = "1h"
key_env = "HB_SYNC_KEY"
summary = "Hourly CRM sync"
severity = "warning"
"#,
        config_toml()
    )
}

fn env(name: &str) -> Option<String> {
    (name == "HB_SYNC_KEY").then(|| HOURLY_KEY.to_owned())
}

pub fn config() -> Loaded {
    Loaded::parse(&heartbeats_toml(), "heartbeats-test.toml", &env).expect("valid")
}

/// Waits until the timer has started watching every heartbeat (its first tick after start).
pub async fn watching(app: &TestApp) -> Value {
    app.api_wait("/api/v1/heartbeats", |b| {
        b["heartbeats"]
            .as_array()
            .is_some_and(|hs| !hs.is_empty() && hs.iter().all(|h| h["watched_since"].is_string()))
    })
    .await
}

/// One heartbeat from the list.
pub async fn heartbeat(app: &TestApp, name: &str) -> Value {
    let (status, body) = app.api_get("/api/v1/heartbeats").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["heartbeats"]
        .as_array()
        .and_then(|hs| hs.iter().find(|h| h["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no heartbeat `{name}` in {body}"))
}

/// `POST /api/v1/heartbeats/{key}` with no token, as a cron job would.
pub async fn check_in(app: &TestApp, key: &str) -> (StatusCode, Value) {
    app.post_raw(&format!("/api/v1/heartbeats/{key}"), "").await
}

/// Every incident with the heartbeat's dedup key.
pub async fn incidents_of(app: &TestApp, name: &str) -> Vec<Value> {
    let (status, body) = app.api_get("/api/v1/incidents?limit=1000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["incidents"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|i| i["dedup_key"] == format!("heartbeat:{name}"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the heartbeat has exactly one incident in `status`; returns it.
pub async fn wait_incident(app: &TestApp, name: &str, status: &str) -> Value {
    let key = format!("heartbeat:{name}");
    let body = app
        .api_wait("/api/v1/incidents?limit=1000", |b| {
            b["incidents"].as_array().is_some_and(|v| {
                v.iter()
                    .any(|i| i["dedup_key"] == key.as_str() && i["status"] == status)
            })
        })
        .await;
    body["incidents"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|i| i["dedup_key"] == key.as_str() && i["status"] == status)
        })
        .cloned()
        .expect("found")
}

/// The messages on an incident's timeline.
pub async fn timeline(app: &TestApp, n: i64) -> Vec<String> {
    let (status, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|e| e["message"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
