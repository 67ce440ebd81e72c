//! The outbox worker: claims due rows under a token, keeps the claim alive with a heartbeat while
//! it works through them, and for each row re-checks the claim and the incident the moment before
//! sending. Only the claim's holder sends a row or settles it, so a row taken over by another
//! replica (after this worker stalled past its lease) is never sent by both; and a page whose
//! incident was acknowledged, resolved or escalated past it is cancelled, not sent.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::gate::{Gate, gate};
use super::{
    HEARTBEAT, LEASE, Lane, MAX_ATTEMPTS, Notification, Notifier, Outgoing, POLL, Recipient,
    backoff_secs,
};
use crate::config::{Config, Room};
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::notification::OutboxMethod;
use crate::store::Store;
use crate::store::outbox::{self, ClaimToken, Held, OutboxRow, Settle};

/// Delivers outbox rows until `cancel` fires.
pub async fn run_outbox_worker(ctx: Ctx, notifier: Arc<dyn Notifier>, cancel: CancellationToken) {
    run_outbox_lane(ctx, notifier, Lane::All, cancel).await
}

/// Delivers the outbox rows of one lane until `cancel` fires.
pub async fn run_outbox_lane(
    ctx: Ctx,
    notifier: Arc<dyn Notifier>,
    lane: Lane,
    cancel: CancellationToken,
) {
    let nudge = ctx.outbox_nudge();
    loop {
        let delivered = match deliver_due_in(&ctx, notifier.as_ref(), lane).await {
            Ok(n) => n,
            Err(e) => {
                error!(error = %e, "outbox worker: database error");
                0
            }
        };
        if delivered > 0 {
            continue;
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return,
            _ = nudge.notified(lane) => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Rows a worker claims at once. Webhook rows are delivered one after another and each may take
/// its subscription's whole `timeout`: a claim holds no more than can all time out within half
/// the lease.
pub fn claim_size(ctx: &Ctx, lane: Lane) -> i64 {
    if lane != Lane::Hooks {
        return 32;
    }
    let slowest = ctx
        .config()
        .webhooks
        .values()
        .map(|w| w.timeout.as_secs().max(1))
        .max()
        .unwrap_or(1);
    i64::try_from((LEASE.as_secs() / 2 / slowest).clamp(1, 32)).unwrap_or(1)
}

/// Sends in flight at once within one claim. Rows of one claim never share an incident and
/// addressee (the claim takes only the first unsettled row of each), so direct pages — a slow
/// provider's seconds each — go out side by side; room posts keep their order and the chat
/// platforms' pacing.
fn concurrency(lane: Lane) -> usize {
    match lane {
        Lane::Direct => 8,
        Lane::All | Lane::Chat | Lane::Hooks => 1,
    }
}

/// Claims and delivers one batch of due rows; returns how many were claimed.
pub async fn deliver_due(ctx: &Ctx, notifier: &dyn Notifier) -> Result<usize, sqlx::Error> {
    deliver_due_in(ctx, notifier, Lane::All).await
}

fn lease() -> chrono::Duration {
    chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::MAX)
}

/// [`deliver_due`] for one lane.
pub async fn deliver_due_in(
    ctx: &Ctx,
    notifier: &dyn Notifier,
    lane: Lane,
) -> Result<usize, sqlx::Error> {
    let store = ctx.store();
    let token = ClaimToken::new();
    let now = Timestamp::now(ctx.clock());
    let limit = claim_size(ctx, lane);
    let rows = outbox::claim(store, now, lease(), limit, lane, token).await?;
    let claimed = rows.len();
    if claimed == 0 {
        return Ok(0);
    }
    let batch = stream::iter(rows)
        .map(|row| deliver_one(ctx, notifier, token, row))
        .buffer_unordered(concurrency(lane))
        .collect::<Vec<_>>();
    // The claim's heartbeat: while sends are slow, the rows not yet settled stay ours.
    let heartbeat = async {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            let until = Timestamp::now(ctx.clock()) + lease();
            if let Err(e) = outbox::renew(store, token, until).await {
                warn!(error = %e, "outbox worker: cannot renew its claim");
            }
        }
    };
    let results = tokio::select! {
        results = batch => results,
        () = heartbeat => Vec::new(),
    };
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok(claimed)
}

/// Sends one claimed row, or settles why it will not be sent.
async fn deliver_one(
    ctx: &Ctx,
    notifier: &dyn Notifier,
    token: ClaimToken,
    row: OutboxRow,
) -> Result<(), sqlx::Error> {
    let store = ctx.store();
    let now = Timestamp::now(ctx.clock());
    let to = match address(ctx.config(), &row) {
        Ok(to) => to,
        Err(why) => return outbox::mark_failed(store, row.id, token, &why, None, now).await,
    };
    let Some(held) = recheck(store, &row, token, now).await? else {
        return Ok(());
    };
    let msg = Outgoing {
        outbox_id: row.id,
        room: to.room,
        recipient: to.recipient,
        incident: held.incident,
        notification: to.notification,
        attempt: row.attempts,
    };
    if let Gate::Cancel(reason) = gate(&msg.notification, msg.incident.as_ref(), held.esc_gen) {
        info!(outbox = row.id, %reason, "page cancelled");
        let note = crate::notify::wording::cancelled(&msg, &reason);
        let error = format!("cancelled: {reason}");
        return outbox::mark_gave_up(store, row.id, token, Settle::Cancelled, &error, note, now)
            .await;
    }
    // Settled at the time the send began (as a retry's backoff counts from the try).
    let began = Timestamp::now(ctx.clock());
    send(store, notifier, (token, &row), &msg, to.budget, began).await
}

/// What a claimed row is for, as the config stands now.
struct Addressed {
    notification: Notification,
    room: Room,
    recipient: Option<Recipient>,
    /// Tries before it is given up.
    budget: i64,
}

/// Reads what `row` is for; `Err` says why it can no longer be sent (unreadable, or its room,
/// webhook or person is no longer configured).
fn address(config: &Config, row: &OutboxRow) -> Result<Addressed, String> {
    let notification: Notification = serde_json::from_str(&row.notification)
        .map_err(|e| format!("unreadable notification: {e}"))?;
    let Some(room) = config.rooms.get(&row.room).cloned() else {
        return Err(format!("room `{}` is no longer configured", row.room));
    };
    // A webhook row names its subscription, not a person; its retry budget is the
    // subscription's own.
    let mut budget = MAX_ATTEMPTS;
    if let Notification::Webhook { subscription, .. } = &notification {
        let Some(hook) = config.webhooks.get(subscription) else {
            return Err(format!("webhook `{subscription}` is no longer configured"));
        };
        budget = i64::from(hook.max_attempts);
    }
    let recipient = match (row.method.parse::<OutboxMethod>()?, &row.recipient) {
        (OutboxMethod::Room | OutboxMethod::Hook, _) => None,
        (OutboxMethod::Person(method), Some(user)) => match config.user(user) {
            Some(u) => Some(Recipient {
                user: u.clone(),
                method,
            }),
            None => return Err(format!("user `{user}` is no longer configured")),
        },
        (OutboxMethod::Person(method), None) => return Err(format!("a {method} row names nobody")),
    };
    Ok(Addressed {
        notification,
        room,
        recipient,
        budget,
    })
}

/// The claim and the incident as they stand the moment before sending. `None`: not to be sent
/// now — the claim was lost or the row settled meanwhile, or the database could not say (then the
/// row is settled as a retry, never as "gone" nor "delivered").
async fn recheck(
    store: &Store,
    row: &OutboxRow,
    token: ClaimToken,
    now: Timestamp,
) -> Result<Option<Held>, sqlx::Error> {
    match outbox::hold(store, row.id, row.incident_id, token, now + lease()).await {
        Ok(Some(held)) => Ok(Some(held)),
        Ok(None) => {
            debug!(
                outbox = row.id,
                "claim lost or row settled meanwhile; not sending"
            );
            Ok(None)
        }
        Err(e) => {
            warn!(outbox = row.id, error = %e, "cannot re-check the row before sending; will retry");
            let retry_at = now + chrono::Duration::seconds(backoff_secs(row.attempts));
            let why = format!("database error before sending: {e}");
            outbox::mark_failed(store, row.id, token, &why, Some(retry_at), now).await?;
            Ok(None)
        }
    }
}

/// Sends `msg` and settles its row by the outcome: delivered (and later "alerts added" rows
/// folded into it), failed with a retry after a backoff while `budget` lasts, or given up.
async fn send(
    store: &Store,
    notifier: &dyn Notifier,
    (token, row): (ClaimToken, &OutboxRow),
    msg: &Outgoing,
    budget: i64,
    began: Timestamp,
) -> Result<(), sqlx::Error> {
    match notifier.deliver(msg).await {
        Ok(d) => {
            debug!(outbox = row.id, "delivered");
            let note = crate::notify::wording::delivered(msg, &d);
            outbox::mark_delivered(store, row.id, token, &d, note, began).await?;
            if let (Notification::AlertsAdded, Some(incident)) =
                (&msg.notification, row.incident_id)
            {
                outbox::coalesce(store, row.id, incident, &row.notification, began).await?;
            }
        }
        Err(e) if e.retryable && row.attempts < budget => {
            let retry_at = began + chrono::Duration::seconds(backoff_secs(row.attempts));
            warn!(outbox = row.id, attempt = row.attempts, error = %e.message, "delivery failed; will retry");
            outbox::mark_failed(store, row.id, token, &e.message, Some(retry_at), began).await?;
        }
        Err(e) => {
            error!(outbox = row.id, attempt = row.attempts, error = %e.message, "delivery failed; giving up");
            let note = match &msg.notification {
                Notification::Webhook { .. } => {
                    crate::notify::hook_wording::gave_up(msg, &e.message, e.retryable)
                }
                _ => crate::notify::wording::gave_up(msg, &e.message),
            };
            outbox::mark_gave_up(
                store,
                row.id,
                token,
                Settle::GaveUp,
                &e.message,
                note,
                began,
            )
            .await?;
        }
    }
    Ok(())
}
