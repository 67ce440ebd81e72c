//! serenity's real `Http` (built as firebell builds it for tests) against the fake REST API.

use serenity::all::{
    ButtonStyle, ChannelType, CommandOptionType, CreateActionRow, CreateButton, CreateCommand,
    CreateCommandOption, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateThread, EditInteractionResponse, EditMessage,
};

use super::*;

fn incident_card(text: &str) -> CreateMessage {
    let embed = CreateEmbed::new()
        .title(text)
        .description("HTTP CRITICAL on web-01")
        .field("Service", "web", true)
        .footer(CreateEmbedFooter::new("firebell"));
    let buttons = vec![
        CreateButton::new("ack:42")
            .label("Acknowledge")
            .style(ButtonStyle::Primary),
        CreateButton::new("resolve:42")
            .label("Resolve")
            .style(ButtonStyle::Success),
    ];
    CreateMessage::new()
        .embed(embed)
        .components(vec![CreateActionRow::Buttons(buttons)])
}

#[tokio::test]
async fn serenity_http_posts_edits_threads_and_deletes_on_the_fake() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);

    let card = channel()
        .send_message(&http, incident_card("Incident #42 triggered"))
        .await
        .expect("send_message");
    let edited = channel()
        .edit_message(
            &http,
            card.id,
            EditMessage::new().content("acknowledged by Alice"),
        )
        .await
        .expect("edit_message");
    let thread = channel()
        .create_thread_from_message(&http, card.id, CreateThread::new("Incident #42"))
        .await
        .expect("create_thread_from_message");
    let reply = thread
        .id
        .send_message(&http, CreateMessage::new().content("paged Alice by SMS"))
        .await
        .expect("send_message in the thread");
    let again = channel()
        .create_thread_from_message(&http, card.id, CreateThread::new("Incident #42"))
        .await
        .expect_err("a second thread");
    thread
        .id
        .delete_message(&http, reply.id)
        .await
        .expect("delete_message");
    let gone = thread
        .id
        .edit_message(&http, reply.id, EditMessage::new().content("x"))
        .await
        .expect_err("edit a deleted message");

    assert_eq!(card.channel_id, channel());
    assert_eq!(card.author.id.to_string(), BOT_USER);
    assert_eq!(
        card.embeds[0].title.as_deref(),
        Some("Incident #42 triggered")
    );
    assert_eq!(card.components[0].components.len(), 2);
    assert_eq!(edited.id, card.id);
    assert_eq!(edited.content, "acknowledged by Alice");
    assert_eq!(
        edited.embeds.len(),
        1,
        "an edit keeps the fields it does not send"
    );
    assert!(edited.edited_timestamp.is_some());
    assert_eq!(
        thread.id.get(),
        card.id.get(),
        "a thread has its starter message's id"
    );
    assert_eq!(thread.kind, ChannelType::PublicThread);
    assert_eq!(thread.parent_id, Some(channel()));
    assert_eq!(thread.name, "Incident #42");
    assert_eq!(reply.channel_id, thread.id);
    assert!(reply.id > card.id);
    assert_eq!(
        discord_error(again),
        (
            400,
            160004,
            "A thread has already been created for this message".into()
        )
    );
    assert_eq!(discord_error(gone), (404, 10008, "Unknown Message".into()));
    let routes: Vec<String> = fake.calls().into_iter().map(|c| c.route).collect();
    assert_eq!(
        routes,
        [
            "POST /channels/{}/messages",
            "PATCH /channels/{}/messages/{}",
            "POST /channels/{}/messages/{}/threads",
            "POST /channels/{}/messages",
            "POST /channels/{}/messages/{}/threads",
            "DELETE /channels/{}/messages/{}",
            "PATCH /channels/{}/messages/{}",
        ]
    );
    let posts = fake.wait_for_calls("POST /channels/{}/messages", 2).await;
    assert_eq!(
        posts[0].path,
        format!("/api/v10/channels/{CHANNEL}/messages")
    );
    assert_eq!(posts[0].auth.as_deref(), Some("Bot Bot-token"));
    assert_eq!(posts[0].id, Some(card.id.to_string()));
    assert_eq!(posts[0].channel(), Some(CHANNEL));
    assert_eq!(
        posts[0].all_text(),
        "Incident #42 triggered\nHTTP CRITICAL on web-01\nService\nweb\nfirebell\nAcknowledge\nResolve"
    );
    assert_eq!(posts[1].channel(), Some(thread.id.to_string().as_str()));
    assert_eq!(posts[1].content(), "paged Alice by SMS");
    let starter = fake.message(&card.id.to_string()).expect("the card");
    assert_eq!(starter["thread"]["id"], json!(thread.id.to_string()));
}

