//! The fake is only useful if it is faithful: slack-morphism's real client and Socket Mode
//! listener must work against it unchanged, and see its failures as the error kinds real Slack
//! failures produce. (The payload builders are checked in `payloads`.)

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::mpsc;

use super::*;

const CHANNEL: &str = "C0INCIDENTS";
const ALICE: &str = "U0ALICE01";

type Client = SlackClient<SlackClientHyperHttpsConnector>;

/// Built as DEPENDENCY-NOTES says production builds it for plain-http tests.
fn client(fake: &FakeSlack) -> Arc<Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .expect("native roots")
        .https_or_http()
        .enable_http1()
        .build();
    let connector = SlackClientHyperConnector::from(https).with_slack_api_url(&fake.api_url());
    Arc::new(SlackClient::new(connector))
}

fn token(value: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue::new(value.to_owned()))
}

/// slack-morphism 2.31 does not export `SlackSocketModeEvent` (its two `socket_mode` modules
/// collide in the prelude), so the socket test below proves the frames parse; this pins the
/// envelope fields Slack documents.
#[test]
fn envelopes_carry_slacks_fields() {
    let payload = json!({"type": "event_callback"});

    let event = envelope("events_api", "e-1", payload.clone());
    let command = envelope("slash_commands", "e-2", payload.clone());

    assert_eq!(
        event,
        json!({"envelope_id": "e-1", "type": "events_api", "payload": payload,
               "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""})
    );
    assert_eq!(command["accepts_response_payload"], true);
    assert_eq!(socket::hello(1)["connection_info"]["app_id"], APP_ID);
}

#[test]
fn all_text_collects_text_from_blocks_sent_as_json_or_as_a_form_string() {
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*#42* triggered"}},
                        {"type": "context", "elements": [{"type": "mrkdwn", "text": "web-01"}]}]);
    let call = |body| SlackCall {
        method: "chat.postMessage".into(),
        path: "/api/chat.postMessage".into(),
        body,
        token: None,
        status: 200,
        error: None,
        ts: None,
        at: Instant::now(),
    };

    let as_json = call(json!({"text": "fallback", "blocks": blocks}));
    let as_form = call(json!({"text": "fallback", "blocks": blocks.to_string()}));

    assert_eq!(as_json.all_text(), "fallback\n*#42* triggered\nweb-01");
    assert_eq!(as_form.all_text(), as_json.all_text());
}

fn incident_card(text: &str) -> SlackMessageContent {
    let section = SlackSectionBlock::new().with_text(SlackBlockText::MarkDown(
        SlackBlockMarkDownText::new(format!("*{text}*")),
    ));
    SlackMessageContent::new()
        .with_text(text.to_owned())
        .with_blocks(vec![section.into()])
}

#[tokio::test]
async fn slack_morphism_posts_updates_and_deletes_messages_on_the_fake() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let bot = token("xoxb-firebell");
    let session = client.open_session(&bot);
    let channel = SlackChannelId::new(CHANNEL.to_owned());

    let auth = session.auth_test().await.expect("auth.test");
    let first = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel.clone(),
            incident_card("Incident #42 triggered"),
        ))
        .await
        .expect("chat.postMessage");
    let second = session
        .chat_post_message(
            &SlackApiChatPostMessageRequest::new(channel.clone(), incident_card("paged Alice"))
                .with_thread_ts(first.ts.clone()),
        )
        .await
        .expect("chat.postMessage in a thread");
    let updated = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel.clone(),
            incident_card("Incident #42 acknowledged"),
            first.ts.clone(),
        ))
        .await
        .expect("chat.update");
    session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            channel.clone(),
            SlackUserId::new(ALICE.to_owned()),
            SlackMessageContent::new().with_text("only you".to_owned()),
        ))
        .await
        .expect("chat.postEphemeral");
    session
        .chat_delete(&SlackApiChatDeleteRequest::new(
            channel.clone(),
            second.ts.clone(),
        ))
        .await
        .expect("chat.delete");

    assert_eq!(auth.user_id.value(), BOT_USER_ID);
    assert_eq!(first.channel, channel);
    assert!(first.ts.value() < second.ts.value());
    assert_eq!(second.message.origin.thread_ts, Some(first.ts.clone()));
    assert_eq!(updated.ts, first.ts);
    let methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "auth.test",
            "chat.postMessage",
            "chat.postMessage",
            "chat.update",
            "chat.postEphemeral",
            "chat.delete"
        ]
    );
    let posts = fake.wait_for_calls("chat.postMessage", 2).await;
    assert_eq!(posts[0].token.as_deref(), Some("xoxb-firebell"));
    assert_eq!(posts[0].ts.as_deref(), Some(first.ts.value().as_str()));
    assert_eq!(
        posts[0].all_text(),
        "Incident #42 triggered\n*Incident #42 triggered*"
    );
    let update = &fake.calls_to("chat.update")[0];
    assert_eq!(update.str("ts"), Some(first.ts.value().as_str()));
    assert_eq!(update.text(), "Incident #42 acknowledged");
    assert!(fake.calls_to("chat.postEphemeral")[0].ts.is_some());
}

