//! Discord against a fake Discord on 127.0.0.1 that speaks the real wire formats: REST under
//! `/api/v10`, the gateway websocket (HELLO, IDENTIFY, READY, heartbeats, dispatches), and
//! interactions signed with Ed25519 as Discord signs them.
//!
//! # Layout
//! - `mod.rs`: the config pointing at the fake, and shared steps.
//! - `gateway`: an incident's life in a channel — embed, buttons, thread — and two replicas.
//! - `endpoint`: the signed HTTP interactions endpoint.
//! - `lead`: the gateway lead when the leader's lock connection fails.
//! - `scope`: `!ack all` acts on the room it is typed in; direct messages are refused.

mod both;
mod endpoint;
mod gateway;
mod lead;
mod scope;

use firebell::Loaded;
use firebell_tests::fake_discord::{DiscordCall, FakeDiscord, InteractionSigner};
use firebell_tests::fixtures::{WEB_KEY, config_toml};
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use crate::ingest_flow::trigger;

pub const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkeT.firebell-test-token-000000000000";
/// `[rooms.ops] discord` in the standard test config.
pub const OPS: &str = "100000000000000001";
/// `[users.alice] discord` in the standard test config.
pub const ALICE: &str = "200000000000000001";

/// The standard test config with Discord pointed at the fake.
pub fn config(fake: &FakeDiscord, signer: &InteractionSigner) -> Loaded {
    let toml = format!(
        "{}\n[discord]\napi_url = \"{}\"\n",
        config_toml(),
        fake.url()
    );
    let key = signer.public_key_hex();
    Loaded::parse(&toml, "discord-test.toml", &|name| match name {
        "FIREBELL_DISCORD_TOKEN" => Some(TOKEN.to_owned()),
        "FIREBELL_DISCORD_PUBLIC_KEY" => Some(key.clone()),
        _ => None,
    })
    .expect("the Discord test config is valid")
}

/// The app on SQLite with Discord pointed at the fake, its gateway session ready.
pub async fn start() -> (TestApp, FakeDiscord, InteractionSigner) {
    let fake = FakeDiscord::start().await;
    let signer = InteractionSigner::new();
    let app = TestApp::spawn_with(Backend::Sqlite, config(&fake, &signer)).await;
    fake.wait_ready().await;
    (app, fake, signer)
}

/// Sends a PagerDuty trigger for service `web`.
pub async fn open(app: &TestApp, dedup: &str, summary: &str) {
    let (status, body) = app
        .post_json("/v2/enqueue", &trigger(WEB_KEY, dedup, summary))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

pub const CREATE: &str = "POST /channels/{}/messages";
pub const EDIT: &str = "PATCH /channels/{}/messages/{}";

/// Successful message posts to `channel`.
pub fn posts_to<'a>(calls: &'a [DiscordCall], channel: &str) -> Vec<&'a DiscordCall> {
    calls
        .iter()
        .filter(|c| c.route == CREATE && c.status < 300 && c.channel() == Some(channel))
        .collect()
}

/// Successful edits of message `id`.
pub fn edits<'a>(calls: &'a [DiscordCall], id: &str) -> Vec<&'a DiscordCall> {
    calls
        .iter()
        .filter(|c| c.route == EDIT && c.status < 300 && c.path.ends_with(&format!("/{id}")))
        .collect()
}

/// Waits for the first card in the ops channel and returns its message id.
pub async fn first_card(fake: &FakeDiscord) -> String {
    let calls = fake
        .wait_until("an incident card", |c| !posts_to(c, OPS).is_empty())
        .await;
    posts_to(&calls, OPS)[0]
        .id
        .clone()
        .expect("the fake assigns an id")
}

pub async fn status(app: &TestApp, n: i64) -> String {
    let (_, body) = app.api_get(&format!("/api/v1/incidents/{n}")).await;
    body["incident"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
