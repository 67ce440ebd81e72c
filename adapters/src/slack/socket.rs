//! Socket Mode: firebell dials out to Slack over a websocket (URL from `apps.connections.open`
//! with the app-level token), so no inbound port is needed. slack-morphism keeps the connection:
//! it acknowledges each envelope after our callback returns and reconnects when the socket
//! drops. Callbacks hand slow work to a task, so acknowledgements stay within Slack's three
//! seconds; a slash command's answer rides on its acknowledgement.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use firebell_engine::Engine;
use slack_morphism::prelude::*;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::api::{Client, SlackApi};
use super::inbound::SlackInbound;

/// Seconds between reconnection attempts while Slack is unreachable.
const RECONNECT_SECONDS: u64 = 3;

struct State {
    inbound: SlackInbound,
    engine: Engine,
    /// Hellos seen: every one after the first is a reconnection.
    hellos: AtomicU64,
}

/// Holds the Socket Mode connection until `cancel` fires.
pub async fn run(
    engine: Engine,
    api: SlackApi,
    inbound: SlackInbound,
    app_token: String,
    cancel: CancellationToken,
) {
    let state = Arc::new(State {
        inbound,
        engine,
        hellos: AtomicU64::new(0),
    });
    let env = Arc::new(
        SlackClientEventsListenerEnvironment::new(api.client.clone())
            .with_error_handler(on_error)
            .with_user_state(state),
    );
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_hello_events(on_hello)
        .with_push_events(on_push)
        .with_interaction_events(on_interaction)
        .with_command_events(on_command);
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_reconnect_timeout_in_seconds(RECONNECT_SECONDS)
        .with_initial_backoff_in_seconds(RECONNECT_SECONDS);
    let listener = SlackClientSocketModeListener::new(&config, env, callbacks);
    if let Err(e) = listener
        .listen_for(&SlackApiToken::new(app_token.into()))
        .await
    {
        error!(error = %e, "Slack Socket Mode could not start; commands and buttons will not reach firebell");
        return;
    }
    listener.start().await;
    info!("Slack Socket Mode started");
    cancel.cancelled().await;
    listener.shutdown().await;
}

async fn state_of(states: &SlackClientEventsUserState) -> Option<Arc<State>> {
    states.read().await.get_user_state::<Arc<State>>().cloned()
}

/// Generic over the hello event's type, which slack-morphism does not export by name.
async fn on_hello<Hello>(_hello: Hello, _client: Arc<Client>, states: SlackClientEventsUserState) {
    let Some(state) = state_of(&states).await else {
        return;
    };
    if state.hellos.fetch_add(1, Ordering::Relaxed) == 0 {
        info!("connected to Slack (Socket Mode)");
        return;
    }
    info!("reconnected to Slack (Socket Mode)");
    // Posts that failed while Slack was away go out now rather than after their backoff.
    if let Err(e) = state.engine.retry_chat_now().await {
        warn!(error = %e, "could not hurry the chat backlog");
    }
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some(state) = state_of(&states).await {
        tokio::spawn(async move { state.inbound.push_event(event).await });
    }
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some(state) = state_of(&states).await {
        tokio::spawn(async move { state.inbound.interaction(event).await });
    }
    Ok(())
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    match state_of(&states).await {
        Some(state) => Ok(state.inbound.command(event).await),
        None => Err("firebell's Slack state is missing".into()),
    }
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<Client>,
    _states: SlackClientEventsUserState,
) -> HttpStatusCode {
    warn!(error = %err, "Slack Socket Mode error");
    HttpStatusCode::OK
}
