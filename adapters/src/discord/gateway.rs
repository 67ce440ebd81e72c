//! The Discord gateway: `!` commands in messages and clicks on buttons arrive as dispatches over
//! one websocket session per bot. With several replicas on one PostgreSQL only the leader (an
//! advisory lock, see `Engine::try_lead`) holds it; the others wait and take over when the
//! leader's process dies. serenity keeps the session alive: heartbeats, resumes, reconnects.

use std::future::IntoFuture as _;
use std::time::Duration;

use firebell_engine::Engine;
use firebell_engine::leader::{LIVENESS_TIMEOUT, Leadership};
use serde_json::json;
use serenity::all::{
    ClientBuilder, Context, EventHandler, GatewayIntents, Interaction, Message, Ready, ShardManager,
};
use serenity::async_trait;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::gateway_url;
use super::inbound::DiscordInbound;

/// The singleton duty's name for the advisory lock.
const DUTY: &str = "discord-gateway";
/// How often a follower tries for the lead, and the leader checks it still has it.
const LEAD_CHECK: Duration = Duration::from_secs(2);
/// Longest serenity gets to close a session before it is abandoned.
const STOP_LIMIT: Duration = Duration::from_secs(3);
/// Longest setting up serenity's client may take.
const SETUP_LIMIT: Duration = Duration::from_secs(15);
/// How long a replica that takes the lead over waits before it connects: longer than the old
/// leader needs to find its lock connection dead (one check every [`LEAD_CHECK`], each at most
/// [`LIVENESS_TIMEOUT`]) and stop its session ([`STOP_LIMIT`]).
const TAKEOVER_WAIT: Duration = Duration::from_secs(
    LEAD_CHECK.as_secs() + LIVENESS_TIMEOUT.as_secs() + STOP_LIMIT.as_secs() + 2,
);

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
        let Some(answer) = self.inbound.interaction(&interaction).await else {
            return;
        };
        let (id, token) = (interaction.id(), interaction.token());
        if let Err(e) = self.inbound.api().respond(id.get(), token, &answer).await {
            warn!(error = %e.message, "could not answer a Discord interaction");
        }
    }
}

/// Holds the gateway while this process leads, until `cancel` fires.
///
/// Two sessions must never overlap: a leader whose lock connection fails its liveness check
/// stops its session before it contends again, and a replica that takes the lead over from
/// another waits [`TAKEOVER_WAIT`] first, the longest the old leader needs to notice and stop.
pub async fn run(engine: Engine, inbound: DiscordInbound, cancel: CancellationToken) {
    // Whether another process held (or may have held) the lead since this one last led.
    let mut other_leader = false;
    loop {
        let Some(mut lead) = contend(&engine, &cancel, &mut other_leader).await else {
            return;
        };
        if std::mem::take(&mut other_leader) {
            info!(
                wait_secs = TAKEOVER_WAIT.as_secs(),
                "took the Discord gateway lead over; waiting for the previous session to end"
            );
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(TAKEOVER_WAIT) => {}
            }
            if !lead.still_held().await {
                warn!("lost the Discord gateway lead before connecting");
                other_leader = true;
                continue;
            }
        }
        info!("this replica holds the Discord gateway");
        match hold_session(&inbound, &mut lead, &cancel).await {
            Ended::Cancelled => return,
            Ended::LeadLost => other_leader = true,
            Ended::SessionOver => {}
        }
        drop(lead);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(LEAD_CHECK) => {}
        }
    }
}

/// Asks for the lead every [`LEAD_CHECK`] until this process gets it; `None` once `cancel` fires
/// (also while a silent database holds the question up).
async fn contend(
    engine: &Engine,
    cancel: &CancellationToken,
    other_leader: &mut bool,
) -> Option<Leadership> {
    loop {
        let asked = tokio::select! {
            _ = cancel.cancelled() => return None,
            asked = engine.try_lead(DUTY) => asked,
        };
        match asked {
            Ok(Some(lead)) => return Some(lead),
            Ok(None) => *other_leader = true,
            Err(e) => {
                // Unknown: someone may have taken it meanwhile.
                *other_leader = true;
                warn!(error = %e, "could not ask for the Discord gateway lead");
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(LEAD_CHECK) => {}
        }
    }
}

/// Why a session stopped.
enum Ended {
    Cancelled,
    LeadLost,
    SessionOver,
}

/// Runs one gateway session while the lead holds; the session is stopped whenever this returns.
async fn hold_session(
    inbound: &DiscordInbound,
    lead: &mut Leadership,
    cancel: &CancellationToken,
) -> Ended {
    let api = inbound.api();
    let Some(url) = gateway_url::wait_for(&api.gateway_http(), api.api_url(), cancel).await else {
        return Ended::Cancelled;
    };
    // The lookup may have taken long (the host down for minutes): lead before connecting.
    if !lead.still_held().await {
        warn!("lost the Discord gateway lead while looking up the gateway");
        return Ended::LeadLost;
    }
    let intents = GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::DIRECT_MESSAGES;
    let builder =
        ClientBuilder::new_with_http(api.gateway_http(), intents).event_handler(Handler {
            inbound: inbound.clone(),
        });
    let client = tokio::select! {
        _ = cancel.cancelled() => return Ended::Cancelled,
        c = tokio::time::timeout(SETUP_LIMIT, builder.into_future()) => c,
    };
    let mut client = match client {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            error!(error = %e, "could not set up the Discord gateway client");
            return Ended::SessionOver;
        }
        Err(_) => {
            error!("setting up the Discord gateway client took too long");
            return Ended::SessionOver;
        }
    };
    // Whatever serenity found (or fell back to) while being built, it dials what we looked up.
    *client.ws_url.lock().await = url;
    let (shards, ws_url) = (client.shard_manager.clone(), client.ws_url.clone());
    let mut session = tokio::spawn(async move { client.start().await });
    let ended = loop {
        tokio::select! {
            _ = cancel.cancelled() => break Ended::Cancelled,
            ended = &mut session => {
                match ended {
                    Ok(Err(e)) => warn!(error = %e, "the Discord gateway session ended; starting again"),
                    _ => warn!("the Discord gateway session ended; starting again"),
                }
                break Ended::SessionOver;
            }
            _ = tokio::time::sleep(LEAD_CHECK) => {
                let held = tokio::select! {
                    _ = cancel.cancelled() => break Ended::Cancelled,
                    held = lead.still_held() => held,
                };
                if !held {
                    warn!("lost the Discord gateway lead; disconnecting");
                    break Ended::LeadLost;
                }
            }
        }
    };
    stop(&shards, &ws_url, session).await;
    ended
}

/// Closes the session within [`STOP_LIMIT`], or abandons it.
async fn stop(
    shards: &ShardManager,
    ws_url: &tokio::sync::Mutex<String>,
    mut session: JoinHandle<serenity::Result<()>>,
) {
    // serenity re-queues a shard that never connected every few seconds for ever, and
    // `shutdown_all` does nothing while no shard runs: leave that loop no address to dial.
    *ws_url.lock().await = String::new();
    if tokio::time::timeout(STOP_LIMIT, shards.shutdown_all())
        .await
        .is_err()
    {
        warn!("the Discord gateway did not close in time; dropping it");
    }
    if tokio::time::timeout(Duration::from_millis(500), &mut session)
        .await
        .is_err()
    {
        session.abort();
    }
}
