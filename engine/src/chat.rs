//! What chat adapters remember about their own messages: the card (or storm summary) that shows
//! each incident on each platform. Kept in the database, so a restart or another replica edits
//! the same message instead of posting a new one, and a reply in a card's thread finds its
//! incident. The platform adapters decide what to post; this is only their memory.

use chrono::{DateTime, Utc};

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::ids::{IncidentNumber, UserId};
use crate::domain::incident::Incident;
use crate::domain::kinds::ChatPlatform;
use crate::store::chat as rows;

/// The message showing one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatCard {
    pub incident: IncidentNumber,
    pub channel: String,
    /// Slack `ts` or Discord message id: the incident's own card, or the summary it is in.
    pub message_id: String,
    /// Set when the incident is shown in a storm summary rather than a card of its own.
    pub bundle: Option<i64>,
    /// A hash of the content last sent (see [`Engine::set_chat_rendered`](crate::Engine::set_chat_rendered)).
    pub rendered: Option<String>,
}

/// A storm summary: one message standing for many incidents opened close together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatBundle {
    pub id: i64,
    pub channel: String,
    /// `None` until posted.
    pub message_id: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub rendered: Option<String>,
    /// Users already mentioned in the summary's thread: a storm pages a person once there.
    pub mentioned: Vec<String>,
}

impl From<rows::CardRow> for ChatCard {
    fn from(r: rows::CardRow) -> Self {
        ChatCard {
            incident: IncidentNumber::from_db(r.incident_id),
            channel: r.channel,
            message_id: r.message_id,
            bundle: r.bundle_id,
            rendered: r.rendered,
        }
    }
}

impl From<rows::BundleRow> for ChatBundle {
    fn from(r: rows::BundleRow) -> Self {
        ChatBundle {
            id: r.id,
            channel: r.channel,
            message_id: r.message_id,
            opened_at: r.opened_at.datetime(),
            last_at: r.last_at.datetime(),
            rendered: r.rendered,
            mentioned: r.mentioned.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

pub async fn chat_card(
    ctx: &Ctx,
    platform: ChatPlatform,
    n: IncidentNumber,
) -> Result<Option<ChatCard>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::card(&mut conn.c(), platform.as_str(), n.get())
        .await?
        .map(ChatCard::from))
}

/// The incidents a message (a card, or the parent of a thread) shows: one for a card, several
/// for a storm summary, none when the message is not ours. A reply in a card's thread acts on
/// its incident; in a summary's thread, `all` means the summary's incidents.
pub async fn chat_incidents_at(
    ctx: &Ctx,
    platform: ChatPlatform,
    channel: &str,
    message_id: &str,
) -> Result<Vec<IncidentNumber>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let rows = rows::at_message(&mut conn.c(), platform.as_str(), channel, message_id).await?;
    Ok(rows
        .iter()
        .map(|r| IncidentNumber::from_db(r.incident_id))
        .collect())
}

/// Where a message (a card or storm summary, or on Discord the thread started on one) was
/// posted, and the incidents it shows (one for a card, several for a storm summary).
pub async fn chat_thread(
    ctx: &Ctx,
    platform: ChatPlatform,
    message_id: &str,
) -> Result<Option<(String, Vec<IncidentNumber>)>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    let rows = rows::by_message(&mut conn.c(), platform.as_str(), message_id).await?;
    Ok(rows.first().map(|first| {
        let shown = rows
            .iter()
            .map(|r| IncidentNumber::from_db(r.incident_id))
            .collect();
        (first.channel.clone(), shown)
    }))
}

/// Remembers the message showing `card.incident`. `false` when one was already recorded (by
/// another replica racing this one): the caller should remove its duplicate.
pub async fn record_chat_card(
    ctx: &Ctx,
    platform: ChatPlatform,
    card: &ChatCard,
) -> Result<bool, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let row = rows::CardRow {
        incident_id: card.incident.get(),
        channel: card.channel.clone(),
        message_id: card.message_id.clone(),
        bundle_id: card.bundle,
        rendered: card.rendered.clone(),
    };
    let mut tx = ctx.store().begin().await?;
    let inserted = rows::insert_card(&mut tx.c(), platform.as_str(), &row, now).await?;
    tx.commit().await?;
    Ok(inserted)
}

