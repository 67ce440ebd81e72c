//! Routes each notification to every chat platform that serves its room. With no Slack or Discord
//! configured, the console shows every room.

use std::sync::Arc;

use async_trait::async_trait;
use firebell_engine::notify::{Delivered, Notifier, NotifyError, Outgoing};

#[derive(Default)]
pub struct RoomRouter {
    pub console: Option<Arc<dyn Notifier>>,
}

impl RoomRouter {
    pub fn has_any(&self) -> bool {
        self.console.is_some()
    }
}

#[async_trait]
impl Notifier for RoomRouter {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        match &self.console {
            Some(console) => console.deliver(msg).await,
            None => Err(NotifyError::retryable(format!(
                "no chat platform serves room `{}` yet",
                msg.room.name
            ))),
        }
    }
}
