//! Sweeps the timer worker runs every tick, each a guarded update so replicas never do one
//! twice: ack timeouts (re-trigger), auto-resolve, schedule handoffs, maintenance notices.

use chrono::Duration;

use super::ladder::{system, urgency_of};
use crate::config::{Config, Service};
use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::duration::HumanDuration;
use crate::domain::error::EngineError;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::{IncidentStatus, Severity, Urgency};
use crate::domain::notification::{MaintenancePhase, Notification};
use crate::domain::schedule::on_call_at;
use crate::maintenance::{announce, warning_ahead};
use crate::oncall::as_overrides;
use crate::store::pending::Pending;
use crate::store::{C, escalation as esc, incidents, maintenance, oncall, sql};

pub(crate) async fn run(ctx: &Ctx) -> Result<usize, EngineError> {
    let config = ctx.config();
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    let p = Pending::with_hooks(ctx.hooks());
    let c = tx.c();
    let mut sweep = Sweep { config, c, p, now };
    let mut done = sweep.ack_timeouts().await?;
    done += sweep.auto_resolve().await?;
    done += sweep.handoffs().await?;
    done += sweep.maintenance_notices().await?;
    sweep.p.flush(&mut sweep.c).await?;
    tx.commit().await?;
    Ok(done)
}

/// What every sweep of one tick shares: the config, the transaction they all write in, the rows
/// they leave for its end, and the time of the tick.
struct Sweep<'a> {
    config: &'a Config,
    c: C<'a>,
    p: Pending,
    now: Timestamp,
}

/// Each service that sets `setting`, with its value.
fn services_with<T>(
    config: &Config,
    setting: impl Fn(&Service) -> Option<T>,
) -> impl Iterator<Item = (&Service, T)> {
    config
        .services
        .values()
        .filter_map(move |s| setting(s).map(|v| (s, v)))
}

type AckedRow = (i64, Severity, Timestamp, Option<Timestamp>, Option<String>);