#[tokio::test]
async fn the_fakes_failures_reach_serenity_as_discords_errors() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);

    fake.rate_limit_next("POST /channels/{}/messages", 2.5);
    let limited = channel()
        .say(&http, "hello")
        .await
        .expect_err("rate limited");
    fake.fail_next(
        "POST /channels/{}/messages",
        403,
        50013,
        "Missing Permissions",
    );
    let forbidden = channel().say(&http, "hello").await.expect_err("forbidden");
    // serenity itself refuses content over 2000 characters (`Error::Model(MessageTooLong)`)
    // and embeds over 6000 in total, but not a field over 1024 or duplicate custom ids.
    let field = CreateEmbed::new().field("Hosts", "x".repeat(1025), false);
    let too_long = channel()
        .send_message(&http, CreateMessage::new().embed(field))
        .await
        .expect_err("too long");
    let twice = CreateButton::new("ack:42").label("Ack");
    let row = CreateActionRow::Buttons(vec![twice.clone(), twice]);
    let duplicate = channel()
        .send_message(
            &http,
            CreateMessage::new().content("x").components(vec![row]),
        )
        .await
        .expect_err("duplicate custom ids");
    fake.set_down(true);
    let down = channel().say(&http, "hello").await.expect_err("down");
    fake.set_down(false);
    let posted = channel().say(&http, "hello").await.expect("up again");

    // Discord's 429 body has no `code`, which serenity's error type requires: the body is
    // not decoded, so with the rate limiter disabled `retry_after` is lost (only the status
    // says 429).
    let (status, code, message) = discord_error(limited);
    assert_eq!((status, code), (429, -1));
    assert!(message.contains("Could not decode json"), "{message}");
    assert_eq!(
        discord_error(forbidden),
        (403, 50013, "Missing Permissions".into())
    );
    match too_long {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            assert_eq!(response.error.code, 50035);
            assert_eq!(response.error.errors[0].path, "embeds.0.fields.0.value");
            assert_eq!(response.error.errors[0].code, "BASE_TYPE_MAX_LENGTH");
        }
        other => panic!("expected Invalid Form Body, got {other:?}"),
    }
    let duplicate = duplicate.to_string();
    assert!(
        duplicate.starts_with("Invalid Form Body (components.0.components.1.custom_id: "),
        "{duplicate}"
    );
    assert_eq!(discord_error(down).0, 503);
    assert_eq!(posted.content, "hello");
    let statuses: Vec<(u16, Option<i64>)> = fake
        .calls_to("POST /channels/{}/messages")
        .into_iter()
        .map(|c| (c.status, c.code))
        .collect();
    assert_eq!(
        statuses,
        [
            (429, None),
            (403, Some(50013)),
            (400, Some(50035)),
            (400, Some(50035)),
            (503, None),
            (200, None)
        ]
    );
}

#[tokio::test]
async fn a_429_carries_discords_body_and_headers() {
    let fake = FakeDiscord::start().await;
    fake.rate_limit_next("POST /channels/{}/messages", 2.5);

    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v10/channels/{CHANNEL}/messages",
            fake.url()
        ))
        .header("Authorization", "Bot token")
        .json(&json!({"content": "hi"}))
        .send()
        .await
        .expect("a response");

    assert_eq!(response.status(), 429);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("retry-after"), "3");
    assert_eq!(header("x-ratelimit-limit"), "5");
    assert_eq!(header("x-ratelimit-remaining"), "0");
    assert_eq!(header("x-ratelimit-reset-after"), "2.500");
    assert_eq!(header("x-ratelimit-scope"), "user");
    assert_eq!(header("x-ratelimit-bucket").len(), 32);
    assert!(header("x-ratelimit-reset").parse::<f64>().unwrap() > 1.7e9);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"message": "You are being rate limited.", "retry_after": 2.5, "global": false})
    );
}

