//! The engine's paging API: `!escalate`, and what telephony adapters report back (which incident
//! a reply is about, how a message fared).

use serde::Serialize;

use crate::ctx::Ctx;
use crate::domain::clock::Timestamp;
use crate::domain::error::EngineError;
use crate::domain::escalation::{Position, Standing};
use crate::domain::ids::{IncidentNumber, UserId};
use crate::domain::incident::{Incident, TimelineKind};
use crate::domain::kinds::{Actor, ContactMethod, IncidentStatus};
use crate::domain::notification::Notification;
use crate::notify::gate::{Gate, gate};
use crate::notify::wording::{by_method, channel_of};
use crate::store::C;
use crate::store::escalation::{self as rows, SentRow};
use crate::store::pending::Pending;
use crate::store::queries;

/// Where a page SMS that its provider reports failed goes next, as the telephony adapter decides
/// (it knows the providers; the engine only knows rows): once more, marked as a failover from
/// `from`, through `via`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resend<'a> {
    /// The provider whose failure this covers (a row it did not carry is not resent).
    pub from: &'a str,
    /// The provider the resend goes through, as the timeline names it.
    pub via: &'a str,
}

/// What a provider's status callback says about a message or call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum PageStatus {
    Delivered,
    /// The provider gave up on it (carrier rejected, unreachable); the detail says why.
    Failed(String),
    NoAnswer,
    Busy,
    /// A call that was answered and ended.
    Completed,
}

impl PageStatus {
    fn describe(&self) -> String {
        match self {
            PageStatus::Delivered => "delivered".to_owned(),
            PageStatus::Failed(why) => format!("failed ({why})"),
            PageStatus::NoAnswer => "not answered".to_owned(),
            PageStatus::Busy => "busy".to_owned(),
            PageStatus::Completed => "answered".to_owned(),
        }
    }
}

/// What `!escalate` did: the incident after the move, and the level now being paged.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub incident: Incident,
    /// 1-based.
    pub level: u32,
}

/// Starts the incident's next escalation level now (an acknowledged incident goes back to
/// triggered). The timer worker pages the level within moments.
#[tracing::instrument(skip_all, fields(incident = %n))]
pub async fn escalate(ctx: &Ctx, n: IncidentNumber, by: &Actor) -> Result<Escalation, EngineError> {
    let incident = crate::actions::incident(ctx, n).await?;
    let room = ctx.room_of(&incident.service)?;
    let config = ctx.config();
    let policy = config
        .services
        .get(&incident.service)
        .and_then(|s| s.escalation_policy.as_ref())
        .and_then(|p| config.escalation_policies.get(p))
        .ok_or_else(|| {
            EngineError::user(format!(
                "service `{}` has no escalation policy, so there is no level to escalate to",
                incident.service
            ))
        })?;
    if incident.status == IncidentStatus::Resolved {
        return Err(EngineError::user(format!(
            "incident {n} is already resolved — nothing to escalate"
        )));
    }
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    // The same per-incident lock every status change takes, then the ladder's position as it
    // stands once any level the timer is starting has started.
    crate::store::incidents::lock_incident_key(&mut tx.c(), n).await?;
    let Some((standing, next_at)) = rows::position(&mut tx.c(), n.get()).await? else {
        return Err(EngineError::NotFound(format!("there is no incident {n}")));
    };
    let at = match (standing, next_at) {
        (Standing::Next(at), Some(_)) => at,
        // Never started (a service that got its policy later): start at the first level.
        (Standing::Next(Position::START), None) => Position::START,
        _ => {
            return Err(EngineError::user(format!(
                "incident {n} has been through every level of policy `{}` ({} time(s)); there is nobody further to escalate to",
                policy.name,
                u32::from(policy.repeat) + 1
            )));
        }
    };
    if !rows::restart_ladder(&mut tx.c(), n.get(), incident.status, at, now).await? {
        return Err(EngineError::user(format!(
            "incident {n} changed while you asked; try again"
        )));
    }
    let mut p = Pending::with_hooks(ctx.hooks());
    p.timeline(
        n.get(),
        now,
        TimelineKind::Escalated,
        by,
        format!("Escalated to level {} by {}", at.level + 1, by.name),
    );
    let changes = [(n.get(), room.as_str(), IncidentStatus::Triggered, by)];
    rows::notify_paged(&mut tx.c(), &mut p, &changes, now).await?;
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    tracing::info!(incident = %n, by = %by, level = at.level + 1, "escalated");
    ctx.nudge_workers();
    Ok(Escalation {
        incident: crate::actions::incident(ctx, n).await?,
        level: u32::try_from(at.level + 1).unwrap_or(1),
    })
}

