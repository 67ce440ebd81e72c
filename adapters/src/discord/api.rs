//! The Discord REST calls firebell makes, through serenity's `Http`: post, edit, delete, start a
//! thread from a card, answer interactions. Each failure is sorted into "retry later" or
//! "retrying cannot help" for the outbox.
//!
//! Rate limits: against the real Discord, serenity's rate limiter keeps to each route's bucket
//! and waits out 429s by `retry_after`. Pointed elsewhere (a proxy, the tests' fake), serenity
//! must run without its limiter (it would bypass the proxy), and its error drops `retry_after`;
//! then a 429 is retried here after 1 s, 2 s and 4 s.

use std::sync::Arc;
use std::time::Duration;

use super::config::Discord;
use firebell_engine::notify::NotifyError;
use serde_json::Value;
use serenity::all::{ChannelId, CreateAttachment, HttpBuilder, InteractionId, MessageId};
use serenity::http::{Http, HttpError};

pub(crate) const REAL_API: &str = "https://discord.com";
const CALL_TIMEOUT: Duration = Duration::from_secs(15);
const RATE_LIMIT_RETRIES: u32 = 3;
/// Discord's "a thread has already been created for this message".
const THREAD_EXISTS: isize = 160_004;
/// Discord's "Unknown Message".
pub(crate) const UNKNOWN_MESSAGE: isize = 10_008;

#[derive(Clone)]
pub struct DiscordApi {
    http: Arc<Http>,
    config: Discord,
    health: crate::chat::health::Health,
}

impl DiscordApi {
    pub fn new(config: &Discord) -> DiscordApi {
        DiscordApi {
            http: Arc::new(build_http(config)),
            config: config.clone(),
            health: Default::default(),
        }
    }

    /// A client of its own for the gateway session (serenity's client takes one by value).
    pub(crate) fn gateway_http(&self) -> Http {
        build_http(&self.config)
    }

    /// `[discord] api_url`: the only host the gateway session may reach.
    pub(crate) fn api_url(&self) -> &str {
        &self.config.api_url
    }

    /// Posts a message body (Discord's Create Message JSON); returns the message id.
    pub async fn post(&self, channel: &str, body: &Value) -> Result<String, NotifyError> {
        let channel = snowflake(channel)?;
        let msg = self
            .call("create message", || {
                self.http
                    .send_message(ChannelId::new(channel), Vec::new(), body)
            })
            .await?;
        Ok(msg.id.to_string())
    }

    /// Posts a message body with one file attached (multipart: the body as `payload_json`, the
    /// file as `files[0]`); returns the message id.
    pub async fn post_file(
        &self,
        channel: &str,
        body: &Value,
        file: &firebell_commands::Attachment,
    ) -> Result<String, NotifyError> {
        let channel = snowflake(channel)?;
        let msg = self
            .call("create message with a file", || {
                let attachment = CreateAttachment::bytes(file.bytes.clone(), file.filename.clone());
                self.http
                    .send_message(ChannelId::new(channel), vec![attachment], body)
            })
            .await?;
        Ok(msg.id.to_string())
    }

    pub async fn edit(&self, channel: &str, id: &str, body: &Value) -> Result<(), NotifyError> {
        let (channel, id) = (snowflake(channel)?, snowflake(id)?);
        self.call("edit message", || {
            self.http.edit_message(
                ChannelId::new(channel),
                MessageId::new(id),
                body,
                Vec::new(),
            )
        })
        .await
        .map(|_| ())
    }

    pub async fn delete(&self, channel: &str, id: &str) -> Result<(), NotifyError> {
        let (channel, id) = (snowflake(channel)?, snowflake(id)?);
        self.call("delete message", || {
            self.http
                .delete_message(ChannelId::new(channel), MessageId::new(id), None)
        })
        .await
    }

