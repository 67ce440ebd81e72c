//! Stopping: in order, each step under a deadline, the whole within [`SHUTDOWN_GRACE`], so a
//! deploy never has to `kill -9` firebell, whatever it is waiting on.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The whole of shutdown, from the signal to the last task stopped or abandoned: under the 10 s
/// a deploy (`docker stop`, systemd's default is longer) waits before `SIGKILL`.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);
/// By when in-flight requests and mails must have finished.
const INTAKE_GRACE: Duration = Duration::from_secs(4);
/// By when the ingest writers must have committed what was accepted.
const COMMIT_GRACE: Duration = Duration::from_secs(6);

/// What is left running when shutdown starts, in the order it is stopped.
pub(crate) struct Phases {
    pub server: JoinHandle<()>,
    pub smtp: Option<JoinHandle<()>>,
    pub writers: Vec<JoinHandle<()>>,
    pub workers: Vec<JoinHandle<()>>,
}

/// Runs [`stop_in_order`] once `shutdown` fires.
pub(crate) fn stop_on(
    shutdown: CancellationToken,
    phases: Phases,
    engine_stop: CancellationToken,
    workers_stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        shutdown.cancelled().await;
        stop_in_order(phases, engine_stop, workers_stop).await;
    })
}

/// Stops in order, each step with a deadline, the whole within [`SHUTDOWN_GRACE`]: in-flight
/// requests and mails finish, the ingest writers commit what was accepted, the workers stop.
/// A step still running at its deadline (a chat platform, a provider or the database not
/// answering) is abandoned: the next step starts anyway, and at the end every task still running
/// is aborted. Nothing is lost that way: what was committed stays committed, an outbox row being
/// sent is claimed under a lease the next start outlives, and an event never committed was
/// never answered 202.
pub(crate) async fn stop_in_order(
    phases: Phases,
    engine_stop: CancellationToken,
    workers_stop: CancellationToken,
) {
    let started = tokio::time::Instant::now();
    let mut aborts: Vec<tokio::task::AbortHandle> = vec![phases.server.abort_handle()];
    aborts.extend(phases.smtp.iter().map(JoinHandle::abort_handle));
    aborts.extend(phases.writers.iter().map(JoinHandle::abort_handle));
    aborts.extend(phases.workers.iter().map(JoinHandle::abort_handle));
    let mut on_time = true;
    let intake = async {
        let _ = phases.server.await; // in-flight requests finish first
        if let Some(t) = phases.smtp {
            let _ = t.await; // and mails being committed
        }
    };
    on_time &= tokio::time::timeout_at(started + INTAKE_GRACE, intake)
        .await
        .is_ok();
    engine_stop.cancel();
    on_time &= tokio::time::timeout_at(started + COMMIT_GRACE, join_all(phases.writers))
        .await
        .is_ok(); // everything accepted is committed
    workers_stop.cancel();
    on_time &= tokio::time::timeout_at(started + SHUTDOWN_GRACE, join_all(phases.workers))
        .await
        .is_ok();
    if !on_time {
        tracing::warn!(
            grace_secs = SHUTDOWN_GRACE.as_secs(),
            "shutdown did not finish in time; abandoning what still runs to the next start"
        );
    }
    for task in aborts {
        task.abort();
    }
}

async fn join_all(tasks: Vec<JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}
