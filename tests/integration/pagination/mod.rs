//! Cursor pagination of every `/api/v1` list, on every backend: `limit` and `cursor` in,
//! `next_cursor` out; pages walk each row once, newest first (heartbeats by name); filters
//! combine with the cursor; rows written during a walk cause no gap and no duplicate; a cursor
//! that is garbled, from another list or from other filters is a 400 that says to start again.
//!
//! # Layout
//! - `mod.rs`: the config (schedules, heartbeats, mail) and the page walker.
//! - `lists`: each of the seven lists walked at small limits, with and without filters.
//! - `concurrent`: 2,500 incidents walked while new ones keep arriving.
//! - `errors`: bad cursors and limits.

mod concurrent;
mod errors;
mod lists;

use firebell::Loaded;
use firebell_tests::TestApp;
use firebell_tests::fixtures::{API_TOKEN, config_toml};
use reqwest::StatusCode;
use serde_json::Value;

/// Heartbeat names, in config order (not sorted, so the test sees the list's own order).
pub const HEARTBEATS: [&str; 5] = ["hb-c", "hb-a", "hb-e", "hb-b", "hb-d"];

/// Integration key of service `storm`: in a room with no chat platform and with no escalation
/// policy, so thousands of incidents on it leave the workers nothing to deliver.
pub const STORM_KEY: &str = "STORMKEY000000000000000000000001";

/// The standard config plus two schedules, five heartbeats and inbound mail over HTTP.
pub fn config() -> Loaded {
    let mut text = config_toml();
    for schedule in ["primary", "secondary"] {
        text += &format!(
            "\n[schedules.{schedule}]\ntimezone = \"UTC\"\n[[schedules.{schedule}.layers]]\n\
             users = [\"alice\", \"bob\"]\nrotation = \"1w\"\nstart = \"2026-11-16T09:00\"\n"
        );
    }
    for name in HEARTBEATS {
        text += &format!(
            "\n[heartbeats.{name}]\nservice = \"web\"\ninterval = \"1h\"\nkey = \"{name}-key-0123456789abcdef\"\n"
        );
    }
    text += &format!(
        "\n[rooms.quiet]\n\n[services.storm]\nintegration_keys = [\"{STORM_KEY}\"]\nroom = \"quiet\"\n\
         events_per_minute = 100000\n"
    );
    text += "\n[email]\nlisten = \"127.0.0.1:0\"\ndomain = \"alerts.example.com\"\n";
    Loaded::parse(&text, "pagination-test.toml", &|_| None).expect("pagination config is valid")
}

/// `GET path?params` with the API token.
pub async fn get(app: &TestApp, path: &str, params: &[(&str, &str)]) -> (StatusCode, Value) {
    get_on(&app.client, &app.base, path, params).await
}

/// [`get`] for tasks that hold only the client and the base URL.
pub async fn get_on(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    let resp = client
        .get(format!("{base}{path}"))
        .bearer_auth(API_TOKEN)
        .query(params)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// One page: its rows under `key` and its `next_cursor`, after checking the page's shape.
pub fn rows_of(body: &Value, key: &str, limit: usize) -> (Vec<Value>, Option<String>) {
    let rows = body[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is an array: {body}"))
        .clone();
    assert!(rows.len() <= limit, "at most {limit} rows: {body}");
    assert!(
        body.as_object()
            .is_some_and(|o| o.contains_key("next_cursor")),
        "every page says `next_cursor`, null on the last: {body}"
    );
    let next = match &body["next_cursor"] {
        Value::Null => None,
        Value::String(c) => {
            assert_eq!(rows.len(), limit, "a page with a next page is full: {body}");
            Some(c.clone())
        }
        other => panic!("next_cursor is a string or null, not {other}"),
    };
    (rows, next)
}

/// Every row of `path` under `filters`, `limit` a page, following `next_cursor` to the end.
pub async fn walk(
    app: &TestApp,
    path: &str,
    key: &str,
    filters: &[(&str, &str)],
    limit: usize,
) -> Vec<Value> {
    let limit_text = limit.to_string();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let mut params = filters.to_vec();
        params.push(("limit", &limit_text));
        if let Some(c) = &cursor {
            params.push(("cursor", c));
        }
        let (status, body) = get(app, path, &params).await;
        assert_eq!(status, StatusCode::OK, "{path} {params:?}: {body}");
        let (rows, next) = rows_of(&body, key, limit);
        all.extend(rows);
        match next {
            Some(c) => cursor = Some(c),
            None => return all,
        }
    }
    panic!("{path} never reached a last page");
}

/// The numeric field `field` of each row.
pub fn ids(rows: &[Value], field: &str) -> Vec<i64> {
    rows.iter()
        .map(|r| {
            r[field]
                .as_i64()
                .unwrap_or_else(|| panic!("{field} in {r}"))
        })
        .collect()
}