    /// Starts the thread on a card (its id is the card's id); an existing thread is fine.
    pub async fn start_thread(
        &self,
        channel: &str,
        id: &str,
        name: &str,
    ) -> Result<(), NotifyError> {
        let (channel, message) = (snowflake(channel)?, snowflake(id)?);
        let body = serde_json::json!({ "name": name, "auto_archive_duration": 10080 });
        let started = self
            .call("start thread", || {
                self.http.create_thread_from_message(
                    ChannelId::new(channel),
                    MessageId::new(message),
                    &body,
                    None,
                )
            })
            .await;
        match started {
            Err(e) if e.message.contains(&format!("code {THREAD_EXISTS}")) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Answers an interaction that came over the gateway.
    pub async fn respond(&self, id: u64, token: &str, body: &Value) -> Result<(), NotifyError> {
        self.call("interaction response", || {
            self.http
                .create_interaction_response(InteractionId::new(id), token, body, Vec::new())
        })
        .await
    }

    /// The application's id, learnt from READY (needed for commands and interactions).
    pub fn set_application_id(&self, id: serenity::all::ApplicationId) {
        self.http.set_application_id(id);
    }

    /// Registers the global `/firebell` command (idempotent: the set is overwritten).
    pub async fn register_commands(&self, commands: &Value) -> Result<(), NotifyError> {
        self.call("register commands", || {
            self.http.create_global_commands(commands)
        })
        .await
        .map(|_| ())
    }

    /// Whether Discord answered again after failures (told once).
    pub fn take_recovered(&self) -> bool {
        self.health.take_recovered()
    }

    async fn call<T, F>(&self, what: &str, f: impl Fn() -> F) -> Result<T, NotifyError>
    where
        F: Future<Output = serenity::Result<T>>,
    {
        let mut attempt = 0;
        let result = loop {
            let outcome = match tokio::time::timeout(CALL_TIMEOUT, f()).await {
                Ok(r) => r,
                Err(_) => {
                    break Err(NotifyError::retryable(format!(
                        "Discord {what} took longer than {}s",
                        CALL_TIMEOUT.as_secs()
                    )));
                }
            };
            match outcome {
                Ok(v) => break Ok(v),
                Err(e) if status(&e) == Some(429) && attempt < RATE_LIMIT_RETRIES => {
                    tracing::debug!(what, attempt, "Discord rate-limited us; retrying");
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                    attempt += 1;
                }
                Err(e) => break Err(classify(what, &e)),
            }
        };
        self.health.record(result.is_ok());
        result
    }
}

fn build_http(config: &Discord) -> Http {
    let mut builder = HttpBuilder::new(config.token.expose());
    if config.api_url != REAL_API {
        builder = builder.proxy(&config.api_url).ratelimiter_disabled(true);
    }
    builder.build()
}

fn snowflake(id: &str) -> Result<u64, NotifyError> {
    id.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| NotifyError::permanent(format!("`{id}` is not a Discord id")))
}

fn status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code.as_u16()),
        _ => None,
    }
}

/// The JSON error code of a failed call, if Discord gave one.
pub(crate) fn code_of(e: &NotifyError) -> Option<isize> {
    e.message
        .split("(code ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
}

/// Retryable unless the request itself is wrong. Errors an admin can fix (a bad token, missing
/// permissions, the bot not in the channel) stay retryable, so what is posted while they fix it
/// arrives once they have (the outbox retries for about eight hours).
fn classify(what: &str, e: &serenity::Error) -> NotifyError {
    let serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) = e else {
        return NotifyError::retryable(format!("Discord {what} failed: {e}"));
    };
    let code = r.error.code;
    let hint = match (r.status_code.as_u16(), code) {
        (401, _) => " — check FIREBELL_DISCORD_TOKEN",
        (403, 50001 | 50013) => {
            " — the bot lacks access or permissions in this channel (View Channel, Send Messages, \
             Create Public Threads, Send Messages in Threads, Embed Links, Attach Files)"
        }
        (404, 10003) => " — check the room's `discord` channel id in firebell.toml",
        _ => "",
    };
    let message = format!(
        "Discord {what}: HTTP {} {} (code {code}){hint}",
        r.status_code.as_u16(),
        r.error.message
    );
    match (r.status_code.as_u16(), code) {
        // A wrong channel id can be fixed in the config while the outbox keeps retrying.
        (404, 10003) => NotifyError::retryable(message),
        (400 | 404 | 413, _) => NotifyError::permanent(message),
        _ => NotifyError::retryable(message),
    }
}
