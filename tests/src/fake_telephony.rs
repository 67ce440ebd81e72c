//! A fake Twilio and Vonage on 127.0.0.1: the real paths, form bodies and JSON answers, every
//! request recorded for assertions, and failures on demand (Twilio 500s, Twilio's "invalid
//! number" 400, Vonage's HTTP 200 with a non-zero status). Also signs webhook requests the way
//! Twilio does, so tests can call firebell's `/twilio/*` routes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine as _;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `/2010-04-01/Accounts/AC…/Messages.json`, `…/Calls.json` or `/sms/json`.
    pub path: String,
    pub form: Vec<(String, String)>,
    /// The Basic auth user name (Twilio's account SID), if any.
    pub basic_user: Option<String>,
    /// The sid or message id the fake answered with (none for a failure).
    pub id: Option<String>,
}

impl Recorded {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_twilio_sms(&self) -> bool {
        self.path.ends_with("/Messages.json")
    }

    pub fn is_twilio_call(&self) -> bool {
        self.path.ends_with("/Calls.json")
    }

    pub fn is_vonage_sms(&self) -> bool {
        self.path == "/sms/json"
    }
}

/// A failure to answer the next matching request with.
#[derive(Debug, Clone)]
enum Planned {
    TwilioServerError,
    TwilioBadNumber,
    VonageStatus(&'static str, &'static str),
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    twilio_plan: Mutex<VecDeque<Planned>>,
    vonage_plan: Mutex<VecDeque<Planned>>,
    seq: AtomicU64,
    changed: Notify,
    /// A provider brownout: while set, Twilio answers 500 and Vonage 503 to everything.
    brownout: std::sync::atomic::AtomicBool,
    /// How long every answer takes, in milliseconds (a slow provider).
    latency_ms: AtomicU64,
}

pub struct FakeTelephony {
    /// `http://127.0.0.1:PORT`: both `providers.twilio.api_url` and `providers.vonage.api_url`.
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeTelephony {
    pub async fn start() -> FakeTelephony {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(twilio_message),
            )
            .route("/2010-04-01/Accounts/{sid}/Calls.json", post(twilio_call))
            .route("/sms/json", post(vonage_sms))
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTelephony { url, shared }
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("requests").clone()
    }

    /// Twilio answers the next `n` requests with HTTP 500.
    pub fn fail_twilio_with_500(&self, n: usize) {
        let mut plan = self.shared.twilio_plan.lock().expect("plan");
        plan.extend(std::iter::repeat_n(Planned::TwilioServerError, n));
    }

    /// Starts or ends a brownout of both providers: Twilio answers HTTP 500 and Vonage HTTP 503
    /// until it ends (requests are still recorded, with no id).
    pub fn brownout(&self, on: bool) {
        self.shared.brownout.store(on, Ordering::SeqCst);
    }

    /// Every answer from now on takes `latency` (a provider that is slow, not down). Twilio
    /// records (takes) the request as it arrives and answers `latency` later, so a client that
    /// dies meanwhile has still had its message sent.
    pub fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.shared.latency_ms.store(ms, Ordering::SeqCst);
    }

    /// The requests that the provider accepted (it answered with a message or call id).
    pub fn accepted(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.id.is_some())
            .collect()
    }

    /// Twilio answers the next request with HTTP 400, error 21211 (invalid 'To' number).
    pub fn fail_twilio_with_bad_number(&self) {
        let mut plan = self.shared.twilio_plan.lock().expect("plan");
        plan.push_back(Planned::TwilioBadNumber);
    }

    /// Vonage answers the next `n` requests with HTTP 200 and status "1" (Throttled).
    pub fn fail_vonage_throttled(&self, n: usize) {
        let mut plan = self.shared.vonage_plan.lock().expect("plan");
        plan.extend(std::iter::repeat_n(
            Planned::VonageStatus("1", "Throttled"),
            n,
        ));
    }

    /// Vonage answers the next request with HTTP 200 and status "4" (Bad Credentials).
    pub fn fail_vonage_bad_credentials(&self) {
        let mut plan = self.shared.vonage_plan.lock().expect("plan");
        plan.push_back(Planned::VonageStatus("4", "Bad Credentials"));
    }

    /// Waits (up to 10 s) until `done` holds for the recorded requests; returns them.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Recorded]) -> bool) -> Vec<Recorded> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.shared.changed.notified();
            let now = self.requests();
            if done(&now) {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("the fake telephony server never saw {what}; it saw: {now:#?}");
            }
        }
    }
}

