//! The Slack Web API calls firebell makes, through slack-morphism: post, edit, ephemeral reply,
//! delete. Each failure is sorted into "retry later" or "retrying cannot help" for the outbox.

use std::sync::Arc;
use std::time::Duration;

use super::config::Slack;
use firebell_engine::notify::NotifyError;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;
pub type Client = slack_morphism::SlackClient<Connector>;

/// A call taking longer than this is treated as a failure and retried later, so a hung Slack
/// cannot stall the chat worker for long.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// 429s are retried inside the call this many times, each after Slack's `Retry-After`.
const RATE_LIMIT_RETRIES: usize = 3;

/// The bot's Web API session, shared by the notifier and the inbound handlers.
#[derive(Clone)]
pub struct SlackApi {
    pub(crate) client: Arc<Client>,
    token: SlackApiToken,
    health: crate::chat::health::Health,
}

impl SlackApi {
    pub fn new(config: &Slack) -> std::io::Result<SlackApi> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        // Proactive pacing by method tier (chat.postMessage at one per second) and 429s retried
        // after Retry-After: slack-morphism's rate controller does both.
        let connector = SlackClientHyperConnector::from(https)
            .with_slack_api_url(&config.api_url)
            .with_rate_control(
                SlackApiRateControlConfig::new().with_max_retries(RATE_LIMIT_RETRIES),
            );
        Ok(SlackApi {
            client: Arc::new(slack_morphism::SlackClient::new(connector)),
            token: SlackApiToken::new(config.bot_token.expose().into()),
            health: Default::default(),
        })
    }

    /// Posts a message (in `thread_ts`'s thread when given); returns its `ts`.
    pub async fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
        thread_ts: Option<&str>,
    ) -> Result<String, NotifyError> {
        let req = SlackApiChatPostMessageRequest::new(channel.into(), content)
            .opt_thread_ts(thread_ts.map(|t| SlackTs(t.to_owned())))
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        let session = self.client.open_session(&self.token);
        let res = self
            .settle("chat.postMessage", session.chat_post_message(&req))
            .await?;
        Ok(res.ts.0)
    }

    /// Replaces a message's content.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        content: SlackMessageContent,
    ) -> Result<(), NotifyError> {
        let req = SlackApiChatUpdateRequest::new(channel.into(), content, SlackTs(ts.to_owned()));
        let session = self.client.open_session(&self.token);
        self.settle("chat.update", session.chat_update(&req))
            .await
            .map(|_| ())
    }

    /// A reply only `user` sees.
    pub async fn ephemeral(
        &self,
        channel: &str,
        user: &str,
        text: String,
        thread_ts: Option<&str>,
    ) -> Result<(), NotifyError> {
        let req = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.into(),
            SlackMessageContent::new().with_text(text),
        )
        .opt_thread_ts(thread_ts.map(|t| SlackTs(t.to_owned())));
        let session = self.client.open_session(&self.token);
        self.settle("chat.postEphemeral", session.chat_post_ephemeral(&req))
            .await
            .map(|_| ())
    }

    pub async fn delete(&self, channel: &str, ts: &str) -> Result<(), NotifyError> {
        let req = SlackApiChatDeleteRequest::new(channel.into(), SlackTs(ts.to_owned()));
        let session = self.client.open_session(&self.token);
        self.settle("chat.delete", session.chat_delete(&req))
            .await
            .map(|_| ())
    }

    /// Shares a file in a channel (in `thread_ts`'s thread when given) with `comment` as its
    /// message, by Slack's three-step external upload: ask for an upload URL, send the bytes
    /// there, complete the upload into the channel. Nothing shows until the last step, so a
    /// failure before it leaves no half-posted message. Returns the file's id.
    pub async fn upload(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        comment: String,
        file: &firebell_commands::Attachment,
    ) -> Result<String, NotifyError> {
        let session = self.client.open_session(&self.token);
        let ask =
            SlackApiFilesGetUploadUrlExternalRequest::new(file.filename.clone(), file.bytes.len());
        let target = self
            .settle(
                "files.getUploadURLExternal",
                session.get_upload_url_external(&ask),
            )
            .await?;
        let send = SlackApiFilesUploadViaUrlRequest::new(
            target.upload_url,
            file.bytes.clone(),
            file.content_type.clone(),
        );
        self.settle("file upload", session.files_upload_via_url(&send))
            .await?;
        let complete = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id.clone()).with_title(file.filename.clone()),
        ])
        .with_channel_id(channel.into())
        .with_initial_comment(comment)
        .opt_thread_ts(thread_ts.map(|t| SlackTs(t.to_owned())));
        self.settle(
            "files.completeUploadExternal",
            session.files_complete_upload_external(&complete),
        )
        .await?;
        Ok(target.file_id.0)
    }

    /// Whether Slack answered again after failures (told once).
    pub fn take_recovered(&self) -> bool {
        self.health.take_recovered()
    }

    async fn settle<T>(
        &self,
        method: &str,
        call: impl Future<Output = ClientResult<T>>,
    ) -> Result<T, NotifyError> {
        let result = match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(method, &e)),
            Err(_) => Err(NotifyError::retryable(format!(
                "Slack {method} took longer than {}s",
                CALL_TIMEOUT.as_secs()
            ))),
        };
        self.health.record(result.is_ok());
        result
    }
}

/// The code of a Slack API error (`channel_not_found`), if the error is one.
pub fn api_error_code(e: &NotifyError) -> Option<&str> {
    e.message
        .strip_prefix("Slack error `")
        .and_then(|rest| rest.split('`').next())
}

/// Retryable unless the request itself is wrong: then no number of retries helps. Errors an
/// admin can fix (a revoked token, the bot not invited to the channel) stay retryable, so posts
/// made while it is being fixed arrive once it is (the outbox retries for about eight hours).
fn classify(method: &str, e: &SlackClientError) -> NotifyError {
    match e {
        SlackClientError::ApiError(api) => {
            let code = api.code.as_str();
            let hint = match code {
                "not_in_channel" => " — invite the bot to the channel (`/invite @firebell`)",
                "channel_not_found" => {
                    " — check the room's `slack` channel id in firebell.toml and that the bot is in it"
                }
                "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
                    " — check FIREBELL_SLACK_BOT_TOKEN"
                }
                "missing_scope" => " — add the scope listed in the README's app manifest",
                _ => "",
            };
            let message = format!("Slack error `{code}` from {method}{hint}");
            match code {
                "invalid_blocks"
                | "invalid_blocks_format"
                | "msg_too_long"
                | "no_text"
                | "invalid_arguments"
                | "cant_update_message"
                | "edit_window_closed"
                | "message_not_found"
                | "user_not_in_channel" => NotifyError::permanent(message),
                _ => NotifyError::retryable(message),
            }
        }
        SlackClientError::RateLimitError(r) => NotifyError::retryable(format!(
            "Slack rate-limited {method} (retry after {:?})",
            r.retry_after
        )),
        other => NotifyError::retryable(format!("Slack {method} failed: {other}")),
    }
}
