//! Slack against a fake Slack on 127.0.0.1 that speaks the real wire formats: the Web API,
//! Socket Mode envelopes and acks, and Events API requests signed like Slack signs them.
//!
//! # Layout
//! - `mod.rs`: the config pointing at the fake, and shared steps.
//! - `socket`: the incident's life in a channel over Socket Mode — card, buttons, thread.
//! - `storm`: many incidents at once, rate limits, an outage and what comes after.
//! - `events`: the signed HTTP routes (Events API mode).
//! - `scope`: commands act on the room they are typed in; direct messages and storm threads.

mod events;
mod scope;
mod socket;
mod storm;

use firebell::Loaded;
use firebell_tests::fake_slack::{FakeSlack, SlackCall};
use firebell_tests::fake_telephony::FakeTelephony;
use firebell_tests::fixtures::{WEB_KEY, config_toml};
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use crate::ingest_flow::trigger;

pub const BOT_TOKEN: &str = "xoxb-0000-firebell-test";
pub const APP_TOKEN: &str = "xapp-1-A0FIREBELL-test";
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// `[rooms.ops] slack` in the standard test config.
pub const OPS: &str = "C0OPS";
pub const ALICE: &str = "U0ALICE";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Socket,
    Events,
}

/// The standard test config with Slack pointed at the fake.
pub fn config(fake: &FakeSlack, mode: Mode, extra: &str) -> Loaded {
    config_from(&config_toml(), fake, mode, extra)
}

/// `base` (a whole config file) with Slack pointed at the fake.
pub fn config_from(base: &str, fake: &FakeSlack, mode: Mode, extra: &str) -> Loaded {
    let mode_name = match mode {
        Mode::Socket => "socket",
        Mode::Events => "events",
    };
    let toml = format!(
        "{base}\n[slack]\nmode = \"{mode_name}\"\napi_url = \"{}\"\n{extra}",
        fake.api_url()
    );
    Loaded::parse(&toml, "slack-test.toml", &|name| match name {
        "FIREBELL_SLACK_BOT_TOKEN" => Some(BOT_TOKEN.to_owned()),
        "FIREBELL_SLACK_APP_TOKEN" if mode == Mode::Socket => Some(APP_TOKEN.to_owned()),
        "FIREBELL_SLACK_SIGNING_SECRET" => Some(SIGNING_SECRET.to_owned()),
        _ => None,
    })
    .expect("the Slack test config is valid")
}

/// The app on SQLite with Slack over Socket Mode, connected.
pub async fn start(mode: Mode, extra: &str) -> (TestApp, FakeSlack) {
    let fake = FakeSlack::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, config(&fake, mode, extra)).await;
    if mode == Mode::Socket {
        fake.wait_connected().await;
    }
    (app, fake)
}

/// The app with Slack over Socket Mode (connected) and a fake Twilio; alice has a phone and is
/// texted two minutes after being paged in chat.
pub async fn start_with_phones() -> (TestApp, FakeSlack, FakeTelephony) {
    use crate::telephony::{ACCOUNT_SID, ALICE_PHONE, AUTH_TOKEN, PUBLIC_URL, TWILIO_FROM};
    let fake = FakeSlack::start().await;
    let phones = FakeTelephony::start().await;
    let alice = format!(
        "name = \"Alice Adams\"\nphone = \"{ALICE_PHONE}\"\nnotify.high = {{ chat = 0, sms = 2 }}\n"
    );
    let base = format!(
        "{}\n[providers]\npublic_url = \"{PUBLIC_URL}\"\n[providers.twilio]\n\
         account_sid = \"{ACCOUNT_SID}\"\nauth_token = \"{AUTH_TOKEN}\"\nfrom = \"{TWILIO_FROM}\"\n\
         api_url = \"{}\"\n",
        config_toml().replace("name = \"Alice Adams\"\n", &alice),
        phones.url
    );
    let app =
        TestApp::spawn_with(Backend::Sqlite, config_from(&base, &fake, Mode::Socket, "")).await;
    fake.wait_connected().await;
    (app, fake, phones)
}

/// Sends a PagerDuty trigger for service `web`.
pub async fn open(app: &TestApp, dedup: &str, summary: &str) {
    let (status, body) = app
        .post_json("/v2/enqueue", &trigger(WEB_KEY, dedup, summary))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// Top-level posts (not thread replies).
pub fn top_level(calls: &[SlackCall]) -> Vec<&SlackCall> {
    calls
        .iter()
        .filter(|c| {
            c.method == "chat.postMessage" && c.status == 200 && c.str("thread_ts").is_none()
        })
        .collect()
}

/// Successful replies in the thread of `ts`.
pub fn in_thread<'a>(calls: &'a [SlackCall], ts: &str) -> Vec<&'a SlackCall> {
    calls
        .iter()
        .filter(|c| {
            c.method == "chat.postMessage" && c.status == 200 && c.str("thread_ts") == Some(ts)
        })
        .collect()
}

/// Successful edits of the message `ts`.
pub fn edits<'a>(calls: &'a [SlackCall], ts: &str) -> Vec<&'a SlackCall> {
    calls
        .iter()
        .filter(|c| c.method == "chat.update" && c.status == 200 && c.str("ts") == Some(ts))
        .collect()
}

/// Waits for the first incident card and returns its ts.
pub async fn first_card(fake: &FakeSlack) -> String {
    let calls = fake
        .wait_until("an incident card", |calls| !top_level(calls).is_empty())
        .await;
    let card = top_level(&calls)[0];
    assert_eq!(card.str("channel"), Some(OPS));
    card.ts.clone().expect("the fake answers with a ts")
}
