//! SMS, calls and email against fake Twilio, Vonage and SMTP servers on 127.0.0.1.
//!
//! # Layout
//! - `mod.rs`: the config pointing at the fakes and shared steps.
//! - `inbound`: Twilio's webhooks — signatures, SMS replies, key presses, status callbacks.
//! - `outbound`: pages leaving by SMS and call, with the Twilio → Vonage failover.
//! - `email`: pages and notices by SMTP.

mod brownout;
mod email;
mod inbound;
mod ladder;
mod outbound;
mod replies;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use firebell::Loaded;
use firebell_engine::kinds::ContactMethod;
use firebell_engine::notify::{Notification, Outgoing, Recipient};
use firebell_engine::{IncidentNumber, Urgency};
use firebell_tests::fake_smtp::FakeSmtp;
use firebell_tests::fake_telephony::{FakeTelephony, post_signed};
use firebell_tests::fixtures::{WEB_KEY, config_toml};
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use crate::ingest_flow::trigger;

/// What Twilio signs webhooks for; deliberately not the address the test app listens on, so a
/// check against the Host header would fail.
pub const PUBLIC_URL: &str = "https://firebell.example.com";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "twilio-test-auth-token";
pub const TWILIO_FROM: &str = "+15005550006";
pub const ALICE_PHONE: &str = "+14155550101";
pub const BOB_PHONE: &str = "+14155550102";

/// Which providers a test's config has.
#[derive(Debug, Clone, Copy)]
pub struct Providers {
    pub twilio: bool,
    pub vonage: bool,
}

impl Providers {
    pub const BOTH: Providers = Providers {
        twilio: true,
        vonage: true,
    };
}

/// The standard test config plus phones and emails for alice and bob, and providers pointing at
/// the fakes.
pub fn config(phones: &FakeTelephony, smtp: &FakeSmtp, p: Providers) -> Loaded {
    // Calls need Twilio: without it, the ladder is chat then SMS.
    let ladder = if p.twilio {
        ""
    } else {
        "notify.high = { chat = 0, sms = 2 }\n"
    };
    let toml = config_text(&phones.url, smtp.port, p, ladder);
    Loaded::parse(&toml, "telephony-test.toml", &|_| None)
        .unwrap_or_else(|e| panic!("the telephony test config is invalid:\n{e}\n{toml}"))
}

/// [`config`] as TOML text, with `ladder` (a `notify.high = …` line, or nothing for the default)
/// for alice and bob.
pub fn config_text(phones_url: &str, smtp_port: u16, p: Providers, ladder: &str) -> String {
    let mut toml = config_toml()
        .replace(
            "name = \"Alice Adams\"\n",
            &format!(
                "name = \"Alice Adams\"\nphone = \"{ALICE_PHONE}\"\nemail = \"alice@example.com\"\n{ladder}"
            ),
        )
        .replace(
            "name = \"Bob Brown\"\n",
            &format!(
                "name = \"Bob Brown\"\nphone = \"{BOB_PHONE}\"\nemail = \"bob@example.com\"\n{ladder}"
            ),
        );
    toml.push_str(&format!("\n[providers]\npublic_url = \"{PUBLIC_URL}\"\n"));
    if p.twilio {
        toml.push_str(&format!(
            "\n[providers.twilio]\naccount_sid = \"{ACCOUNT_SID}\"\nauth_token = \"{AUTH_TOKEN}\"\nfrom = \"{TWILIO_FROM}\"\napi_url = \"{}\"\n",
            phones_url
        ));
    }
    if p.vonage {
        toml.push_str(&format!(
            "\n[providers.vonage]\napi_key = \"vonage-key\"\napi_secret = \"vonage-secret\"\nfrom = \"firebell\"\napi_url = \"{}\"\n",
            phones_url
        ));
    }
    toml.push_str(&format!(
        "\n[providers.smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"none\"\nfrom = \"firebell <pager@example.com>\"\n"
    ));
    toml
}

/// The app, with its fakes.
pub struct Rig {
    pub app: TestApp,
    pub phones: FakeTelephony,
    pub smtp: FakeSmtp,
}

impl Rig {
    pub async fn start(backend: Backend, p: Providers) -> Rig {
        let phones = FakeTelephony::start().await;
        let smtp = FakeSmtp::start().await;
        let app = TestApp::spawn_with(backend, config(&phones, &smtp, p)).await;
        Rig { app, phones, smtp }
    }