impl Sweep<'_> {
    /// High-urgency incidents acknowledged longer ago than their service's ack timeout go back
    /// to triggered, and their ladder starts again from the first level.
    async fn ack_timeouts(&mut self) -> Result<usize, sqlx::Error> {
        let mut done = 0;
        for (service, timeout) in services_with(self.config, |s| s.ack_timeout) {
            let cutoff = self.now - timeout;
            // Page through every candidate: low-urgency incidents are skipped but stay
            // acknowledged and past the timeout, and a single page of them would hide a
            // high-urgency one behind.
            let mut after = (Timestamp::MIN, i64::MIN);
            loop {
                let rows: Vec<AckedRow> = sql!(all AckedRow, self.c.reborrow(), esc::ACK_TIMEOUTS,
                    service.name.as_str(), cutoff, after.0, after.1)?;
                let more = rows.len() == esc::ACK_TIMEOUTS_PAGE;
                for row in rows {
                    after = (row.3.unwrap_or(cutoff), row.0);
                    done += self.retrigger(service, timeout, row).await?;
                }
                if !more {
                    break;
                }
            }
        }
        Ok(done)
    }

    /// Re-triggers one acknowledged incident past its service's ack timeout, unless it is low
    /// urgency or a batch holds it right now (the next sweep tries again); 1 when it did.
    async fn retrigger(
        &mut self,
        service: &Service,
        timeout: Duration,
        (id, severity, created_at, acked_at, acked_by): AckedRow,
    ) -> Result<usize, sqlx::Error> {
        let (c, p, now) = (&mut self.c, &mut self.p, self.now);
        if urgency_of(service, severity, created_at).0 == Urgency::Low {
            return Ok(0);
        }
        // The lock a batch holds between reading an incident and writing it: without it, a
        // repeated alert that read "acknowledged" would write it back over the re-trigger.
        if !incidents::try_lock_incident_key(c, IncidentNumber::from_db(id)).await? {
            return Ok(0);
        }
        let n = sql!(execute c.reborrow(),
            "UPDATE incidents SET status = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, \
             acknowledged_via = NULL, esc_gen = esc_gen + 1, esc_level = 0, esc_loop = 0, esc_next_at = $1 \
             WHERE id = $2 AND status = 'acknowledged' AND acknowledged_at = $3",
            now, id, acked_at)?;
        if n != 1 {
            return Ok(0);
        }
        let ago = (now - acked_at.unwrap_or(now)).num_minutes();
        let reason = format!(
            "acknowledged by {} {} ago and still not resolved (ack timeout {})",
            acked_by.as_deref().unwrap_or("someone"),
            HumanDuration::from_minutes(ago),
            HumanDuration::from_minutes(timeout.num_minutes())
        );
        p.timeline(
            id,
            now,
            TimelineKind::Retriggered,
            &system(),
            format!("Re-triggered: {reason}"),
        );
        p.outbox(
            &service.room,
            Some(id),
            &Notification::Retriggered { reason },
            now,
        )?;
        Ok(1)
    }

    /// Open incidents with no new alert for their service's auto-resolve time resolve
    /// themselves.
    async fn auto_resolve(&mut self) -> Result<usize, sqlx::Error> {
        let (c, p, now) = (&mut self.c, &mut self.p, self.now);
        let mut done = 0;
        for (service, after) in services_with(self.config, |s| s.auto_resolve) {
            let ids: Vec<(i64,)> = sql!(
                all(i64,),
                c.reborrow(),
                esc::AUTO_RESOLVE,
                service.name.as_str(),
                now - after
            )?;
            let note = format!(
                "auto-resolved: no new alert for {}",
                HumanDuration::from_minutes(after.num_minutes())
            );
            let by = system();
            let mut resolved = Vec::new();
            for (id,) in ids {
                // The same guarded resolve, timeline entry and room post as a person's `!resolve`.
                let n = IncidentNumber::from_db(id);
                // Busy (a batch is writing it): the next tick resolves it.
                if !incidents::try_lock_incident_key(c, n).await? {
                    continue;
                }
                if incidents::resolve(c, p, n, &by, Some(&note), &service.room, now)
                    .await?
                    .is_some()
                {
                    resolved.push((id, service.room.as_str(), IncidentStatus::Resolved, &by));
                }
            }
            esc::notify_paged(c, p, &resolved, now).await?;
            done += resolved.len();
        }
        Ok(done)
    }

    /// Announces each schedule's handoff once: who comes on, who goes off, and the open
    /// incidents of the services it pages.
    async fn handoffs(&mut self) -> Result<usize, sqlx::Error> {
        let (config, c, p, now) = (self.config, &mut self.c, &mut self.p, self.now);
        if config.schedules.is_empty() {
            return Ok(0);
        }
        let overrides = oncall::current_overrides(c, None, now).await?;
        let mut done = 0;
        for (name, schedule) in &config.schedules {
            let current = on_call_at(schedule, &as_overrides(&overrides, name), now.datetime());
            let current = current.as_ref().map(|u| u.as_str());
            match oncall::announced(c, name).await? {
                None => {
                    oncall::first_look(c, name, current, now).await?;
                }
                Some(before) if before.as_deref() != current => {
                    if !oncall::hand_off(c, name, before.as_deref(), current, now).await? {
                        continue;
                    }
                    let services: Vec<String> = config
                        .services_paging(name)
                        .iter()
                        .map(|s| s.name.as_str().to_owned())
                        .collect();
                    let open = open_incidents(c, &services).await?;
                    let n = Notification::Handoff {
                        schedule: name.clone(),
                        from: before,
                        to: current.map(str::to_owned),
                        open_incidents: open,
                    };
                    for room in config.schedule_rooms(name) {
                        p.outbox(&room, None, &n, now)?;
                    }
                    done += 1;
                }
                Some(_) => {}
            }
        }
        Ok(done)
    }

    /// "Ends in 10 minutes" and "ended, N alerts suppressed", each once per window.
    async fn maintenance_notices(&mut self) -> Result<usize, sqlx::Error> {
        let (config, c, p, now) = (self.config, &mut self.c, &mut self.p, self.now);
        let warned = maintenance::claim_warnings(c, now, warning_ahead()).await?;
        for w in &warned {
            announce(p, config, w, MaintenancePhase::EndingSoon, now)?;
        }
        let closed = maintenance::claim_closings(c, now).await?;
        for w in &closed {
            announce(p, config, w, MaintenancePhase::Ended, now)?;
        }
        Ok(warned.len() + closed.len())
    }
}

async fn open_incidents(c: &mut C<'_>, services: &[String]) -> Result<Vec<i64>, sqlx::Error> {
    let mut out = Vec::new();
    for s in services {
        let ids: Vec<(i64,)> = sql!(
            all(i64,),
            c.reborrow(),
            "SELECT id FROM incidents WHERE service = $1 AND status <> 'resolved' ORDER BY id LIMIT 50",
            s.as_str()
        )?;
        out.extend(ids.into_iter().map(|r| r.0));
    }
    out.sort_unstable();
    Ok(out)
}
