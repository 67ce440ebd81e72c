//! The timer's escalation step: start every due level and fire every due page step, in one
//! transaction that claims them.

use super::ladder::{fire_page, start_level};
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::store::escalation::{self as rows, LadderWrites};
use crate::store::oncall::current_overrides;
use crate::store::pending::Pending;

/// Rows handled per transaction.
const BATCH: i64 = 200;

/// Starts the due levels and fires the due page steps, in one transaction: a level's first
/// steps are due the moment it starts, so they are queued in the same commit. When nothing is
/// due it returns without taking the write lock (on SQLite every write transaction, even an
/// empty one, waits its turn behind ingest and costs a commit).
pub(crate) async fn escalate_due(ctx: &Ctx) -> Result<usize, EngineError> {
    let now = Timestamp::now(ctx.clock());
    {
        let mut conn = ctx.store().conn().await?;
        if rows::next_due(&mut conn.c())
            .await?
            .is_none_or(|at| at > now)
        {
            return Ok(0);
        }
    }
    let mut tx = ctx.store().begin().await?;
    let levels = rows::claim_due_levels(&mut tx.c(), now, BATCH).await?;
    let mut p = Pending::with_hooks(ctx.hooks());
    let mut w = LadderWrites::default();
    if !levels.is_empty() {
        let overrides = current_overrides(&mut tx.c(), None, now).await?;
        for d in &levels {
            start_level(
                ctx.config(),
                &mut tx.c(),
                (&mut p, &mut w),
                d,
                &overrides,
                now,
            )
            .await?;
        }
        // The first steps of the levels just started are due now: written before the claim.
        w.write(&mut tx.c(), now).await?;
    }
    let pages = rows::claim_due_pages(&mut tx.c(), now, BATCH).await?;
    for d in &pages {
        fire_page(ctx.config(), &mut tx.c(), (&mut p, &mut w), d, now).await?;
    }
    w.write(&mut tx.c(), now).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    Ok(levels.len() + pages.len())
}
