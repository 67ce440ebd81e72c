//! Chat messages as rows: which message shows each incident on each platform (its own card, or a
//! storm summary), so updates edit in place and a thread reply finds its incident.

use super::rows::{INCIDENT_COLUMNS, IncidentRow};
use super::{C, sql};
use crate::domain::clock::Timestamp;
use crate::domain::incident::Incident;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct CardRow {
    pub incident_id: i64,
    pub channel: String,
    pub message_id: String,
    pub bundle_id: Option<i64>,
    pub rendered: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct BundleRow {
    pub id: i64,
    pub channel: String,
    pub message_id: Option<String>,
    pub opened_at: Timestamp,
    pub last_at: Timestamp,
    pub rendered: Option<String>,
    pub mentioned: String,
}

const CARD: &str = "incident_id, channel, message_id, bundle_id, rendered";
const BUNDLE: &str = "id, channel, message_id, opened_at, last_at, rendered, mentioned";

pub(crate) async fn card(
    c: &mut C<'_>,
    platform: &str,
    incident: i64,
) -> Result<Option<CardRow>, sqlx::Error> {
    let q = format!("SELECT {CARD} FROM chat_cards WHERE platform = $1 AND incident_id = $2");
    sql!(optional CardRow, c.reborrow(), sqlx::AssertSqlSafe(q), platform, incident)
}

/// Every incident shown by the message `message_id` in `channel` (one for a card, many for a
/// storm summary).
pub(crate) async fn at_message(
    c: &mut C<'_>,
    platform: &str,
    channel: &str,
    message_id: &str,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let q = format!(
        "SELECT {CARD} FROM chat_cards WHERE platform = $1 AND channel = $2 AND message_id = $3 ORDER BY incident_id"
    );
    sql!(all CardRow, c.reborrow(), sqlx::AssertSqlSafe(q), platform, channel, message_id)
}

/// Every incident shown by the message `message_id` in any channel (ids unique per platform,
/// as Discord's snowflakes are: a thread's id is its card's).
pub(crate) async fn by_message(
    c: &mut C<'_>,
    platform: &str,
    message_id: &str,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let q = format!(
        "SELECT {CARD} FROM chat_cards WHERE platform = $1 AND message_id = $2 ORDER BY incident_id"
    );
    sql!(all CardRow, c.reborrow(), sqlx::AssertSqlSafe(q), platform, message_id)
}

/// Records the message showing an incident; `false` when another worker recorded one first.
pub(crate) async fn insert_card(
    c: &mut C<'_>,
    platform: &str,
    row: &CardRow,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO chat_cards (platform, incident_id, channel, message_id, bundle_id, rendered, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (platform, incident_id) DO NOTHING",
        platform, row.incident_id, &row.channel, &row.message_id, row.bundle_id, row.rendered.as_deref(), now)?;
    Ok(n == 1)
}

/// Points an incident at a new message (its card was deleted in the chat and posted again).
pub(crate) async fn set_card_message(
    c: &mut C<'_>,
    platform: &str,
    incident: i64,
    message_id: &str,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE chat_cards SET message_id = $1, rendered = NULL WHERE platform = $2 AND incident_id = $3",
        message_id, platform, incident)?;
    Ok(())
}

pub(crate) async fn set_card_rendered(
    c: &mut C<'_>,
    platform: &str,
    incident: i64,
    rendered: &str,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE chat_cards SET rendered = $1 WHERE platform = $2 AND incident_id = $3",
        rendered, platform, incident)?;
    Ok(())
}

/// Cards of their own (not bundled) posted in `channel` since `since`.
pub(crate) async fn recent_cards(
    c: &mut C<'_>,
    platform: &str,
    channel: &str,
    since: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (n,) = sql!(
        one(i64,),
        c.reborrow(),
        "SELECT COUNT(*) FROM chat_cards WHERE platform = $1 AND channel = $2 AND created_at > $3 AND bundle_id IS NULL",
        platform,
        channel,
        since
    )?;
    Ok(n)
}

/// The newest storm summary in `channel` that took an incident since `since`.
pub(crate) async fn open_bundle(
    c: &mut C<'_>,
    platform: &str,
    channel: &str,
    since: Timestamp,
) -> Result<Option<BundleRow>, sqlx::Error> {
    let q = format!(
        "SELECT {BUNDLE} FROM chat_bundles WHERE platform = $1 AND channel = $2 AND last_at > $3 ORDER BY id DESC LIMIT 1"
    );
    sql!(optional BundleRow, c.reborrow(), sqlx::AssertSqlSafe(q), platform, channel, since)
}

pub(crate) async fn bundle(c: &mut C<'_>, id: i64) -> Result<Option<BundleRow>, sqlx::Error> {
    let q = format!("SELECT {BUNDLE} FROM chat_bundles WHERE id = $1");
    sql!(optional BundleRow, c.reborrow(), sqlx::AssertSqlSafe(q), id)
}

pub(crate) async fn insert_bundle(
    c: &mut C<'_>,
    platform: &str,
    channel: &str,
    now: Timestamp,
) -> Result<BundleRow, sqlx::Error> {
    let q = format!(
        "INSERT INTO chat_bundles (platform, channel, opened_at, last_at) VALUES ($1, $2, $3, $3) RETURNING {BUNDLE}"
    );
    sql!(one BundleRow, c.reborrow(), sqlx::AssertSqlSafe(q), platform, channel, now)
}

/// Saves what a summary now is: its message id once posted, when it last took an incident, what
/// was last sent, who was mentioned in its thread.
pub(crate) async fn update_bundle(c: &mut C<'_>, b: &BundleRow) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE chat_bundles SET message_id = $1, last_at = $2, rendered = $3, mentioned = $4 WHERE id = $5",
        b.message_id.as_deref(), b.last_at, b.rendered.as_deref(), &b.mentioned, b.id)?;
    Ok(())
}

/// The incidents a summary shows, oldest first.
pub(crate) async fn bundle_incidents(
    c: &mut C<'_>,
    bundle: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let q = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id IN (SELECT incident_id FROM chat_cards WHERE bundle_id = $1) ORDER BY id"
    );
    let rows = sql!(all IncidentRow, c.reborrow(), sqlx::AssertSqlSafe(q), bundle)?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// The people paged for an incident so far (any method, fired), in the order first paged.
pub(crate) async fn paged_users(c: &mut C<'_>, incident: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows = sql!(
        all(String, i64),
        c.reborrow(),
        "SELECT user_id, MIN(fired_at) AS first FROM pages WHERE incident_id = $1 AND fired_at IS NOT NULL \
         AND outcome = 'queued' GROUP BY user_id ORDER BY first, user_id",
        incident
    )?;
    Ok(rows.into_iter().map(|(u, _)| u).collect())
}

/// Whether platform `platform` already took outbox row `outbox_id`.
pub(crate) async fn part_done(
    c: &mut C<'_>,
    outbox_id: i64,
    platform: &str,
) -> Result<bool, sqlx::Error> {
    let (n,) = sql!(
        one(i64,),
        c.reborrow(),
        "SELECT COUNT(*) FROM outbox_parts WHERE outbox_id = $1 AND platform = $2",
        outbox_id,
        platform
    )?;
    Ok(n > 0)
}

pub(crate) async fn mark_part(
    c: &mut C<'_>,
    outbox_id: i64,
    platform: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "INSERT INTO outbox_parts (outbox_id, platform, delivered_at) VALUES ($1, $2, $3) \
         ON CONFLICT (outbox_id, platform) DO NOTHING",
        outbox_id, platform, now)?;
    Ok(())
}
