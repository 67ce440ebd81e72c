//! firebell's PagerDuty REST API v2 at `/pagerduty/v2`, driven as PagerDuty's client libraries
//! drive it: `Authorization: Token token=…`, `From:` on writes, PagerDuty's shapes and errors.
//! Every answer [`pd`] gets is checked against PagerDuty's published OpenAPI schema for its
//! operation (`firebell_tests::pagerduty_schema`).
//!
//! # Layout
//! - `directory`: services, escalation policies, users, maintenance windows.
//! - `incidents`: incidents, their notes, log entries and alerts; `incident_errors`: every
//!   mistake on them in PagerDuty's error body.
//! - `schedules`: schedules with their rendered final schedule, overrides, on-calls.

mod directory;
mod incident_errors;
mod incidents;
mod schedules;

use firebell::Loaded;
use firebell_tests::TestApp;
use firebell_tests::fixtures::{API_TOKEN, config_toml};
use firebell_tests::pagerduty_schema::{check, operations};
use reqwest::StatusCode;
use serde_json::Value;

/// The acting person of writes: alice's email in [`config`].
pub(crate) const FROM: &str = "alice@example.com";

/// The standard config plus emails for alice and bob (carol has none), a third service `api` on
/// policy `follow` (schedules `primary` then `nights`), a policy `solo` (bob alone) that no
/// service uses, and two schedules: `primary` (alice and bob weekly from Mon 16 Nov 09:00 UTC, so
/// at the test start, Sat 21 Nov 03:00 UTC, alice has it until Mon 23 Nov 09:00) and `nights`
/// (carol, weekday evenings 18:00–08:00 Berlin time).
pub(crate) fn config() -> Loaded {
    let text = config_toml()
        .replace(
            "name = \"Alice Adams\"",
            "name = \"Alice Adams\"\nemail = \"alice@example.com\"",
        )
        .replace(
            "name = \"Bob Brown\"",
            "name = \"Bob Brown\"\nemail = \"bob@example.com\"",
        )
        + r#"
[schedules.primary]
timezone = "UTC"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-11-16T09:00"

[schedules.nights]
timezone = "Europe/Berlin"
[[schedules.nights.layers]]
users = ["carol"]
rotation = "1d"
start = "2026-11-01T00:00"
restrictions = [{ days = ["mon", "tue", "wed", "thu", "fri"], start = "18:00", end = "08:00" }]

[escalation_policies.follow]
levels = [{ targets = ["schedule:primary"], delay_minutes = 10 }, { targets = ["schedule:nights"], delay_minutes = 20 }]
repeat = 2

[escalation_policies.solo]
levels = [{ targets = ["user:bob"], delay_minutes = 5 }]

[services.api]
description = "Public API"
integration_keys = ["APIKEY00000000000000000000000001"]
room = "ops"
escalation_policy = "follow"
events_per_minute = 100000
urgency = "by-severity"
ack_timeout = "off"
auto_resolve = "4h"
"#;
    Loaded::parse(&text, "test.toml", &|_| None).expect("the PagerDuty test config is valid")
}

pub(crate) async fn spawn(backend: firebell_tests::Backend) -> TestApp {
    TestApp::spawn_with(backend, config()).await
}

/// One request as pdpyras sends it: `token` (None: no Authorization), `from`, a JSON body.
pub(crate) async fn pd(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    from: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method.clone(), format!("{}/pagerduty/v2{path}", app.base))
        .header("accept", "application/vnd.pagerduty+json;version=2");
    if let Some(t) = token {
        req = req.header("authorization", format!("Token token={t}"));
    }
    if let Some(f) = from {
        req = req.header("from", f);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    if let Some(op) = operation(&method, path)
        && status != StatusCode::METHOD_NOT_ALLOWED
        // Creating several overrides at once answers one status per override, a list; PagerDuty's
        // published spec documents only the single-override answer.
        && !(json.is_array() && op == "POST /schedules/{id}/overrides")
        && let Err(problems) = known_deviations(&op, check(&op, status.as_u16(), &json))
    {
        panic!("{op} → {status} is not PagerDuty's shape: {problems:#?}\n{json:#}");
    }
    (status, json)
}

/// The one documented way firebell's answers differ from PagerDuty's schema: a firebell user need
/// not have an email, and one without is listed without `email` (PagerDuty requires it; inventing
/// an address would be worse).
fn known_deviations(op: &str, r: Result<(), Vec<String>>) -> Result<(), Vec<String>> {
    let users = op == "GET /users" || op == "GET /users/{id}";
    r.or_else(|problems| {
        let left: Vec<String> = problems
            .into_iter()
            .filter(|p| !(users && p.ends_with("\"email\" is a required property")))
            .collect();
        if left.is_empty() { Ok(()) } else { Err(left) }
    })
}

/// The operation of PagerDuty's spec a request is (`GET /incidents/{id}/notes`), for the schema
/// check; `None` for paths the spec does not have (firebell's extra routes, unknown endpoints).
fn operation(method: &reqwest::Method, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let templated: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .enumerate()
        .map(|(k, s)| if k == 1 { "{id}" } else { s })
        .collect();
    let op = format!("{method} /{}", templated.join("/"));
    operations().contains(&op.as_str()).then_some(op)
}

/// An authenticated `GET`.
pub(crate) async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    pd(app, reqwest::Method::GET, path, Some(API_TOKEN), None, None).await
}

/// An authenticated `GET` that must succeed.
pub(crate) async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = get(app, path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// An authenticated write acting as `from`.
pub(crate) async fn write(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    from: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    pd(app, method, path, Some(API_TOKEN), from, body).await
}

/// PagerDuty's error body with `code`, never a 5xx.
pub(crate) fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: u64) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(
        body["error"]["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string)),
        "{body}"
    );
}

/// A PagerDuty reference to `kind` `id` (`type` is `<kind>_reference`, links to its API URL).
pub(crate) fn assert_ref(v: &Value, kind: &str, plural: &str, id: &str) {
    assert_eq!(v["id"], id, "{v}");
    assert_eq!(v["type"], format!("{kind}_reference"), "{v}");
    assert!(v["summary"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    let url = format!("/pagerduty/v2/{plural}/{id}");
    assert!(v["self"].as_str().is_some_and(|s| s.ends_with(&url)), "{v}");
    assert!(
        v["html_url"]
            .as_str()
            .is_some_and(|s| s.starts_with("http")),
        "{v}"
    );
}

/// The ids of a list of entities or references.
pub(crate) fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Walks `path` one item a page (`limit=1`), checking the paging fields on each, and returns the
/// items in order.
pub(crate) async fn walk(app: &TestApp, path: &str, key: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    for offset in 0..50 {
        let body = ok(
            app,
            &format!("{path}{sep}limit=1&offset={offset}&total=true"),
        )
        .await;
        assert_eq!(body["limit"], 1, "{body}");
        assert_eq!(body["offset"], offset, "{body}");
        let page = body[key].as_array().expect("a list").clone();
        assert!(page.len() <= 1, "{body}");
        out.extend(page);
        let total = body["total"].as_u64().expect("total when asked");
        assert_eq!(body["more"], offset + 1 < total, "{body}");
        if body["more"] == false {
            assert_eq!(out.len() as u64, total, "{body}");
            return out;
        }
    }
    panic!("{path}: more than 50 pages");
}
