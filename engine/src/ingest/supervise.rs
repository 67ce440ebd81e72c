//! Ingest writers are supervised: a writer that dies (a panic, a bug) is restarted on the same
//! queue, so nothing waiting in it is lost, and while a queue has no writer `/readyz` says so and
//! a load balancer sends events elsewhere. The events of the batch it died on are answered with
//! an error, never 202: the sender retries.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use super::Job;
use crate::domain::error::EngineError;

/// Wait before the first restart, doubled after each crash up to [`LONGEST_RESTART`]: a writer
/// that dies on every batch must not spin.
const FIRST_RESTART: Duration = Duration::from_secs(1);
const LONGEST_RESTART: Duration = Duration::from_secs(30);
/// A writer that ran this long since its last crash is healthy again: the next crash waits
/// [`FIRST_RESTART`] only.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// Which queues have a running writer. Cheap to clone.
#[derive(Clone)]
pub(crate) struct WriterHealth {
    down: Arc<Vec<AtomicBool>>,
    /// Test support: the next batch any writer takes panics.
    crash_next: Arc<AtomicBool>,
}

impl WriterHealth {
    pub(crate) fn new(writers: usize) -> WriterHealth {
        WriterHealth {
            down: Arc::new((0..writers).map(|_| AtomicBool::new(false)).collect()),
            crash_next: Arc::default(),
        }
    }

    /// Numbers (from 1) of the queues without a running writer, and how many queues there are.
    pub(crate) fn not_running(&self) -> (Vec<usize>, usize) {
        let down = (self.down.iter().enumerate())
            .filter(|(_, d)| d.load(Ordering::SeqCst))
            .map(|(i, _)| i + 1)
            .collect();
        (down, self.down.len())
    }

    fn set_down(&self, writer: usize, down: bool) {
        self.down[writer].store(down, Ordering::SeqCst);
    }

    pub(crate) fn crash_next_batch(&self) {
        self.crash_next.store(true, Ordering::SeqCst);
    }

    /// Panics if a test asked for it: where a bug in a writer would.
    pub(super) fn crash_if_asked(&self) {
        if self.crash_next.swap(false, Ordering::SeqCst) {
            panic!("ingest writer crashed on purpose (test support)");
        }
    }
}

/// What a writer works on, kept by its supervisor across restarts: the queue, and the batch
/// being committed (so a crash can answer those events instead of dropping them silently).
pub(super) struct Slot {
    pub rx: mpsc::Receiver<Job>,
    pub batch: Vec<Job>,
}

/// Runs writer number `index` (from 0) over `slot` until it returns (its queue closed and
/// drained), restarting it after every crash. Once `cancel` fires a crashed writer is restarted
/// at once, so what was accepted is still committed before shutdown.
pub(super) async fn supervise<W>(
    index: usize,
    mut slot: Slot,
    health: WriterHealth,
    cancel: CancellationToken,
    writer: W,
) where
    W: for<'a> Fn(&'a mut Slot) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
{
    let mut wait = FIRST_RESTART;
    loop {
        let started = tokio::time::Instant::now();
        health.set_down(index, false);
        // The panic is returned instead of unwinding into the task: the supervisor outlives its
        // writer in the same task, so shutdown (which aborts tasks) still reaches both.
        let crashed = match AssertUnwindSafe(writer(&mut slot)).catch_unwind().await {
            Ok(()) => return,
            Err(panic) => panic,
        };
        // Not ready before anyone hears about the lost batch.
        health.set_down(index, true);
        if started.elapsed() >= HEALTHY_AFTER {
            wait = FIRST_RESTART;
        }
        error!(
            writer = index + 1,
            panic = panic_message(crashed.as_ref()),
            failed_events = slot.batch.len(),
            restart_in_secs = wait.as_secs(),
            "ingest writer crashed; restarting it"
        );
        for job in slot.batch.drain(..) {
            let _ = job.reply.send(Err(EngineError::Unavailable));
        }
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(LONGEST_RESTART);
        info!(writer = index + 1, "ingest writer restarted");
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