#[tokio::test]
async fn the_fakes_failures_reach_slack_morphism_as_the_matching_error_kinds() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let bot = token("xoxb-firebell");
    let session = client.open_session(&bot);
    let post = SlackApiChatPostMessageRequest::new(
        SlackChannelId::new(CHANNEL.to_owned()),
        SlackMessageContent::new().with_text("hello".to_owned()),
    );
    let api_error = |result: ClientResult<SlackApiChatPostMessageResponse>| match result {
        Err(SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected an API error, got {other:?}"),
    };

    fake.rate_limit_next("chat.postMessage", 7);
    match session.chat_post_message(&post).await {
        Err(SlackClientError::RateLimitError(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
            assert_eq!(e.code.as_deref(), Some("ratelimited"));
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
    fake.fail_next("chat.postMessage", "channel_not_found");
    assert_eq!(
        api_error(session.chat_post_message(&post).await),
        "channel_not_found"
    );
    fake.set_down(true);
    match session.chat_post_message(&post).await {
        Err(SlackClientError::HttpError(e)) => assert_eq!(e.status_code.as_u16(), 503),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    fake.set_down(false);
    let posted = session.chat_post_message(&post).await.expect("up again");
    let wrong_kind = token("xapp-1-app-level");
    let unknown = token("nonsense");
    let app_session = client.open_session(&wrong_kind);
    let unknown_session = client.open_session(&unknown);
    assert_eq!(
        api_error(app_session.chat_post_message(&post).await),
        "not_allowed_token_type"
    );
    assert_eq!(
        api_error(unknown_session.chat_post_message(&post).await),
        "invalid_auth"
    );
    let stale = SlackApiChatUpdateRequest::new(
        SlackChannelId::new("C0ELSEWHERE".to_owned()),
        SlackMessageContent::new().with_text("x".to_owned()),
        posted.ts.clone(),
    );
    match session.chat_update(&stale).await {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "message_not_found"),
        other => panic!("expected message_not_found, got {other:?}"),
    }

    let statuses: Vec<(u16, Option<String>)> = fake
        .calls_to("chat.postMessage")
        .into_iter()
        .map(|c| (c.status, c.error))
        .collect();
    let error = |e: &str| Some(e.to_owned());
    assert_eq!(
        statuses,
        [
            (429, error("ratelimited")),
            (200, error("channel_not_found")),
            (503, None),
            (200, None),
            (200, error("not_allowed_token_type")),
            (200, error("invalid_auth"))
        ]
    );
}

#[tokio::test]
async fn response_urls_and_unknown_methods_answer_like_slack() {
    let fake = FakeSlack::start().await;
    let http = reqwest::Client::new();
    let url = fake.response_url();

    let reply = http
        .post(&url)
        .json(&json!({"replace_original": true, "text": "Acknowledged by Alice"}))
        .send()
        .await
        .expect("response_url");
    let unknown: serde_json::Value = http
        .post(format!("{}/chat.frobnicate", fake.api_url()))
        .bearer_auth("xoxb-firebell")
        .form(&[("channel", CHANNEL)])
        .send()
        .await
        .expect("unknown method")
        .json()
        .await
        .expect("json");
    let unauthenticated: serde_json::Value = http
        .post(format!("{}/chat.postMessage", fake.api_url()))
        .form(&[("channel", CHANNEL), ("text", "hi")])
        .send()
        .await
        .expect("no token")
        .json()
        .await
        .expect("json");

    assert_eq!(reply.status(), 200);
    assert_eq!(unknown, json!({"ok": false, "error": "unknown_method"}));
    assert_eq!(unauthenticated, json!({"ok": false, "error": "not_authed"}));
    let recorded = fake.wait_for_calls("response_url", 1).await;
    assert_eq!(recorded[0].text(), "Acknowledged by Alice");
    assert!(
        url.ends_with(&recorded[0].path),
        "{url} vs {}",
        recorded[0].path
    );
    assert_eq!(
        fake.calls_to("chat.postMessage")[0].str("channel"),
        Some(CHANNEL)
    );
}

// Socket Mode: callbacks are plain fns, so they report through the listener's user state.

type Reports = mpsc::UnboundedSender<String>;

async fn report(state: &SlackClientEventsUserState, note: String) {
    if let Some(tx) = state.read().await.get_user_state::<Reports>() {
        let _ = tx.send(note);
    }
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<Client>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = format!("firebell got: {}", event.text.unwrap_or_default());
    Ok(SlackCommandEventResponse::new(
        SlackMessageContent::new().with_text(text),
    ))
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let note = match event.event {
        SlackEventCallbackBody::Message(m) => format!(
            "message: {}",
            m.content.and_then(|c| c.text).unwrap_or_default()
        ),
        other => format!("unexpected event: {other:?}"),
    };
    report(&state, note).await;
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let note = match event {
        SlackInteractionEvent::BlockActions(e) => {
            let action = e.actions.unwrap_or_default().into_iter().next();
            let action = action.map(|a| (a.action_id.value().clone(), a.value.unwrap_or_default()));
            format!("button: {action:?}")
        }
        other => format!("unexpected interaction: {other:?}"),
    };
    report(&state, note).await;
    Ok(())
}

/// Everything slack-morphism reported to the error handler, e.g. a frame it could not parse
/// (a bad `hello` or envelope lands here, not in a callback).
static LISTENER_ERRORS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<Client>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    let mut errors = LISTENER_ERRORS
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    errors.push(error.to_string());
    HttpStatusCode::OK
}

async fn next_report(reports: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(DEADLINE, reports.recv())
        .await
        .expect("a callback report within 10 s")
        .expect("reports open")
}

#[tokio::test]
async fn slack_morphism_socket_mode_connects_receives_envelopes_acks_and_reconnects() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let (tx, mut reports) = mpsc::unbounded_channel::<String>();
    let environment = SlackClientEventsListenerEnvironment::new(client.clone())
        .with_error_handler(on_error)
        .with_user_state(tx);
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_push_events(on_push)
        .with_interaction_events(on_interaction);
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_reconnect_timeout_in_seconds(1);
    let listener = SlackClientSocketModeListener::new(&config, Arc::new(environment), callbacks);
    listener
        .listen_for(&token("xapp-1-firebell"))
        .await
        .expect("listen_for");

    listener.start().await;
    fake.wait_connected().await;
    let command = fake
        .send_envelope(
            "slash_commands",
            slash_command(CHANNEL, ALICE, "ack 42", &fake.response_url()),
        )
        .await;
    let command_ack = fake.wait_ack(&command).await;
    let event = fake
        .send_envelope("events_api", message_event(CHANNEL, ALICE, "!ack 42", None))
        .await;
    let event_ack = fake.wait_ack(&event).await;
    let event_report = next_report(&mut reports).await;
    let click = block_action(
        CHANNEL,
        ALICE,
        "1763700000.000100",
        "ack",
        "42",
        &fake.response_url(),
    );
    let click = fake.send_envelope("interactive", click).await;
    let click_ack = fake.wait_ack(&click).await;
    let click_report = next_report(&mut reports).await;

    assert_eq!(
        fake.calls_to("apps.connections.open")[0].token.as_deref(),
        Some("xapp-1-firebell")
    );
    assert_eq!(
        command_ack,
        json!({"envelope_id": command, "payload": {"text": "firebell got: ack 42"}})
    );
    assert_eq!(event_ack, json!({"envelope_id": event}));
    assert_eq!(event_report, "message: !ack 42");
    assert_eq!(click_ack, json!({"envelope_id": click}));
    assert_eq!(click_report, r#"button: Some(("ack", "42"))"#);

    // Slack drops the socket: the client opens a new one at once, through a fresh ticket.
    fake.drop_socket().await;
    fake.wait_connection_count(2).await;
    let again = fake
        .send_envelope(
            "slash_commands",
            slash_command(CHANNEL, ALICE, "help", &fake.response_url()),
        )
        .await;
    assert_eq!(
        fake.wait_ack(&again).await["payload"]["text"],
        "firebell got: help"
    );
    assert_eq!(fake.calls_to("apps.connections.open").len(), 2);

    // Slack asks the client to reconnect.
    fake.send_disconnect("refresh_requested").await;
    fake.wait_connection_count(3).await;
    let third = fake
        .send_envelope(
            "events_api",
            message_event(CHANNEL, ALICE, "still here", None),
        )
        .await;
    fake.wait_ack(&third).await;
    assert_eq!(next_report(&mut reports).await, "message: still here");

    // An outage closes the socket and refuses reconnects until Slack is back.
    fake.set_down(true);
    fake.wait_until("a refused reconnect", |calls| {
        calls
            .iter()
            .any(|c| c.method == "apps.connections.open" && c.status == 503)
    })
    .await;
    assert_eq!(fake.open_connections(), 0);
    fake.set_down(false);
    fake.wait_connection_count(4).await;
    let after = fake
        .send_envelope(
            "slash_commands",
            slash_command(CHANNEL, ALICE, "status", &fake.response_url()),
        )
        .await;
    assert_eq!(
        fake.wait_ack(&after).await["payload"]["text"],
        "firebell got: status"
    );

    listener.shutdown().await;
    let errors = LISTENER_ERRORS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    assert_eq!(
        errors,
        Vec::<String>::new(),
        "frames slack-morphism could not handle"
    );
}
