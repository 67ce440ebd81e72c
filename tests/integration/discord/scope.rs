//! Commands are scoped on Discord as on Slack: `!ack all` in a room's channel acknowledges that
//! room's incidents only, and in a direct message (no guild) it is refused with what to type.

use firebell::Loaded;
use firebell_tests::fake_discord::{DiscordCall, FakeDiscord, InteractionSigner, message_create};
use firebell_tests::fixtures::{DB_KEY, WEB_KEY, config_toml_two_rooms};
use firebell_tests::{Backend, TestApp};
use reqwest::StatusCode;

use super::{ALICE, OPS, TOKEN, posts_to, status};
use crate::ingest_flow::trigger;

/// alice's direct-message channel with the bot.
const ALICE_DM: &str = "300000000000000001";

/// Two rooms (`web` → ops, `db` → data), Discord pointed at the fake.
async fn start() -> (TestApp, FakeDiscord) {
    let fake = FakeDiscord::start().await;
    let toml = format!(
        "{}\n[discord]\napi_url = \"{}\"\n",
        config_toml_two_rooms(),
        fake.url()
    );
    let key = InteractionSigner::new().public_key_hex();
    let config = Loaded::parse(&toml, "discord-scope.toml", &|name| match name {
        "FIREBELL_DISCORD_TOKEN" => Some(TOKEN.to_owned()),
        "FIREBELL_DISCORD_PUBLIC_KEY" => Some(key.clone()),
        _ => None,
    })
    .expect("valid");
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    fake.wait_ready().await;
    (app, fake)
}

async fn open(app: &TestApp, key: &str, dedup: &str, summary: &str) {
    let (status, body) = app
        .post_json("/v2/enqueue", &trigger(key, dedup, summary))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// Waits for a post to `channel` containing `needle`.
async fn answer(fake: &FakeDiscord, channel: &str, needle: &str) -> DiscordCall {
    let find = |c: &[DiscordCall]| {
        posts_to(c, channel)
            .into_iter()
            .find(|m| m.content().contains(needle))
            .cloned()
    };
    let calls = fake
        .wait_until(&format!("a post in {channel} saying {needle:?}"), |c| {
            find(c).is_some()
        })
        .await;
    find(&calls).expect("found")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_all_in_a_discord_room_leaves_the_other_rooms_incidents_and_a_dm_is_refused() {
    let (app, fake) = start().await;
    open(&app, WEB_KEY, "checkout", "Checkout 500s").await; // #1 web → ops
    open(&app, DB_KEY, "replication", "Replication lag").await; // #2 db → data

    // A direct message has no guild: `all` there is refused, and says what would work.
    let mut dm = message_create(ALICE_DM, ALICE, "!ack all");
    dm.as_object_mut().expect("an object").remove("guild_id");
    fake.dispatch("MESSAGE_CREATE", dm).await;
    let refusal = answer(&fake, ALICE_DM, "direct message").await;
    assert!(
        refusal.content().contains("`!ack 42 43`"),
        "{}",
        refusal.content()
    );
    assert_eq!(status(&app, 1).await, "triggered");

    // In ops, `all` is ops's incidents only.
    fake.dispatch("MESSAGE_CREATE", message_create(OPS, ALICE, "!ack all"))
        .await;
    answer(&fake, OPS, "Acknowledged").await;
    assert_eq!(status(&app, 1).await, "acknowledged");
    assert_eq!(status(&app, 2).await, "triggered", "room data's incident");
    app.stop().await;
}