/// The incident's card was deleted in the chat and posted again as `message_id`.
pub async fn move_chat_card(
    ctx: &Ctx,
    platform: ChatPlatform,
    n: IncidentNumber,
    message_id: &str,
) -> Result<(), EngineError> {
    let mut tx = ctx.store().begin().await?;
    rows::set_card_message(&mut tx.c(), platform.as_str(), n.get(), message_id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_chat_rendered(
    ctx: &Ctx,
    platform: ChatPlatform,
    n: IncidentNumber,
    rendered: &str,
) -> Result<(), EngineError> {
    let mut tx = ctx.store().begin().await?;
    rows::set_card_rendered(&mut tx.c(), platform.as_str(), n.get(), rendered).await?;
    tx.commit().await?;
    Ok(())
}

/// How many incidents got a card of their own in `channel` within the last `window`.
pub async fn recent_chat_cards(
    ctx: &Ctx,
    platform: ChatPlatform,
    channel: &str,
    window: chrono::Duration,
) -> Result<i64, EngineError> {
    let since = Timestamp::now(ctx.clock()) - window;
    let mut conn = ctx.store().conn().await?;
    Ok(rows::recent_cards(&mut conn.c(), platform.as_str(), channel, since).await?)
}

/// The storm summary in `channel` still taking incidents: one took an incident within
/// `window`.
pub async fn open_chat_bundle(
    ctx: &Ctx,
    platform: ChatPlatform,
    channel: &str,
    window: chrono::Duration,
) -> Result<Option<ChatBundle>, EngineError> {
    let since = Timestamp::now(ctx.clock()) - window;
    let mut conn = ctx.store().conn().await?;
    Ok(
        rows::open_bundle(&mut conn.c(), platform.as_str(), channel, since)
            .await?
            .map(ChatBundle::from),
    )
}

/// A new storm summary for `channel`, not yet posted.
pub async fn new_chat_bundle(
    ctx: &Ctx,
    platform: ChatPlatform,
    channel: &str,
) -> Result<ChatBundle, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    let row = rows::insert_bundle(&mut tx.c(), platform.as_str(), channel, now).await?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn chat_bundle(ctx: &Ctx, id: i64) -> Result<Option<ChatBundle>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::bundle(&mut conn.c(), id).await?.map(ChatBundle::from))
}

/// Saves a summary's message id, last activity, last content and mentions.
pub async fn save_chat_bundle(ctx: &Ctx, b: &ChatBundle) -> Result<(), EngineError> {
    let row = rows::BundleRow {
        id: b.id,
        channel: b.channel.clone(),
        message_id: b.message_id.clone(),
        opened_at: Timestamp::from(b.opened_at),
        last_at: Timestamp::from(b.last_at),
        rendered: b.rendered.clone(),
        mentioned: b.mentioned.join(" "),
    };
    let mut tx = ctx.store().begin().await?;
    rows::update_bundle(&mut tx.c(), &row).await?;
    tx.commit().await?;
    Ok(())
}

/// The incidents a storm summary shows, oldest first.
pub async fn chat_bundle_incidents(ctx: &Ctx, bundle: i64) -> Result<Vec<Incident>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::bundle_incidents(&mut conn.c(), bundle).await?)
}

/// Makes every chat post still waiting out a retry due now, and wakes the chat worker: called
/// when a chat platform is reachable again after failures, so a backlog from an outage goes
/// out at once instead of after its backoff (up to five minutes).
pub async fn retry_chat_now(ctx: &Ctx) -> Result<u64, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let n = crate::store::outbox::hurry_chat(ctx.store(), now).await?;
    if n > 0 {
        ctx.outbox_nudge().notify_one();
    }
    Ok(n)
}

/// Whether `platform` already took outbox row `outbox_id` (a room served by several chat
/// platforms is delivered to each once, even when another one fails and the row retries).
pub async fn outbox_part_done(
    ctx: &Ctx,
    outbox_id: i64,
    platform: ChatPlatform,
) -> Result<bool, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::part_done(&mut conn.c(), outbox_id, platform.as_str()).await?)
}

/// Records that `platform` took outbox row `outbox_id`.
pub async fn mark_outbox_part(
    ctx: &Ctx,
    outbox_id: i64,
    platform: ChatPlatform,
) -> Result<(), EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    rows::mark_part(&mut tx.c(), outbox_id, platform.as_str(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Who has been paged for an incident so far, in the order first paged (for the card's
/// "Paged" field).
pub async fn paged_users(ctx: &Ctx, n: IncidentNumber) -> Result<Vec<UserId>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::paged_users(&mut conn.c(), n.get())
        .await?
        .into_iter()
        .map(UserId::new)
        .collect())
}
