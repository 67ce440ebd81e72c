//! The facade's chat verbs: which message shows which incident, storm bundles, chat retries.

use super::Engine;
use crate::chat::{ChatBundle, ChatCard};
use crate::domain::error::EngineError;
use crate::domain::ids::{IncidentNumber, UserId};
use crate::domain::incident::Incident;
use crate::domain::kinds::ChatPlatform;

impl Engine {
    pub async fn chat_card(
        &self,
        platform: ChatPlatform,
        n: IncidentNumber,
    ) -> Result<Option<ChatCard>, EngineError> {
        crate::chat::chat_card(&self.ctx, platform, n).await
    }

    /// The incidents a message (a card, or the parent of a thread) shows: one for a card, several
    /// for a storm summary, none when the message is not ours. A reply in a card's thread acts on
    /// its incident; in a summary's thread, `all` means the summary's incidents.
    pub async fn chat_incidents_at(
        &self,
        platform: ChatPlatform,
        channel: &str,
        message_id: &str,
    ) -> Result<Vec<IncidentNumber>, EngineError> {
        crate::chat::chat_incidents_at(&self.ctx, platform, channel, message_id).await
    }

    /// Where a message (a card or storm summary, or on Discord the thread started on one) was
    /// posted, and the incidents it shows (one for a card, several for a storm summary).
    pub async fn chat_thread(
        &self,
        platform: ChatPlatform,
        message_id: &str,
    ) -> Result<Option<(String, Vec<IncidentNumber>)>, EngineError> {
        crate::chat::chat_thread(&self.ctx, platform, message_id).await
    }

    /// Remembers the message showing `card.incident`. `false` when one was already recorded (by
    /// another replica racing this one): the caller should remove its duplicate.
    pub async fn record_chat_card(
        &self,
        platform: ChatPlatform,
        card: &ChatCard,
    ) -> Result<bool, EngineError> {
        crate::chat::record_chat_card(&self.ctx, platform, card).await
    }

    /// The incident's card was deleted in the chat and posted again as `message_id`.
    pub async fn move_chat_card(
        &self,
        platform: ChatPlatform,
        n: IncidentNumber,
        message_id: &str,
    ) -> Result<(), EngineError> {
        crate::chat::move_chat_card(&self.ctx, platform, n, message_id).await
    }

    pub async fn set_chat_rendered(
        &self,
        platform: ChatPlatform,
        n: IncidentNumber,
        rendered: &str,
    ) -> Result<(), EngineError> {
        crate::chat::set_chat_rendered(&self.ctx, platform, n, rendered).await
    }

    /// How many incidents got a card of their own in `channel` within the last `window`.
    pub async fn recent_chat_cards(
        &self,
        platform: ChatPlatform,
        channel: &str,
        window: chrono::Duration,
    ) -> Result<i64, EngineError> {
        crate::chat::recent_chat_cards(&self.ctx, platform, channel, window).await
    }

    /// The storm summary in `channel` still taking incidents: one took an incident within
    /// `window`.
    pub async fn open_chat_bundle(
        &self,
        platform: ChatPlatform,
        channel: &str,
        window: chrono::Duration,
    ) -> Result<Option<ChatBundle>, EngineError> {
        crate::chat::open_chat_bundle(&self.ctx, platform, channel, window).await
    }

    /// A new storm summary for `channel`, not yet posted.
    pub async fn new_chat_bundle(
        &self,
        platform: ChatPlatform,
        channel: &str,
    ) -> Result<ChatBundle, EngineError> {
        crate::chat::new_chat_bundle(&self.ctx, platform, channel).await
    }

    pub async fn chat_bundle(&self, id: i64) -> Result<Option<ChatBundle>, EngineError> {
        crate::chat::chat_bundle(&self.ctx, id).await
    }

    /// Saves a summary's message id, last activity, last content and mentions.
    pub async fn save_chat_bundle(&self, b: &ChatBundle) -> Result<(), EngineError> {
        crate::chat::save_chat_bundle(&self.ctx, b).await
    }

    /// The incidents a storm summary shows, oldest first.
    pub async fn chat_bundle_incidents(&self, bundle: i64) -> Result<Vec<Incident>, EngineError> {
        crate::chat::chat_bundle_incidents(&self.ctx, bundle).await
    }

    /// Makes every chat post still waiting out a retry due now, and wakes the chat worker: called
    /// when a chat platform is reachable again after failures, so a backlog from an outage goes
    /// out at once instead of after its backoff (up to five minutes).
    pub async fn retry_chat_now(&self) -> Result<u64, EngineError> {
        crate::chat::retry_chat_now(&self.ctx).await
    }

    /// Whether `platform` already took outbox row `outbox_id` (a room served by several chat
    /// platforms is delivered to each once, even when another one fails and the row retries).
    pub async fn outbox_part_done(
        &self,
        outbox_id: i64,
        platform: ChatPlatform,
    ) -> Result<bool, EngineError> {
        crate::chat::outbox_part_done(&self.ctx, outbox_id, platform).await
    }

    /// Records that `platform` took outbox row `outbox_id`.
    pub async fn mark_outbox_part(
        &self,
        outbox_id: i64,
        platform: ChatPlatform,
    ) -> Result<(), EngineError> {
        crate::chat::mark_outbox_part(&self.ctx, outbox_id, platform).await
    }

    /// Who has been paged for an incident so far, in the order first paged (for the card's
    /// "Paged" field).
    pub async fn paged_users(&self, n: IncidentNumber) -> Result<Vec<UserId>, EngineError> {
        crate::chat::paged_users(&self.ctx, n).await
    }
}
