//! A room served by several chat platforms (a `slack` and a `discord` channel) gets every post
//! on each. Each platform takes an outbox row once: when one fails and the row is retried, those
//! that already took it are skipped (recorded per row and platform), so nobody sees a line twice.

use std::sync::Arc;

use async_trait::async_trait;
use firebell_engine::ChatPlatform;
use firebell_engine::Engine;
use firebell_engine::config::Room;
use firebell_engine::notify::{Delivered, Notifier, NotifyError, Outgoing};

pub struct ChatFanout {
    engine: Engine,
    platforms: Vec<(ChatPlatform, Arc<dyn Notifier>)>,
}

impl ChatFanout {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            platforms: Vec::new(),
        }
    }

    pub fn with(mut self, platform: ChatPlatform, notifier: Arc<dyn Notifier>) -> Self {
        self.platforms.push((platform, notifier));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.platforms.is_empty()
    }

    /// Whether a configured platform serves the room (it has a channel there).
    pub fn serves(&self, room: &Room) -> bool {
        self.platforms.iter().any(|(p, _)| has_channel(room, *p))
    }
}

fn has_channel(room: &Room, platform: ChatPlatform) -> bool {
    room.channel(platform).is_some()
}

fn db(e: firebell_engine::EngineError) -> NotifyError {
    NotifyError::retryable(format!("database: {e}"))
}

#[async_trait]
impl Notifier for ChatFanout {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let serving: Vec<&(ChatPlatform, Arc<dyn Notifier>)> = self
            .platforms
            .iter()
            .filter(|(p, _)| has_channel(&msg.room, *p))
            .collect();
        if let [(_, only)] = serving.as_slice() {
            return only.deliver(msg).await;
        }
        let mut delivered: Option<Delivered> = None;
        let mut failed: Option<NotifyError> = None;
        for (platform, notifier) in serving {
            if self
                .engine
                .outbox_part_done(msg.outbox_id, *platform)
                .await
                .map_err(db)?
            {
                continue;
            }
            match notifier.deliver(msg).await {
                Ok(d) => {
                    self.engine
                        .mark_outbox_part(msg.outbox_id, *platform)
                        .await
                        .map_err(db)?;
                    delivered.get_or_insert(d);
                }
                Err(e) => {
                    let message = format!("{}: {}", platform.as_str(), e.message);
                    // Retry while any platform could still take it.
                    let retryable = e.retryable || failed.as_ref().is_some_and(|f| f.retryable);
                    let message = match failed.take() {
                        Some(f) => format!("{}; {message}", f.message),
                        None => message,
                    };
                    failed = Some(NotifyError { retryable, message });
                }
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(delivered.unwrap_or_default()),
        }
    }
}
