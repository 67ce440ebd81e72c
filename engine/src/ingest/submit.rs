//! Handing events to the writers: each goes to its key's queue and its caller waits for the
//! commit that applies it.

use tokio::sync::oneshot;

use super::{Job, Queues};
use crate::config::Config;
use crate::domain::alert::{Ingested, NewAlert};
use crate::domain::error::EngineError;
use crate::domain::ids::ServiceName;

/// The room a service's incidents are told in; an unknown service is the sender's mistake.
pub(crate) fn room_of(config: &Config, service: &ServiceName) -> Result<String, EngineError> {
    config
        .services
        .get(service)
        .map(|s| s.room.clone())
        .ok_or_else(|| EngineError::user(format!("unknown service `{service}`")))
}

impl Queues {
    /// Applies several events in order, queued together so they share one commit where possible;
    /// each answer comes only after its event is committed.
    pub(crate) async fn submit(
        &self,
        config: &Config,
        alerts: Vec<NewAlert>,
    ) -> Vec<Result<Ingested, EngineError>> {
        let mut waiting = Vec::with_capacity(alerts.len());
        for mut alert in alerts {
            let queued = match room_of(config, &alert.service) {
                Ok(room) => {
                    let (reply, rx) = oneshot::channel();
                    let key = alert.ensure_dedup_key();
                    let queue = self.for_key(alert.service.as_str(), key.as_str());
                    match queue.send(Job { alert, room, reply }).await {
                        Ok(()) => Ok(rx),
                        Err(_) => Err(EngineError::Unavailable),
                    }
                }
                Err(e) => Err(e),
            };
            waiting.push(queued);
        }
        let mut out = Vec::with_capacity(waiting.len());
        for w in waiting {
            out.push(match w {
                Ok(rx) => rx.await.unwrap_or(Err(EngineError::Unavailable)),
                Err(e) => Err(e),
            });
        }
        out
    }
}