    /// Opens an incident on `web` (critical, source db-01) and returns its number.
    pub async fn open_incident(&self, dedup: &str, title: &str) -> IncidentNumber {
        let (s, body) = self
            .app
            .post_json("/v2/enqueue", &trigger(WEB_KEY, dedup, title))
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

    /// POSTs a Twilio-signed form to firebell.
    pub async fn twilio_post(
        &self,
        path_and_query: &str,
        params: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let resp = post_signed(
            &self.app.client,
            &self.app.base,
            PUBLIC_URL,
            AUTH_TOKEN,
            path_and_query,
            params,
        )
        .await;
        let status = resp.status();
        if status == StatusCode::OK {
            let ct = resp.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .to_owned();
            assert!(ct.starts_with("text/xml"), "TwiML is text/xml, got {ct}");
        }
        (status, resp.text().await.expect("body"))
    }

    /// An SMS reply from `from`, as Twilio posts it (each with a new `MessageSid`).
    pub async fn sms_reply(&self, from: &str, body: &str) -> String {
        self.sms_reply_as(&fresh_sid("SM"), from, body).await
    }

    /// An SMS reply with the given `MessageSid` (the same one twice is a replay).
    pub async fn sms_reply_as(&self, sid: &str, from: &str, body: &str) -> String {
        let (status, xml) = self
            .twilio_post(
                "/twilio/sms",
                &[
                    ("MessageSid", sid),
                    ("AccountSid", ACCOUNT_SID),
                    ("From", from),
                    ("To", TWILIO_FROM),
                    ("Body", body),
                    ("NumMedia", "0"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{xml}");
        xml
    }

    /// A key press on the page call `call_sid` to `to` about incident `n`, as Twilio posts it.
    pub async fn key_press(
        &self,
        n: IncidentNumber,
        call_sid: &str,
        to: &str,
        digits: &str,
    ) -> String {
        let (status, xml) = self
            .twilio_post(
                &format!("/twilio/voice?incident={}", n.get()),
                &[
                    ("CallSid", call_sid),
                    ("AccountSid", ACCOUNT_SID),
                    ("From", TWILIO_FROM),
                    ("To", to),
                    ("Direction", "outbound-api"),
                    ("Digits", digits),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{xml}");
        xml
    }

    /// Waits until every outbox row of incident `n` is delivered or failed.
    pub async fn settled(&self, n: IncidentNumber) {
        self.app
            .api_wait(&format!("/api/v1/incidents/{}", n.get()), |i| {
                i["notifications"].as_array().is_some_and(|rows| {
                    rows.iter()
                        .all(|r| !r["delivered_at"].is_null() || !r["failed_at"].is_null())
                })
            })
            .await;
    }

    /// The incident's JSON (`incident`, `timeline`, `notifications`).
    pub async fn show(&self, n: IncidentNumber) -> serde_json::Value {
        let (s, body) = self
            .app
            .api_get(&format!("/api/v1/incidents/{}", n.get()))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    /// Waits (up to 10 s) until `user`'s last SMS/call page is recorded as delivered.
    pub async fn wait_last_paged(&self, user: &str) -> IncidentNumber {
        let id = self
            .app
            .engine()
            .config()
            .user(user)
            .expect("user")
            .id
            .clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(n) = self
                .app
                .engine()
                .last_paged_incident(&id)
                .await
                .expect("db")
            {
                return n;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{user}'s page was never recorded as delivered"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Lets two minutes pass so alice is texted, waits until Twilio took the SMS and firebell
    /// recorded it as delivered, and returns its `MessageSid`.
    pub async fn alices_page_sms(&self) -> String {
        self.app.advance(chrono::Duration::minutes(2));
        let sent = self
            .phones
            .wait_for("alice's page SMS", |r| r.iter().any(|r| r.is_twilio_sms()))
            .await;
        let sid = sent
            .iter()
            .find(|r| r.is_twilio_sms())
            .and_then(|r| r.id.clone())
            .expect("Twilio gave the SMS an id");
        self.wait_last_paged("alice").await;
        sid
    }

    /// A page or notice to `user` by `method`, as the outbox worker would hand it over.
    pub async fn outgoing(
        &self,
        n: IncidentNumber,
        user: &str,
        method: ContactMethod,
        notification: Notification,
    ) -> Outgoing {
        let engine = self.app.engine();
        let config = engine.config();
        Outgoing {
            outbox_id: 1,
            room: config.rooms["ops"].clone(),
            recipient: Some(Recipient {
                user: config.user(user).expect("user").clone(),
                method,
            }),
            incident: Some(engine.incident(n).await.expect("incident")),
            notification,
            attempt: 1,
        }
    }
}

/// A Twilio-style sid (`SM…`, `CA…`) never used before in this test run.
pub fn fresh_sid(prefix: &str) -> String {
    // Far above the small sids tests write by hand (`CA…0001`), so a fresh one never repeats them.
    static NEXT: AtomicU64 = AtomicU64::new(1 << 40);
    format!("{prefix}{:032x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// What Twilio is told when nothing should be sent back: an empty TwiML document.
pub const NO_REPLY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

/// A level-1, high-urgency page for `user`.
pub fn paged(user: &str, failover_from: Option<&str>) -> Notification {
    Notification::Paged {
        user: user.to_owned(),
        level: 1,
        urgency: Urgency::High,
        failover_from: failover_from.map(str::to_owned),
        esc_gen: None,
    }
}

/// Timeline messages of an incident's JSON.
pub fn timeline(show: &serde_json::Value) -> Vec<String> {
    show["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        .collect()
}