fn basic_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next().unwrap_or_default().to_owned())
}

fn record(
    shared: &Shared,
    path: String,
    form: Vec<(String, String)>,
    headers: &HeaderMap,
    id: Option<String>,
) {
    shared.requests.lock().expect("requests").push(Recorded {
        path,
        form,
        basic_user: basic_user(headers),
        id,
    });
    shared.changed.notify_waiters();
}

async fn twilio_message(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let answer = twilio_create(&shared, &sid, "Messages.json", "SM", headers, form);
    slow(&shared).await;
    answer
}

async fn twilio_call(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let answer = twilio_create(&shared, &sid, "Calls.json", "CA", headers, form);
    slow(&shared).await;
    answer
}

async fn slow(shared: &Shared) {
    let ms = shared.latency_ms.load(Ordering::SeqCst);
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn twilio_create(
    shared: &Shared,
    account: &str,
    resource: &str,
    prefix: &str,
    headers: HeaderMap,
    form: Vec<(String, String)>,
) -> Response {
    let path = format!("/2010-04-01/Accounts/{account}/{resource}");
    let planned = if shared.brownout.load(Ordering::SeqCst) {
        Some(Planned::TwilioServerError)
    } else {
        shared.twilio_plan.lock().expect("plan").pop_front()
    };
    let to = field(&form, "To");
    let (status, body, id) = match planned {
        Some(Planned::TwilioServerError) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"code": 20500, "message": "An internal server error has occurred", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}),
            None,
        ),
        Some(Planned::TwilioBadNumber) => (
            StatusCode::BAD_REQUEST,
            json!({"code": 21211, "message": format!("The 'To' number {to} is not a valid phone number."), "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}),
            None,
        ),
        _ if basic_user(&headers).as_deref() != Some(account) => (
            StatusCode::UNAUTHORIZED,
            json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}),
            None,
        ),
        _ => {
            let n = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let sid = format!("{prefix}{n:032x}");
            (
                StatusCode::CREATED,
                json!({"sid": sid, "account_sid": account, "to": to, "from": field(&form, "From"),
                       "status": "queued", "api_version": "2010-04-01",
                       "uri": format!("/2010-04-01/Accounts/{account}/{}/{sid}.json", resource.trim_end_matches(".json"))}),
                Some(sid),
            )
        }
    };
    record(shared, path, form, &headers, id);
    (status, Json(body)).into_response()
}

async fn vonage_sms(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    slow(&shared).await;
    if shared.brownout.load(Ordering::SeqCst) {
        record(&shared, "/sms/json".to_owned(), form, &headers, None);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"type": "https://developer.nexmo.com/api-errors#service-unavailable", "title": "Service Unavailable"})),
        )
            .into_response();
    }
    let planned = shared.vonage_plan.lock().expect("plan").pop_front();
    let to = field(&form, "to");
    let (body, id) = match planned {
        Some(Planned::VonageStatus(status, text)) => (
            json!({"message-count": "1", "messages": [{"to": to, "status": status, "error-text": text}]}),
            None,
        ),
        _ => {
            let n = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let id = format!("{n:016X}");
            (
                json!({"message-count": "1", "messages": [{"to": to, "message-id": id, "status": "0",
                        "remaining-balance": "3.14159", "message-price": "0.03330", "network": "12345"}]}),
                Some(id),
            )
        }
    };
    record(&shared, "/sms/json".to_owned(), form, &headers, id);
    // Vonage answers 200 whatever happened; the verdict is in the body.
    (StatusCode::OK, Json(body)).into_response()
}

fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The `X-Twilio-Signature` Twilio would send for `url` (the public URL plus path and query)
/// with these form parameters.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    firebell_adapters::telephony::signature::compute(auth_token, url, &owned)
}

/// Posts a form to firebell at `base` + `path_and_query`, signed as Twilio would sign it for
/// `public_url` + `path_and_query`.
pub async fn post_signed(
    client: &reqwest::Client,
    base: &str,
    public_url: &str,
    auth_token: &str,
    path_and_query: &str,
    params: &[(&str, &str)],
) -> reqwest::Response {
    let signature = twilio_signature(auth_token, &format!("{public_url}{path_and_query}"), params);
    client
        .post(format!("{base}{path_and_query}"))
        .header("x-twilio-signature", signature)
        .form(params)
        .send()
        .await
        .expect("request to firebell")
}