/// Whether `user` was paged about incident `n` by SMS or call (a delivered page, not a
/// status notice): what an SMS reply or key press naming `n` must have behind it.
pub async fn was_paged_about(
    ctx: &Ctx,
    user: &UserId,
    n: IncidentNumber,
) -> Result<bool, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::paged_about(&mut conn.c(), user.as_str(), n.get()).await?)
}

/// The incident `user` was last paged about by SMS or call (status notices sent since do
/// not count): what a bare `4` replies to.
pub async fn last_paged_incident(
    ctx: &Ctx,
    user: &UserId,
) -> Result<Option<IncidentNumber>, EngineError> {
    let mut conn = ctx.store().conn().await?;
    Ok(rows::last_paged(&mut conn.c(), user.as_str())
        .await?
        .map(IncidentNumber::from_db))
}

/// Records a provider's status callback for the message or call `external_ref` on the
/// incident's timeline. When the provider `resend.from` reports a page SMS failed, the page is
/// queued once more through `resend.via` (once, however often the provider repeats itself),
/// while the incident still wants it.
/// Unknown references are ignored (`Ok(false)`): providers retry callbacks.
pub async fn page_status(
    ctx: &Ctx,
    external_ref: &str,
    status: PageStatus,
    resend: Option<Resend<'_>>,
) -> Result<bool, EngineError> {
    let now = Timestamp::now(ctx.clock());
    let mut tx = ctx.store().begin().await?;
    let Some(row) = rows::by_external_ref(&mut tx.c(), external_ref).await? else {
        return Ok(false);
    };
    let (Some(incident), Some(user), Ok(method)) = (
        row.incident_id,
        row.recipient.as_deref(),
        row.method.parse::<ContactMethod>(),
    ) else {
        return Ok(false);
    };
    let name = crate::domain::wording::person(ctx.config(), user);
    let via = row.provider.as_deref().unwrap_or("provider");
    let mut p = Pending::default();
    let actor = Actor::new("firebell", channel_of(method));
    let mut message = format!(
        "{via} reports the {} to {name}: {}",
        match method {
            ContactMethod::Voice => "call",
            ContactMethod::Email => "email",
            _ => "SMS",
        },
        status.describe()
    );
    let resend = resend.filter(|r| {
        matches!(status, PageStatus::Failed(_))
            && method == ContactMethod::Sms
            && row.provider.as_deref() == Some(r.from)
    });
    if let Some(resend) = resend {
        let mut c = tx.c();
        message.push_str(&fail_over(&mut c, &row, incident, method, resend, now).await?);
    }
    p.timeline(incident, now, TimelineKind::Notified, &actor, message);
    p.flush(&mut tx.c()).await?;
    tx.commit().await?;
    ctx.nudge_workers();
    Ok(true)
}

/// A failed SMS page sent again through the other provider, if its incident still wants it (a
/// resend is a page like any other). Returns what to add to the timeline line.
async fn fail_over(
    c: &mut C<'_>,
    row: &SentRow,
    incident: i64,
    method: ContactMethod,
    resend: Resend<'_>,
    now: Timestamp,
) -> Result<String, EngineError> {
    let Ok(notification) = serde_json::from_str::<Notification>(&row.notification) else {
        return Ok(String::new());
    };
    let now_incident = queries::get(c, IncidentNumber::from_db(incident)).await?;
    let esc_gen = rows::generation(c, incident).await?;
    if let Gate::Cancel(reason) = gate(&notification, now_incident.as_ref(), esc_gen) {
        return Ok(format!("; not sent again through {}: {reason}", resend.via));
    }
    let Notification::Paged {
        user,
        level,
        urgency,
        esc_gen,
        ..
    } = notification
    else {
        return Ok(String::new());
    };
    let again = Notification::Paged {
        user,
        level,
        urgency,
        failover_from: Some(resend.from.to_owned()),
        esc_gen,
    };
    let text = serde_json::to_string(&again).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(if rows::insert_failover(c, row, &text, now).await? {
        format!("; sending it {} through {}", by_method(method), resend.via)
    } else {
        String::new()
    })
}
