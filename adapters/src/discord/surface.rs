//! Discord as a [`Surface`] for the card driver: embed cards with buttons, lines whose
//! `allowed_mentions` ping only the person paged, a thread started on each card, edits in place.

use async_trait::async_trait;
use firebell_engine::ChatPlatform;
use firebell_engine::config::User;

use super::config::Discord;
use firebell_engine::notify::NotifyError;
use firebell_engine::{Engine, Incident};
use serde_json::Value;

use super::api::{DiscordApi, UNKNOWN_MESSAGE, code_of};
use super::render;
use crate::chat::cards::{CardNotifier, Storm};
use crate::chat::surface::{Line, Surface, Upload};
use crate::chat::view::{BundleView, CardView};

pub type DiscordNotifier = CardNotifier<DiscordSurface>;

pub fn notifier(engine: Engine, api: DiscordApi, config: &Discord) -> DiscordNotifier {
    CardNotifier::new(
        engine,
        DiscordSurface::new(api),
        Storm {
            after: config.storm_after,
            window: config.storm_window,
        },
    )
}

#[derive(Clone)]
pub struct DiscordSurface {
    api: DiscordApi,
}

impl DiscordSurface {
    pub(crate) fn new(api: DiscordApi) -> Self {
        Self { api }
    }

    /// Starts the thread on message `parent` (a no-op when it exists), named after `topic`.
    async fn thread(
        &self,
        channel: &str,
        parent: &str,
        topic: Option<&Incident>,
    ) -> Result<(), NotifyError> {
        let name = topic.map_or_else(|| "Alert storm".to_owned(), render::thread_name);
        self.api.start_thread(channel, parent, &name).await
    }
}

#[async_trait]
impl Surface for DiscordSurface {
    type Content = Value;
    const PLATFORM: ChatPlatform = ChatPlatform::Discord;
    const NAME: &'static str = "Discord";

    fn chat_id<'a>(&self, user: &'a User) -> Option<&'a str> {
        user.discord_id.as_deref()
    }

    fn line_text(&self, doc: &firebell_commands::Doc) -> String {
        render::doc::message(doc)
    }

    fn card(&self, view: &CardView) -> Value {
        render::card(view)
    }

    fn bundle(&self, view: &BundleView) -> Value {
        render::bundle(view)
    }

    fn message(&self, line: Line) -> Value {
        render::message(line)
    }

    fn reply_text(&self, reply: &firebell_commands::Reply) -> String {
        render::reply(reply)
    }

    async fn post(&self, channel: &str, content: Value) -> Result<String, NotifyError> {
        self.api.post(channel, &content).await
    }

    /// A card's thread is a channel whose id is the card's: started on first use.
    async fn reply(
        &self,
        channel: &str,
        parent: &str,
        topic: Option<&Incident>,
        content: Value,
    ) -> Result<String, NotifyError> {
        self.thread(channel, parent, topic).await?;
        self.api.post(parent, &content).await
    }

    async fn edit(&self, channel: &str, id: &str, content: Value) -> Result<(), NotifyError> {
        self.api.edit(channel, id, &content).await
    }

    async fn delete(&self, channel: &str, id: &str) -> Result<(), NotifyError> {
        self.api.delete(channel, id).await
    }

    /// In a card's thread, the file goes to the thread's channel (started on first use).
    async fn upload(&self, upload: Upload<'_>) -> Result<String, NotifyError> {
        let target = match upload.thread {
            Some(parent) => {
                self.thread(upload.channel, parent, upload.topic).await?;
                parent
            }
            None => upload.channel,
        };
        let body = render::message(Line {
            text: upload.text,
            ping: Vec::new(),
        });
        self.api.post_file(target, &body, upload.file).await
    }

    fn is_gone(&self, e: &NotifyError) -> bool {
        code_of(e) == Some(UNKNOWN_MESSAGE)
    }

    fn take_recovered(&self) -> bool {
        self.api.take_recovered()
    }
}
