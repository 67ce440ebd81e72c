//! Each builder's output must parse with serenity 0.12.5's own types into the variant firebell
//! matches on, and so must everything the fake answers with.

use serenity::all::{
    ChannelType, CommandDataOptionValue, ComponentInteractionDataKind, CurrentApplicationInfo,
    CurrentUser, GuildChannel,
};
use serenity::interactions_endpoint::Verifier;
use serenity::model::event::{Event, GatewayEvent};

use super::*;

#[test]
fn message_create_parses_as_a_serenity_message_and_dispatch() {
    let content = "!page <@200000000000000002> disk full";

    let payload = message_create(CHANNEL, ALICE, content);
    let message: Message = serde_json::from_value(payload.clone()).expect("a message");

    assert_eq!(message.content, content);
    assert_eq!(message.channel_id.to_string(), CHANNEL);
    assert_eq!(message.author.id.to_string(), ALICE);
    assert_eq!(message.author.name, "user0001");
    assert!(!message.author.bot);
    assert_eq!(
        message.guild_id.map(|g| g.to_string()).as_deref(),
        Some(GUILD)
    );
    assert_eq!(message.mentions.len(), 1);
    assert_eq!(message.mentions[0].id.to_string(), "200000000000000002");
    assert!(message.member.is_some());
    assert_eq!(check_dispatch("MESSAGE_CREATE", &payload), Ok(()));
    let later = message_create(CHANNEL, ALICE, "later");
    assert!(later["id"].as_str() > payload["id"].as_str());
    assert_eq!(
        payloads::timestamp_of(later["id"].as_str().unwrap()),
        later["timestamp"]
    );
}

#[test]
fn component_click_parses_as_a_serenity_component_interaction() {
    let payload = component_click(CHANNEL, ALICE, "1441291744880820225", "ack:42");

    let interaction: Interaction = serde_json::from_value(payload.clone()).expect("an interaction");

    let Interaction::Component(click) = interaction else {
        panic!("not a component interaction: {interaction:?}");
    };
    assert_eq!(click.data.custom_id, "ack:42");
    assert!(matches!(
        click.data.kind,
        ComponentInteractionDataKind::Button
    ));
    assert_eq!(click.user.id.to_string(), ALICE);
    assert_eq!(click.channel_id.to_string(), CHANNEL);
    assert_eq!(
        click.guild_id.map(|g| g.to_string()).as_deref(),
        Some(GUILD)
    );
    assert_eq!(click.message.id.to_string(), "1441291744880820225");
    assert_eq!(click.message.author.id.to_string(), BOT_USER);
    assert_eq!(click.application_id.to_string(), APP_ID);
    assert!(
        click.token.starts_with("aW50ZXJhY3Rpb246"),
        "{}",
        click.token
    );
    assert_eq!(check_dispatch("INTERACTION_CREATE", &payload), Ok(()));
}

#[test]
fn slash_command_parses_as_a_serenity_command_interaction() {
    let payload = slash_command(CHANNEL, ALICE, "ack 42");
    let bare = slash_command(CHANNEL, ALICE, "");

    let interaction: Interaction = serde_json::from_value(payload.clone()).expect("an interaction");
    let bare: Interaction = serde_json::from_value(bare).expect("an interaction");

    let Interaction::Command(command) = interaction else {
        panic!("not a command: {interaction:?}");
    };
    assert_eq!(command.data.name, "firebell");
    assert_eq!(command.data.options.len(), 1);
    assert_eq!(command.data.options[0].name, "command");
    assert_eq!(
        command.data.options[0].value,
        CommandDataOptionValue::String("ack 42".to_owned())
    );
    assert_eq!(command.user.id.to_string(), ALICE);
    assert_eq!(command.channel_id.to_string(), CHANNEL);
    assert!(bare.command().expect("a command").data.options.is_empty());
    assert_eq!(check_dispatch("INTERACTION_CREATE", &payload), Ok(()));
}

#[test]
fn ping_parses_as_a_serenity_ping() {
    let interaction: Interaction = serde_json::from_value(ping()).expect("an interaction");

    let Interaction::Ping(ping) = interaction else {
        panic!("not a ping: {interaction:?}");
    };
    assert_eq!(ping.application_id.to_string(), APP_ID);
}

