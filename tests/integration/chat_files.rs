//! Files in chat: a scheduled digest's chart uploaded with its figures, and a postmortem draft
//! filed in the incident's thread — on Slack (the external upload flow) and Discord (a multipart
//! message), in a room that has a channel on each.

use chrono::Duration;
use firebell::Loaded;
use firebell_tests::fake_discord::{FakeDiscord, message_create};
use firebell_tests::fake_slack::{FakeSlack, message_event};
use firebell_tests::fixtures::config_toml;
use firebell_tests::{Backend, TestApp};

use crate::discord::OPS as DISCORD_OPS;
use crate::slack::{ALICE as SLACK_ALICE, OPS as SLACK_OPS};

/// The app with both platforms in the ops room and a weekly digest there.
async fn start() -> (TestApp, FakeSlack, FakeDiscord) {
    let slack = FakeSlack::start().await;
    let discord = FakeDiscord::start().await;
    let toml = format!(
        "{}\n[slack]\nmode = \"socket\"\napi_url = \"{}\"\n[discord]\napi_url = \"{}\"\n\
         [[reports]]\nname = \"weekly\"\nschedule = \"0 9 * * Mon\"\ntimezone = \"Europe/Berlin\"\n\
         room = \"ops\"\nperiod = \"last-week\"\n",
        config_toml(),
        slack.api_url(),
        discord.url()
    );
    let config = Loaded::parse(&toml, "files.toml", &|name| match name {
        "FIREBELL_SLACK_BOT_TOKEN" => Some(crate::slack::BOT_TOKEN.to_owned()),
        "FIREBELL_SLACK_APP_TOKEN" => Some(crate::slack::APP_TOKEN.to_owned()),
        "FIREBELL_DISCORD_TOKEN" => Some(crate::discord::TOKEN.to_owned()),
        _ => None,
    })
    .expect("valid");
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    slack.wait_connected().await;
    discord.wait_ready().await;
    (app, slack, discord)
}

/// Decodes a PNG completely (every pixel, so a truncated or corrupt file fails); returns its size.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader.next_frame(&mut pixels).expect("the image decodes");
    (frame.width, frame.height)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_digest_goes_to_slack_and_discord_with_its_chart() {
    let (app, slack, discord) = start().await;
    crate::slack::open(&app, "disk", "Disk full on db-01").await;
    crate::slack::first_card(&slack).await;

    // t0 is Saturday 2026-11-21 03:00 UTC; Monday 09:00 in Berlin is 2026-11-23 08:00 UTC.
    app.advance(Duration::hours(53) + Duration::seconds(30));

    let on_slack = slack.wait_for_files(1).await;
    let chart = &on_slack[0];
    assert_eq!(chart.channel, SLACK_OPS);
    assert_eq!(chart.thread_ts, None, "a digest is a post of its own");
    // Last week ran Monday 16th to Sunday 22nd (Berlin).
    assert_eq!(chart.filename, "firebell-report-weekly-2026-11-22.png");
    assert_eq!(chart.content_type, "image/png");
    assert_eq!(png_size(&chart.bytes), (1000, 600));
    let comment = chart.initial_comment.as_deref().unwrap_or_default();
    assert!(comment.contains("Report `weekly`"), "{comment}");
    assert!(
        comment.contains("*Opened:* 1"),
        "the figures ride with the chart: {comment}"
    );

    let on_discord = discord.wait_for_files(1).await;
    let chart = &on_discord[0];
    assert_eq!(chart.channel_id, DISCORD_OPS);
    assert_eq!(chart.filename, "firebell-report-weekly-2026-11-22.png");
    assert_eq!(png_size(&chart.bytes), (1000, 600));
    assert!(
        chart.content.contains("Report `weekly`"),
        "{}",
        chart.content
    );

    // One message each: the digest's text is not posted a second time on its own.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let texts = slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.text().contains("Report `weekly`"))
        .count();
    assert_eq!(texts, 0, "the figures went with the file");
    assert_eq!(slack.files().len(), 1);
    assert_eq!(discord.files().len(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postmortem_asked_for_anywhere_is_filed_in_the_incidents_thread() {
    let (app, slack, discord) = start().await;
    crate::slack::open(&app, "disk", "Disk full on db-01").await;
    let slack_card = crate::slack::first_card(&slack).await;
    let discord_card = crate::discord::first_card(&discord).await;
    let (code, _) = app.api_post("/api/v1/incidents/1/resolve", None).await;
    assert!(code.is_success(), "{code}");

    // Asked for in the channel, not the thread, on each platform.
    slack
        .send_envelope(
            "events_api",
            message_event(SLACK_OPS, SLACK_ALICE, "!postmortem 1", None),
        )
        .await;
    let file = &slack.wait_for_files(1).await[0];
    assert_eq!(file.channel, SLACK_OPS);
    assert_eq!(
        file.thread_ts.as_deref(),
        Some(slack_card.as_str()),
        "in the card's thread"
    );
    assert_eq!(file.filename, "postmortem-1.md");
    let draft = String::from_utf8(file.bytes.clone()).expect("UTF-8 Markdown");
    assert!(draft.contains("Disk full on db-01"), "{draft}");
    assert!(draft.contains("## Timeline"), "{draft}");
    let comment = file.initial_comment.as_deref().unwrap_or_default();
    assert!(comment.contains("Postmortem draft"), "{comment}");

    discord
        .dispatch(
            "MESSAGE_CREATE",
            message_create(DISCORD_OPS, crate::discord::ALICE, "!postmortem 1"),
        )
        .await;
    let file = &discord.wait_for_files(1).await[0];
    assert_eq!(
        file.channel_id, discord_card,
        "the card's thread has the card's id"
    );
    assert_eq!(file.filename, "postmortem-1.md");
    let draft = String::from_utf8(file.bytes.clone()).expect("UTF-8 Markdown");
    assert!(draft.contains("## Timeline"), "{draft}");
    assert!(
        file.content.contains("Postmortem draft"),
        "{}",
        file.content
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_that_refuses_files_still_gets_the_digests_figures() {
    use crate::slack::{Mode, config_from};
    let slack = FakeSlack::start().await;
    let base = format!(
        "{}\n[[reports]]\nname = \"weekly\"\nschedule = \"0 9 * * Mon\"\n\
         timezone = \"Europe/Berlin\"\nroom = \"ops\"\nperiod = \"last-week\"\n",
        config_toml()
    );
    let config = config_from(&base, &slack, Mode::Socket, "");
    let app = TestApp::spawn_with(Backend::Sqlite, config).await;
    slack.wait_connected().await;
    // An app installed before firebell needed `files:write`.
    slack.fail_next("files.getUploadURLExternal", "missing_scope");

    app.advance(Duration::hours(53) + Duration::seconds(30));
    let calls = slack
        .wait_until("the digest's text", |calls| {
            calls
                .iter()
                .any(|c| c.method == "chat.postMessage" && c.text().contains("Report `weekly`"))
        })
        .await;
    let digest = calls
        .iter()
        .find(|c| c.method == "chat.postMessage" && c.text().contains("Report `weekly`"))
        .expect("posted");
    assert_eq!(digest.str("channel"), Some(SLACK_OPS));
    assert!(digest.text().contains("*Opened:*"), "{}", digest.text());
    assert!(
        digest.text().contains("The chart could not be attached")
            && digest.text().contains("missing_scope"),
        "says why the picture is missing: {}",
        digest.text()
    );
    assert!(slack.files().is_empty());
    app.stop().await;
}
