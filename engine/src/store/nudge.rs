//! Wakes the outbox workers after a commit that queued rows. Lives beside the store because a
//! nudge belongs to a commit: whoever commits outbox rows nudges, whoever delivers waits.

use crate::domain::notification::Lane;

/// Wakes the outbox workers after a commit that queued rows: every lane's worker, each with its
/// own permit, so a nudge is never taken by the wrong worker.
#[derive(Debug, Default)]
pub struct OutboxNudge {
    chat: tokio::sync::Notify,
    direct: tokio::sync::Notify,
    hooks: tokio::sync::Notify,
    /// Set when a transaction wrote webhook rows. The webhook workers are woken only then (or by
    /// their poll): waking them after every commit would add a claim — a write transaction —
    /// to every ingest batch of an alert storm that causes no webhook at all.
    hooks_queued: std::sync::atomic::AtomicBool,
}

impl OutboxNudge {
    pub fn notify_one(&self) {
        self.chat.notify_one();
        self.direct.notify_one();
        if self
            .hooks_queued
            .swap(false, std::sync::atomic::Ordering::AcqRel)
        {
            self.hooks.notify_one();
        }
    }

    /// Webhook rows are being written: the next [`notify_one`](Self::notify_one), after the
    /// commit, wakes a webhook worker too.
    pub(crate) fn hooks_queued(&self) {
        self.hooks_queued
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Waits for the next nudge meant for `lane`'s worker.
    pub async fn notified(&self, lane: Lane) {
        match lane {
            Lane::Chat => self.chat.notified().await,
            Lane::Hooks => self.hooks.notified().await,
            Lane::Direct | Lane::All => self.direct.notified().await,
        }
    }
}