#[test]
fn a_payload_serenity_cannot_parse_is_refused_before_it_is_dispatched() {
    let mut broken = message_create(CHANNEL, ALICE, "hi");
    broken.as_object_mut().unwrap().remove("timestamp");
    let mut old = component_click(CHANNEL, ALICE, "1441291744880820225", "ack:42");
    old.as_object_mut().unwrap().remove("attachment_size_limit");

    let broken = check_dispatch("MESSAGE_CREATE", &broken).unwrap_err();
    let old = check_dispatch("INTERACTION_CREATE", &old).unwrap_err();

    assert!(broken.contains("timestamp"), "{broken}");
    assert!(old.contains("attachment_size_limit"), "{old}");
    assert!(check_dispatch("NO_SUCH_EVENT", &json!({})).is_err());
}

#[test]
fn what_the_fake_answers_with_parses_as_serenity_types() {
    let ready = json!({"op": 0, "s": 1, "t": "READY",
                       "d": payloads::ready("abc", "ws://127.0.0.1:1", json!([0, 1]))});

    let ready: GatewayEvent = serde_json::from_value(ready).expect("a gateway event");
    let message: Message =
        serde_json::from_value(payloads::bot_message("1441291744880820225", CHANNEL))
            .expect("a message");
    let thread: GuildChannel = serde_json::from_value(payloads::thread_channel(
        "1441291744880820225",
        CHANNEL,
        "x",
        60,
    ))
    .expect("a thread");
    let user: CurrentUser = serde_json::from_value(payloads::bot_user()).expect("a user");
    let app: CurrentApplicationInfo =
        serde_json::from_value(payloads::application()).expect("an application");

    let GatewayEvent::Dispatch(1, Event::Ready(ready)) = ready else {
        panic!("not READY: {ready:?}");
    };
    assert_eq!(ready.ready.session_id, "abc");
    assert_eq!(ready.ready.application.id.to_string(), APP_ID);
    assert_eq!(ready.ready.user.id.to_string(), BOT_USER);
    assert_eq!(message.author.id.to_string(), BOT_USER);
    assert!(message.author.bot);
    assert_eq!(thread.kind, ChannelType::PublicThread);
    assert!(user.bot);
    assert_eq!(app.verify_key, InteractionSigner::new().public_key_hex());
}

#[test]
fn call_text_helpers_read_messages_and_interaction_responses() {
    let call = |route: &str, path: &str, body| DiscordCall {
        method: "POST".into(),
        path: path.into(),
        route: route.into(),
        body,
        auth: None,
        status: 200,
        code: None,
        id: None,
        at: Instant::now(),
    };
    let card = json!({"content": "#42", "embeds": [{"title": "web-01", "description": "down",
        "fields": [{"name": "Service", "value": "web"}], "footer": {"text": "firebell"}}],
        "components": [{"type": 1, "components": [{"type": 2, "label": "Ack", "custom_id": "a"}]}]});

    let post = call(
        "POST /channels/{}/messages",
        "/api/v10/channels/1/messages",
        card.clone(),
    );
    let response = call(
        "POST /interactions/{}/{}/callback",
        "/api/v10/interactions/2/tok/callback",
        json!({"type": 4, "data": card}),
    );

    assert_eq!(
        post.all_text(),
        "#42\nweb-01\ndown\nService\nweb\nfirebell\nAck"
    );
    assert_eq!(response.all_text(), post.all_text());
    assert_eq!(response.content(), "#42");
    assert_eq!(post.channel(), Some("1"));
    assert_eq!(response.channel(), None);
    assert_eq!(
        rest::route_of("PATCH", "/api/v10/webhooks/4/aW50/messages/@original"),
        "PATCH /webhooks/{}/{}/messages/@original"
    );
}

#[test]
fn the_signer_signs_as_discord_does_so_serenitys_verifier_accepts_it() {
    let signer = InteractionSigner::new();
    let body = serde_json::to_string(&ping()).expect("json");
    let verifier = Verifier::new(&signer.public_key_hex());

    let signature = signer.sign("1763700000", &body);

    assert_eq!(
        signer.public_key_hex(),
        InteractionSigner::new().public_key_hex()
    );
    assert_eq!(signature.len(), 128);
    assert_eq!(
        verifier.verify(&signature, "1763700000", body.as_bytes()),
        Ok(())
    );
    let tampered = body.replace("\"type\":1", "\"type\":2");
    assert_eq!(
        verifier.verify(&signature, "1763700000", tampered.as_bytes()),
        Err(())
    );
    assert_eq!(
        verifier.verify(&signature, "1763700001", body.as_bytes()),
        Err(())
    );
    let forged = InteractionSigner::other().sign("1763700000", &body);
    assert_eq!(
        verifier.verify(&forged, "1763700000", body.as_bytes()),
        Err(())
    );
}
