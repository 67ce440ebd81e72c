//! The fake is only useful if it is faithful: every payload it builds must parse with serenity's
//! own types, and serenity's real `Http` and gateway `Client` must work against it unchanged and
//! see its failures as the errors real Discord failures produce.

//!
//! # Layout
//! - `shapes`: every builder's output, and every object the fake answers with, parses with
//!   serenity's own types; the signer satisfies serenity's verifier.
//! - `serenity_http`: serenity's `Http` posts, edits, threads, answers interactions and registers
//!   commands on the fake, and sees its failures as Discord's errors.
//! - here: serenity's gateway `Client` connects, receives dispatches and resumes.

mod serenity_http;
mod shapes;

use serde_json::json;
use serenity::all::{
    ChannelId, ClientBuilder, Context, EventHandler, GatewayIntents, Http, HttpBuilder, Ready,
    ResumedEvent,
};
use serenity::http::HttpError;
use serenity::model::application::Interaction;
use serenity::model::channel::Message;
use tokio::sync::mpsc;

use super::gateway::check_dispatch;
use super::*;

const CHANNEL: &str = "100000000000000001";
const ALICE: &str = "200000000000000001";

fn channel() -> ChannelId {
    ChannelId::new(CHANNEL.parse().expect("a snowflake"))
}

/// Built as firebell builds it for tests; the application id is set by READY in the gateway
/// tests and by hand here (interaction followups need it).
fn http(fake: &FakeDiscord) -> Http {
    let _ = rustls::crypto::ring::default_provider().install_default();
    HttpBuilder::new("Bot-token")
        .proxy(fake.url())
        .ratelimiter_disabled(true)
        .application_id(APP_ID.parse::<u64>().expect("a snowflake").into())
        .build()
}

/// The Discord error behind a serenity error: status, JSON code, message.
fn discord_error(error: serenity::Error) -> (u16, isize, String) {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => (
            response.status_code.as_u16(),
            response.error.code,
            response.error.message,
        ),
        other => panic!("expected an unsuccessful request, got {other:?}"),
    }
}

// ---- the gateway through serenity's Client ----

/// Forwards what the client's handler sees, one line per event.
struct Forward(mpsc::UnboundedSender<String>);

#[serenity::async_trait]
impl EventHandler for Forward {
    async fn ready(&self, _: Context, ready: Ready) {
        let _ = self.0.send(format!("ready as {}", ready.user.id));
    }

    async fn resume(&self, _: Context, _: ResumedEvent) {
        let _ = self.0.send("resumed".to_owned());
    }

    async fn message(&self, _: Context, message: Message) {
        let line = format!("message {:?} in {}", message.content, message.channel_id);
        let _ = self.0.send(line);
    }

    async fn interaction_create(&self, _: Context, interaction: Interaction) {
        let line = match interaction {
            Interaction::Component(click) => format!("click {}", click.data.custom_id),
            Interaction::Command(command) => format!("command {}", command.data.name),
            other => format!("interaction {:?}", other.kind()),
        };
        let _ = self.0.send(line);
    }
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(DEADLINE, events.recv())
        .await
        .expect("a handler event within 10 s")
        .expect("the handler is alive")
}

#[tokio::test]
async fn a_serenity_client_connects_receives_dispatches_and_resumes() {
    let fake = FakeDiscord::start().await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let http = HttpBuilder::new("Bot-token")
        .proxy(fake.url())
        .ratelimiter_disabled(true)
        .build();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(Forward(tx))
        .await
        .expect("a client");
    let shards = client.shard_manager.clone();
    let http = client.http.clone();
    let running = tokio::spawn(async move { client.start().await });

    fake.wait_ready().await;
    let ready = next_event(&mut events).await;
    fake.dispatch("MESSAGE_CREATE", message_create(CHANNEL, ALICE, "!ack 42"))
        .await;
    let message = next_event(&mut events).await;
    let click = component_click(CHANNEL, ALICE, "1441291744880820225", "ack:42");
    fake.dispatch("INTERACTION_CREATE", click).await;
    let click = next_event(&mut events).await;

    assert_eq!(ready, format!("ready as {BOT_USER}"));
    assert_eq!(message, format!("message \"!ack 42\" in {CHANNEL}"));
    assert_eq!(click, "click ack:42");
    // The only REST call before the gateway: the URL (on failure serenity would fall back to
    // the real wss://gateway.discord.gg).
    let routes: Vec<String> = fake.calls().into_iter().map(|c| c.route).collect();
    assert_eq!(routes, ["GET /gateway"]);
    assert_eq!(fake.gateway_requests(), ["/?v=10"]);
    let identify = &fake.identify_payloads()[0];
    assert_eq!(identify["token"], "Bot Bot-token");
    assert_eq!(identify["intents"], json!(intents.bits()));
    assert_eq!(identify["shard"], json!([0, 1]));
    assert_eq!(identify["compress"], json!(true));
    assert_eq!(identify["properties"]["browser"], "serenity");
    assert_eq!(
        http.application_id().map(|a| a.to_string()).as_deref(),
        Some(APP_ID)
    );

    // Discord drops the socket: serenity reconnects at once and RESUMEs the session.
    fake.drop_gateway().await;
    fake.wait_gateway_connections(2).await;
    assert_eq!(next_event(&mut events).await, "resumed");
    fake.dispatch(
        "MESSAGE_CREATE",
        message_create(CHANNEL, ALICE, "still here"),
    )
    .await;
    assert_eq!(
        next_event(&mut events).await,
        format!("message \"still here\" in {CHANNEL}")
    );
    assert_eq!((fake.identifies(), fake.resumes()), (1, 1));
    assert_eq!(fake.open_gateways(), 1);
    let resume = fake.shared.lock().resumes[0].clone();
    let session = fake.shared.lock().sessions.keys().next().cloned();
    assert_eq!(resume["session_id"].as_str(), session.as_deref());
    assert_eq!(
        resume["seq"], 3,
        "READY, MESSAGE_CREATE, INTERACTION_CREATE"
    );

    // Discord asks for a reconnect (op 7): serenity RESUMEs again, within milliseconds.
    fake.send_reconnect().await;
    fake.wait_gateway_connections(3).await;
    assert_eq!(next_event(&mut events).await, "resumed");
    let command = slash_command(CHANNEL, ALICE, "status");
    fake.dispatch("INTERACTION_CREATE", command).await;
    assert_eq!(next_event(&mut events).await, "command firebell");
    assert_eq!((fake.identifies(), fake.resumes()), (1, 2));

    shards.shutdown_all().await;
    let _ = tokio::time::timeout(DEADLINE, running).await;
}
