//! What firebell forgets: mail log rows older than `[email] log_retention`, and expired replay
//! ids ([`crate::replay`]). Run by the timer worker every tick, a bounded batch at a time
//! through an index, so an exposed SMTP port cannot fill the database and the cleanup never
//! scans a whole table or holds a lock for long. Replicas may run it at once: deleting a row
//! twice deletes it once.

use tracing::warn;

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::store::inbound;

/// Rows deleted per statement; the worker comes back at once while there are more.
const BATCH: i64 = 500;

/// Deletes one batch of each; returns how many rows went (errors are logged and retried on the
/// next tick).
pub(crate) async fn sweep(ctx: &Ctx) -> usize {
    let now = Timestamp::now(ctx.clock());
    let retention = chrono::Duration::from_std(ctx.config().email.log_retention)
        .unwrap_or(chrono::Duration::MAX);
    let cutoff = now - retention;
    let mut conn = match ctx.store().conn().await {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "retention: no database connection; will retry");
            return 0;
        }
    };
    let mut done = 0;
    match crate::email::log::delete_older_than(&mut conn.c(), cutoff, BATCH).await {
        Ok(n) => done += n,
        Err(e) => warn!(error = %e, "retention: could not delete old mail log rows"),
    }
    match inbound::delete_expired(&mut conn.c(), now, BATCH).await {
        Ok(n) => done += n,
        Err(e) => warn!(error = %e, "retention: could not delete expired request ids"),
    }
    usize::try_from(done).unwrap_or(usize::MAX)
}
