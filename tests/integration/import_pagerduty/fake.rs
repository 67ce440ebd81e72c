//! A fake PagerDuty REST API v2 on 127.0.0.1: serves the recorded-shape fixtures in
//! tests/fixtures/pagerduty/import/, checks the `Authorization: Token token=` and `Accept`
//! headers, pages the users by `offset`, and answers the first request of an endpoint with 429
//! (`Retry-After: 0`) or every request with 503 when told to.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub const TOKEN: &str = "u+fakePagerDutyKey0123";

#[derive(Clone, Default)]
pub struct Behaviour {
    /// Endpoints ("/escalation_policies") whose first request is answered with 429.
    pub throttle_first: Vec<&'static str>,
    /// Every request answered with 503.
    pub always_503: bool,
}

#[derive(Clone)]
struct Fake {
    behaviour: Behaviour,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    queries: Arc<Mutex<Vec<String>>>,
}

pub struct FakePagerDuty {
    pub base: String,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl FakePagerDuty {
    pub async fn start(behaviour: Behaviour) -> FakePagerDuty {
        let fake = Fake {
            behaviour,
            hits: Arc::default(),
            queries: Arc::default(),
        };
        let (hits, queries) = (fake.hits.clone(), fake.queries.clone());
        let app = Router::new()
            .route("/users", get(users))
            .route(
                "/schedules",
                get(|s: State<Fake>, h: HeaderMap, q: RawQuery| list(s, h, q, "schedules")),
            )
            .route("/schedules/{id}", get(schedule))
            .route(
                "/escalation_policies",
                get(|s: State<Fake>, h: HeaderMap, q: RawQuery| {
                    list(s, h, q, "escalation_policies")
                }),
            )
            .route(
                "/services",
                get(|s: State<Fake>, h: HeaderMap, q: RawQuery| list(s, h, q, "services")),
            )
            .with_state(fake);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakePagerDuty {
            base,
            hits,
            queries,
        }
    }

    /// How many requests reached `endpoint` (including refused ones).
    pub fn hits(&self, endpoint: &str) -> u32 {
        self.hits
            .lock()
            .expect("hits")
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Every `path?query` requested, in order.
    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().expect("queries").clone()
    }
}

pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pagerduty/import")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"message": message, "code": code}})),
    )
        .into_response()
}

/// Counts the request and refuses it as PagerDuty would: a bad key, a throttle, an outage.
fn gate(fake: &Fake, headers: &HeaderMap, endpoint: &str, query: &str) -> Option<Response> {
    let n = {
        let mut hits = fake.hits.lock().expect("hits");
        let n = hits.entry(endpoint.to_owned()).or_insert(0);
        *n += 1;
        *n
    };
    fake.queries
        .lock()
        .expect("queries")
        .push(format!("{endpoint}?{query}"));
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Token token={TOKEN}")) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            2006,
            "Authentication failed",
        ));
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if accept != Some("application/vnd.pagerduty+json;version=2") {
        return Some(error(
            StatusCode::BAD_REQUEST,
            2001,
            "Invalid Accept header",
        ));
    }
    if fake.behaviour.always_503 {
        return Some(error(
            StatusCode::SERVICE_UNAVAILABLE,
            2999,
            "Service Unavailable",
        ));
    }
    if n == 1 && fake.behaviour.throttle_first.contains(&endpoint) {
        let mut r = error(StatusCode::TOO_MANY_REQUESTS, 2020, "Rate limit exceeded");
        r.headers_mut()
            .insert(header::RETRY_AFTER, "0".parse().expect("header"));
        return Some(r);
    }
    None
}

fn offset(query: &str) -> usize {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs
        .iter()
        .find(|(k, _)| k == "offset")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

async fn users(State(fake): State<Fake>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    if let Some(refused) = gate(&fake, &headers, "/users", &q) {
        return refused;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q).unwrap_or_default();
    if !pairs.contains(&("include[]".to_owned(), "contact_methods".to_owned())) {
        return error(
            StatusCode::BAD_REQUEST,
            2001,
            "test fake: ask with include[]=contact_methods",
        );
    }
    // Pages of two, as recorded: offset 0, 2, 4.
    let page = offset(&q) / 2 + 1;
    if page > 3 {
        return axum::Json(
            json!({"users": [], "limit": 2, "offset": offset(&q), "more": false, "total": null}),
        )
        .into_response();
    }
    axum::Json(fixture(&format!("users.page-{page}.json"))).into_response()
}

async fn list(
    fake: State<Fake>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    what: &str,
) -> Response {
    let q = q.unwrap_or_default();
    if let Some(refused) = gate(&fake, &headers, &format!("/{what}"), &q) {
        return refused;
    }
    axum::Json(fixture(&format!("{what}.json"))).into_response()
}

async fn schedule(
    fake: State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let q = q.unwrap_or_default();
    if let Some(refused) = gate(&fake, &headers, &format!("/schedules/{id}"), &q) {
        return refused;
    }
    match id.as_str() {
        "PWEB001" | "POPS002" => {
            axum::Json(fixture(&format!("schedule.{id}.json"))).into_response()
        }
        _ => error(StatusCode::NOT_FOUND, 2100, "Not Found"),
    }
}
