//! Slack as a [`Surface`] for the card driver: Block Kit cards, mrkdwn lines, thread replies by
//! `thread_ts`, edits by `chat.update`.

use async_trait::async_trait;
use firebell_engine::ChatPlatform;
use firebell_engine::config::User;

use super::config::Slack;
use firebell_engine::notify::NotifyError;
use firebell_engine::{Engine, Incident};
use slack_morphism::prelude::SlackMessageContent;

use super::api::{SlackApi, api_error_code};
use super::render;
use crate::chat::cards::{CardNotifier, Storm};
use crate::chat::surface::{Line, Surface, Upload};
use crate::chat::view::{BundleView, CardView};

/// The Slack notifier: the shared card driver over Slack.
pub type SlackNotifier = CardNotifier<SlackSurface>;

pub fn notifier(engine: Engine, api: SlackApi, config: &Slack) -> SlackNotifier {
    CardNotifier::new(
        engine,
        SlackSurface::new(api),
        Storm {
            after: config.storm_after,
            window: config.storm_window,
        },
    )
}

#[derive(Clone)]
pub struct SlackSurface {
    api: SlackApi,
}

impl SlackSurface {
    pub(crate) fn new(api: SlackApi) -> Self {
        Self { api }
    }
}

#[async_trait]
impl Surface for SlackSurface {
    type Content = SlackMessageContent;
    const PLATFORM: ChatPlatform = ChatPlatform::Slack;
    const NAME: &'static str = "Slack";

    fn chat_id<'a>(&self, user: &'a User) -> Option<&'a str> {
        user.slack_id.as_deref()
    }

    fn line_text(&self, doc: &firebell_commands::Doc) -> String {
        render::doc::line(doc)
    }

    fn card(&self, view: &CardView) -> SlackMessageContent {
        render::card(view)
    }

    fn bundle(&self, view: &BundleView) -> SlackMessageContent {
        render::bundle(view)
    }

    /// Slack pings whoever a line mentions; `ping` needs no extra handling here.
    fn message(&self, line: Line) -> SlackMessageContent {
        SlackMessageContent::new().with_text(line.text)
    }

    fn reply_text(&self, reply: &firebell_commands::Reply) -> String {
        render::reply(reply)
    }

    async fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<String, NotifyError> {
        self.api.post(channel, content, None).await
    }

    async fn reply(
        &self,
        channel: &str,
        parent: &str,
        _topic: Option<&Incident>,
        content: SlackMessageContent,
    ) -> Result<String, NotifyError> {
        self.api.post(channel, content, Some(parent)).await
    }

    async fn edit(
        &self,
        channel: &str,
        id: &str,
        content: SlackMessageContent,
    ) -> Result<(), NotifyError> {
        self.api.update(channel, id, content).await
    }

    async fn delete(&self, channel: &str, id: &str) -> Result<(), NotifyError> {
        self.api.delete(channel, id).await
    }

    async fn upload(&self, upload: Upload<'_>) -> Result<String, NotifyError> {
        self.api
            .upload(upload.channel, upload.thread, upload.text, upload.file)
            .await
    }

    fn is_gone(&self, e: &NotifyError) -> bool {
        api_error_code(e) == Some("message_not_found")
    }

    fn take_recovered(&self) -> bool {
        self.api.take_recovered()
    }
}
