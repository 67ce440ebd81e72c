//! Starting the workers an installation needs: the console room, the timer, each chat platform's
//! notifier and inbound tasks, and the outbox workers by lane.

use std::net::SocketAddr;
use std::sync::Arc;

use firebell_adapters::chat::fanout::ChatFanout;
use firebell_adapters::console::{ConsoleNotifier, ConsoleRoom};
use firebell_adapters::discord::{Discord, DiscordApi, DiscordEndpoint, DiscordInbound};
use firebell_adapters::slack::{Slack, SlackApi, SlackEvents, SlackInbound, SlackMode};
use firebell_engine::notify::{Lane, Notifier};
use firebell_engine::{ChatPlatform, Engine};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{ConsoleIo, NotifyRouter};

/// Webhook deliveries in flight at once.
const HOOK_WORKERS: usize = 4;

/// Spawns tasks for `engine` that stop with `stop`, collecting their handles in `tasks`.
pub(crate) struct Spawn<'a> {
    pub engine: &'a Engine,
    pub tasks: &'a mut Vec<JoinHandle<()>>,
    pub stop: &'a CancellationToken,
}

/// The chat platforms configured: their notifiers, and the signed HTTP endpoints they serve.
pub(crate) struct Chat {
    pub fanout: ChatFanout,
    pub slack_events: Option<SlackEvents>,
    pub discord_endpoint: Option<DiscordEndpoint>,
}

impl Spawn<'_> {
    /// Each configured chat platform's notifier, and its inbound tasks (Socket Mode, the gateway).
    pub(crate) fn chat(
        &mut self,
        slack: Option<&Slack>,
        discord: Option<&Discord>,
    ) -> anyhow::Result<Chat> {
        use anyhow::Context as _;
        let engine = self.engine;
        let mut chat = ChatFanout::new(engine.clone());
        let mut slack_events = None;
        if let Some(slack) = slack {
            let api = SlackApi::new(slack).context("setting up the Slack client")?;
            chat = chat.with(
                ChatPlatform::Slack,
                Arc::new(firebell_adapters::slack::notifier(
                    engine.clone(),
                    api.clone(),
                    slack,
                )),
            );
            let inbound = SlackInbound::new(engine.clone(), api.clone());
            if let Some(secret) = &slack.signing_secret {
                slack_events = Some(SlackEvents::new(inbound.clone(), secret.expose()));
            }
            if let (SlackMode::Socket, Some(token)) = (slack.mode, &slack.app_token) {
                self.tasks
                    .push(tokio::spawn(firebell_adapters::slack::socket::run(
                        engine.clone(),
                        api,
                        inbound,
                        token.expose().to_owned(),
                        self.stop.clone(),
                    )));
            }
        }
        let mut discord_endpoint = None;
        if let Some(discord) = discord {
            let api = DiscordApi::new(discord);
            chat = chat.with(
                ChatPlatform::Discord,
                Arc::new(firebell_adapters::discord::notifier(
                    engine.clone(),
                    api.clone(),
                    discord,
                )),
            );
            let inbound = DiscordInbound::new(engine.clone(), api);
            if let Some(key) = &discord.public_key {
                discord_endpoint = DiscordEndpoint::new(inbound.clone(), key);
            }
            self.tasks
                .push(tokio::spawn(firebell_adapters::discord::gateway::run(
                    engine.clone(),
                    inbound,
                    self.stop.clone(),
                )));
        }
        Ok(Chat {
            fanout: chat,
            slack_events,
            discord_endpoint,
        })
    }

    /// The console room on its terminal; returns the console's notifier.
    pub(crate) fn console(
        &mut self,
        io: ConsoleIo,
        room_names: bool,
        addr: SocketAddr,
    ) -> Arc<dyn Notifier> {
        let out = firebell_adapters::console::shared_output(io.output);
        let notifier = ConsoleNotifier::new(out.clone(), io.style).with_room_names(room_names);
        let room = ConsoleRoom::new(
            self.engine.clone(),
            out,
            io.style,
            Some(format!("http://{addr}")),
        );
        let stop = self.stop.clone();
        self.tasks
            .push(tokio::spawn(async move { room.run(io.input, stop).await }));
        Arc::new(notifier)
    }

    /// The timer worker: level starts, page steps, sweeps.
    pub(crate) fn timer(&mut self) {
        let worker = self.engine.clone().run_timer_worker(self.stop.clone());
        self.tasks.push(tokio::spawn(worker));
    }

    /// The outbox workers, by lane.
    pub(crate) fn outbox(&mut self, router: NotifyRouter) {
        let (has_any, has_webhooks) = (router.has_any(), router.webhooks.is_some());
        let notifier: Arc<dyn Notifier> = Arc::new(router);
        let mut lane_worker = |lane| {
            let worker =
                self.engine
                    .clone()
                    .run_outbox_lane(notifier.clone(), lane, self.stop.clone());
            self.tasks.push(tokio::spawn(worker));
        };
        if has_any {
            // Chat posts and direct pages in separate workers: a chat platform that is slow or
            // down never delays an SMS, a call or an email.
            for lane in [Lane::Chat, Lane::Direct] {
                lane_worker(lane);
            }
        }
        if has_webhooks {
            // Webhooks in a lane of their own, so a receiver that hangs until its timeout holds
            // up neither pages nor chat; several workers, so it does not stall every other
            // receiver either.
            for _ in 0..HOOK_WORKERS {
                lane_worker(Lane::Hooks);
            }
        }
    }
}
