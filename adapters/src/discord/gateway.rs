//! The Discord gateway: `!` commands in messages and clicks on buttons arrive as dispatches over
//! one websocket session per bot. With several replicas on one PostgreSQL only the leader (an
//! advisory lock, see `Engine::try_lead`) holds it; the others wait and take over when the
//! leader's process dies. serenity keeps the session alive: heartbeats, resumes, reconnects.

use std::time::Duration;

use firebell_engine::Engine;
use serde_json::json;
use serenity::all::{
    ClientBuilder, CommandDataOptionValue, Context, EventHandler, GatewayIntents, Interaction,
    Message, Ready,
};
use serenity::async_trait;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::inbound::DiscordInbound;

/// The singleton duty's name for the advisory lock.
const DUTY: &str = "discord-gateway";
/// How often a follower tries for the lead, and the leader checks it still has it.
const LEAD_CHECK: Duration = Duration::from_secs(2);

struct Handler {
    inbound: DiscordInbound,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        info!(user = %ready.user.name, "connected to Discord");
        ctx.http.set_application_id(ready.application.id);
        self.inbound.api().set_application_id(ready.application.id);
        let commands = json!([{
            "name": "firebell",
            "type": 1,
            "description": "Run a firebell command: ack 42, resolve 42 fixed, incidents, oncall, help",
            "options": [{
                "type": 3,
                "name": "command",
                "description": "The command and its arguments, as typed after ! (e.g. ack 42)",
                "required": false
            }]
        }]);
        if let Err(e) = self.inbound.api().register_commands(&commands).await {
            warn!(error = %e.message, "could not register the /firebell command");
        }
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        self.inbound
            .typed(
                &msg.channel_id.to_string(),
                &msg.author.id.to_string(),
                &msg.content,
                msg.guild_id.is_none(),
            )
            .await;
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        let (id, token, answer) = match &interaction {
            Interaction::Component(c) => (
                c.id,
                c.token.clone(),
                self.inbound
                    .clicked(
                        &c.channel_id.to_string(),
                        &c.user.id.to_string(),
                        &c.data.custom_id,
                    )
                    .await,
            ),
            Interaction::Command(c) if c.data.name == "firebell" => {
                let words = c
                    .data
                    .options
                    .iter()
                    .find_map(|o| match &o.value {
                        CommandDataOptionValue::String(s) if o.name == "command" => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                (
                    c.id,
                    c.token.clone(),
                    self.inbound
                        .slash(
                            &c.channel_id.to_string(),
                            &c.user.id.to_string(),
                            &words,
                            c.guild_id.is_none(),
                        )
                        .await,
                )
            }
            _ => return,
        };
        if let Err(e) = self.inbound.api().respond(id.get(), &token, &answer).await {
            warn!(error = %e.message, "could not answer a Discord interaction");
        }
    }
}

/// Holds the gateway while this process leads, until `cancel` fires.
pub async fn run(engine: Engine, inbound: DiscordInbound, cancel: CancellationToken) {
    loop {
        let mut lead = loop {
            match engine.try_lead(DUTY).await {
                Ok(Some(lead)) => break lead,
                Ok(None) => {}
                Err(e) => warn!(error = %e, "could not ask for the Discord gateway lead"),
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(LEAD_CHECK) => {}
            }
        };
        info!("this replica holds the Discord gateway");
        let intents = GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT
            | GatewayIntents::DIRECT_MESSAGES;
        let client = ClientBuilder::new_with_http(inbound.api().gateway_http(), intents)
            .event_handler(Handler {
                inbound: inbound.clone(),
            })
            .await;
        let mut client = match client {
            Ok(c) => c,
            Err(e) => {
                error!(error = %e, "could not set up the Discord gateway client");
                drop(lead);
                tokio::time::sleep(LEAD_CHECK).await;
                continue;
            }
        };
        let shards = client.shard_manager.clone();
        let mut session = tokio::spawn(async move { client.start().await });
        loop {
            tokio::select! {
                _ = cancel.cancelled() => {
                    shards.shutdown_all().await;
                    let _ = session.await;
                    return;
                }
                ended = &mut session => {
                    match ended {
                        Ok(Err(e)) => warn!(error = %e, "the Discord gateway session ended; starting again"),
                        _ => warn!("the Discord gateway session ended; starting again"),
                    }
                    break;
                }
                _ = tokio::time::sleep(LEAD_CHECK) => {
                    if !lead.still_held().await {
                        warn!("lost the Discord gateway lead; disconnecting");
                        shards.shutdown_all().await;
                        let _ = session.await;
                        break;
                    }
                }
            }
        }
        drop(lead);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(LEAD_CHECK) => {}
        }
    }
}
