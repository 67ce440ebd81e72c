//! Whether a chat platform is answering: set by every API call, read by the card driver so that
//! posts which failed during an outage go out as soon as the platform answers again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Health {
    failing: Arc<AtomicBool>,
    /// A call succeeded after failures, and nobody has acted on it yet.
    recovered: Arc<AtomicBool>,
}

impl Health {
    /// Records a call's outcome.
    pub fn record(&self, ok: bool) {
        if !ok {
            self.failing.store(true, Ordering::Relaxed);
        } else if self.failing.swap(false, Ordering::Relaxed) {
            self.recovered.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the platform came back since the last time this said so (whichever call —
    /// a post, or a reply to a command — was the first to succeed).
    pub fn take_recovered(&self) -> bool {
        self.recovered.swap(false, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::Health;

    #[test]
    fn recovery_is_reported_once_after_failures_only() {
        let h = Health::default();
        h.record(true);
        assert!(!h.take_recovered(), "never failed");
        h.record(false);
        h.record(false);
        assert!(!h.take_recovered(), "still failing");
        h.record(true);
        h.record(true);
        assert!(h.take_recovered());
        assert!(!h.take_recovered(), "told once");
    }
}