#[tokio::test]
async fn startup_routes_answer_like_discord_and_unknown_ones_404() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let client = reqwest::Client::new();

    let gateway = http.get_bot_gateway().await.expect("gateway/bot");
    let me = http.get_current_user().await.expect("users/@me");
    let app = http
        .get_current_application_info()
        .await
        .expect("applications/@me");
    let unknown = client
        .get(format!("{}/api/v10/frobnicate", fake.url()))
        .header("Authorization", "Bot token")
        .send()
        .await
        .expect("a response");
    let anonymous = client
        .get(format!("{}/api/v10/users/@me", fake.url()))
        .send()
        .await
        .expect("a response");

    assert_eq!(gateway.url, fake.gateway_url());
    assert_eq!(gateway.shards, 1);
    assert_eq!(me.id.to_string(), BOT_USER);
    assert!(me.bot);
    assert_eq!(app.id.to_string(), APP_ID);
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "404: Not Found", "code": 0})
    );
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn slash_commands_register_and_keep_their_ids() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let command = || {
        let option = CreateCommandOption::new(CommandOptionType::String, "command", "e.g. ack 42");
        CreateCommand::new("firebell")
            .description("Incident commands")
            .add_option(option)
    };

    let first = serenity::all::Command::set_global_commands(&http, vec![command()])
        .await
        .expect("PUT commands");
    let second = serenity::all::Command::set_global_commands(&http, vec![command()])
        .await
        .expect("PUT commands again");
    let bad = serenity::all::Command::set_global_commands(&http, vec![CreateCommand::new("Bad")])
        .await
        .expect_err("an invalid command");

    assert_eq!(first[0].name, "firebell");
    assert_eq!(first[0].options[0].name, "command");
    assert_eq!(first[0].application_id.to_string(), APP_ID);
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(discord_error(bad).1, 50035);
    assert_eq!(fake.commands("global").len(), 1);
    assert_eq!(fake.calls()[0].route, "PUT /applications/{}/commands");
}

#[tokio::test]
async fn interaction_responses_update_the_card_and_followups_reply() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let card = channel()
        .send_message(&http, incident_card("Incident #42 triggered"))
        .await
        .expect("the card");
    let click: Interaction = serde_json::from_value(component_click(
        CHANNEL,
        ALICE,
        &card.id.to_string(),
        "ack:42",
    ))
    .expect("a click");
    let click = click.message_component().expect("a component interaction");
    let command: Interaction =
        serde_json::from_value(slash_command(CHANNEL, ALICE, "status")).expect("a command");
    let command = command.command().expect("a command interaction");

    let update = CreateInteractionResponseMessage::new()
        .content("Acknowledged by Alice")
        .components(vec![]);
    click
        .create_response(&http, CreateInteractionResponse::UpdateMessage(update))
        .await
        .expect("update the card");
    let twice = click
        .create_response(&http, CreateInteractionResponse::Acknowledge)
        .await
        .expect_err("a second response");
    let followup = click
        .create_followup(
            &http,
            CreateInteractionResponseFollowup::new().content("noted"),
        )
        .await
        .expect("a followup");
    command.defer(&http).await.expect("defer");
    let answered = command
        .edit_response(
            &http,
            EditInteractionResponse::new().content("2 open incidents"),
        )
        .await
        .expect("edit @original");
    let unknown = CreateInteractionResponse::Acknowledge;
    let forged = http
        .create_interaction_response(click.id, "not-a-token", &unknown, vec![])
        .await
        .expect_err("an unknown interaction");

    let stored = fake.message(&card.id.to_string()).expect("the card");
    assert_eq!(stored["content"], "Acknowledged by Alice");
    assert_eq!(stored["components"], json!([]));
    assert_eq!(discord_error(twice).1, 40060);
    assert_eq!(followup.channel_id, channel());
    assert_eq!(
        followup.webhook_id.map(|w| w.to_string()).as_deref(),
        Some(APP_ID)
    );
    assert_eq!(answered.content, "2 open incidents");
    assert_eq!(
        discord_error(forged),
        (404, 10062, "Unknown interaction".into())
    );
    let responses = fake.interaction_responses();
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[0].body["type"], 7);
    assert_eq!(responses[0].content(), "Acknowledged by Alice");
    assert_eq!(responses[0].id, Some(card.id.to_string()));
    assert_eq!(responses[2].body["type"], 5);
    assert_eq!(
        fake.calls_to("PATCH /webhooks/{}/{}/messages/@original")
            .len(),
        1
    );
}
