//! A room with both a Slack and a Discord channel: every post goes to each, and when one platform
//! is down the other is not sent the same line twice while the row is retried.

use firebell::Loaded;
use firebell_tests::fake_discord::FakeDiscord;
use firebell_tests::fake_slack::FakeSlack;
use firebell_tests::fixtures::config_toml;
use firebell_tests::{Backend, TestApp};

use super::{OPS, first_card, open, posts_to};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_platforms_get_the_card_and_an_outage_on_one_repeats_nothing_on_the_other() {
    let slack = FakeSlack::start().await;
    let discord = FakeDiscord::start().await;
    let toml = format!(
        "{}\n[slack]\nmode = \"socket\"\napi_url = \"{}\"\n[discord]\napi_url = \"{}\"\n",
        config_toml(),
        slack.api_url(),
        discord.url()
    );
    let config = Loaded::parse(&toml, "both.toml", &|name| match name {
        "FIREBELL_SLACK_BOT_TOKEN" => Some(crate::slack::BOT_TOKEN.to_owned()),
        "FIREBELL_SLACK_APP_TOKEN" => Some(crate::slack::APP_TOKEN.to_owned()),
        "FIREBELL_DISCORD_TOKEN" => Some(super::TOKEN.to_owned()),
        _ => None,
    })
    .expect("valid");
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    slack.wait_connected().await;
    discord.wait_ready().await;

    open(&app, "disk", "Disk full on db-01").await;
    let slack_card = crate::slack::first_card(&slack).await;
    let discord_card = first_card(&discord).await;

    // Discord goes down; an acknowledgement reaches Slack at once and Discord once it is back.
    discord.set_down(true);
    let (code, _) = app.api_post("/api/v1/incidents/1/acknowledge", None).await;
    assert!(code.is_success(), "{code}");
    slack
        .wait_until("Slack told of the ack", |c| {
            crate::slack::in_thread(c, &slack_card)
                .iter()
                .any(|m| m.text().contains("Acknowledged"))
        })
        .await;
    discord
        .wait_until("Discord failing", |c| c.iter().any(|m| m.status == 503))
        .await;
    discord.set_down(false);
    for _ in 0..6 {
        app.advance(chrono::Duration::minutes(1));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    discord
        .wait_until("Discord told of the ack", |c| {
            posts_to(c, &discord_card)
                .iter()
                .any(|m| m.content().contains("Acknowledged"))
        })
        .await;
    let acks = crate::slack::in_thread(&slack.calls(), &slack_card)
        .iter()
        .filter(|m| m.text().contains("Acknowledged"))
        .count();
    assert_eq!(
        acks, 1,
        "Slack was not told twice while Discord's part was retried"
    );
    assert_eq!(posts_to(&discord.calls(), OPS).len(), 1, "one Discord card");
    app.stop().await;
}
