//! Escalation rows: due level starts (on `incidents`), due page steps (`pages`), and the lookups
//! SMS replies, status callbacks and status notices need (on `outbox`). Claims run inside the
//! transaction that acts on them; on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so replicas share
//! the work and never take the same row.

pub(crate) use super::ladder::{LadderWrites, NewPage};
use super::outbox::{Addressee, IS_PAGE};
use super::pending::Pending;
use super::{C, OptI64, OptTs, sql};
use crate::domain::clock::Timestamp;
use crate::domain::escalation::{Position, Standing};
use crate::domain::kinds::{Actor, Channel, ContactMethod, IncidentStatus, Severity};
use crate::domain::notification::Notification;

/// An incident whose next escalation level is due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DueLevel {
    pub id: i64,
    pub service: String,
    pub severity: Severity,
    pub created_at: Timestamp,
    pub esc_gen: i64,
    pub esc_level: i64,
    pub esc_loop: i64,
    pub esc_next_at: Timestamp,
}

/// `incidents` as the due-level queries must read it. SQLite's planner, left to itself, prefers
/// `incidents_by_status` and walks every triggered incident, then sorts them: on every tick, a
/// cost growing with each incident a storm opened (issue 14). PostgreSQL picks the partial index
/// by itself.
fn incidents_by_due(pg: bool) -> &'static str {
    if pg {
        "incidents"
    } else {
        "incidents INDEXED BY incidents_escalation_due"
    }
}

/// Incidents whose next level is due, oldest due first.
pub(crate) fn due_levels(pg: bool) -> String {
    format!(
        "SELECT id, service, severity, created_at, esc_gen, esc_level, esc_loop, esc_next_at FROM {} \
         WHERE status = 'triggered' AND esc_next_at IS NOT NULL AND esc_next_at <= $1 \
         ORDER BY esc_next_at LIMIT $2{}",
        incidents_by_due(pg),
        if pg { " FOR UPDATE SKIP LOCKED" } else { "" }
    )
}

/// When the next level start is due.
pub(crate) fn next_level_due(pg: bool) -> String {
    format!(
        "SELECT MIN(esc_next_at) FROM {} WHERE status = 'triggered' AND esc_next_at IS NOT NULL",
        incidents_by_due(pg)
    )
}

pub(crate) async fn claim_due_levels(
    c: &mut C<'_>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<DueLevel>, sqlx::Error> {
    let q = due_levels(c.is_pg());
    sql!(all DueLevel, c.reborrow(), sqlx::AssertSqlSafe(q), now, limit)
}

/// A page step that is due, with what is needed to decide whether it still applies.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DuePage {
    pub id: i64,
    pub incident_id: i64,
    pub esc_gen: i64,
    pub level: i64,
    pub user_id: String,
    pub method: ContactMethod,
    pub due_at: Timestamp,
    pub deferred: i64,
    pub status: IncidentStatus,
    pub current_gen: i64,
    pub service: String,
    pub severity: Severity,
    pub created_at: Timestamp,
}

/// Page steps that are due, oldest first, with their incident's state.
pub(crate) fn due_pages(pg: bool) -> String {
    format!(
        "SELECT p.id, p.incident_id, p.esc_gen, p.level, p.user_id, p.method, p.due_at, p.deferred, \
                i.status, i.esc_gen AS current_gen, i.service, i.severity, i.created_at \
         FROM pages p JOIN incidents i ON i.id = p.incident_id \
         WHERE p.fired_at IS NULL AND p.due_at <= $1 ORDER BY p.due_at, p.id LIMIT $2{}",
        if pg {
            " FOR UPDATE OF p SKIP LOCKED"
        } else {
            ""
        }
    )
}

pub(crate) async fn claim_due_pages(
    c: &mut C<'_>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<DuePage>, sqlx::Error> {
    let q = due_pages(c.is_pg());
    sql!(all DuePage, c.reborrow(), sqlx::AssertSqlSafe(q), now, limit)
}

/// A service's incidents acknowledged at or before `$2`, longest acknowledged first, after the
/// page boundary `($3, $4)` (acknowledged at, id): the ack-timeout sweep's candidates (through
/// `incidents_ack_timeout_due`), a page at a time.
pub(crate) const ACK_TIMEOUTS: &str = "SELECT id, severity, created_at, acknowledged_at, acknowledged_by FROM incidents \
     WHERE service = $1 AND status = 'acknowledged' AND acknowledged_at <= $2 AND (acknowledged_at, id) > ($3, $4) \
     ORDER BY acknowledged_at, id LIMIT 200";

/// Rows per page of [`ACK_TIMEOUTS`].
pub(crate) const ACK_TIMEOUTS_PAGE: usize = 200;

/// A service's open incidents with no new alert since `$2`, quietest first: the auto-resolve
/// sweep's candidates (through `incidents_quiet_since`).
pub(crate) const AUTO_RESOLVE: &str = "SELECT id FROM incidents WHERE service = $1 AND status <> 'resolved' AND last_alert_at <= $2 \
     ORDER BY last_alert_at, id LIMIT 200";

pub(crate) async fn defer_page(
    c: &mut C<'_>,
    id: i64,
    until: Timestamp,
) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE pages SET due_at = $1, deferred = 1 WHERE id = $2 AND fired_at IS NULL",
        until, id)?;
    Ok(())
}

/// The earliest due level start or page step, if any.
pub(crate) async fn next_due(c: &mut C<'_>) -> Result<Option<Timestamp>, sqlx::Error> {
    let q = next_level_due(c.is_pg());
    let (a,): (Option<Timestamp>,) = sql!(one OptTs, c.reborrow(), sqlx::AssertSqlSafe(q))?;
    let (b,): (Option<Timestamp>,) = sql!(
        one OptTs,
        c.reborrow(),
        "SELECT MIN(due_at) FROM pages WHERE fired_at IS NULL"
    )?;
    Ok(match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Restarts or moves the ladder: a new generation, due now. With `retrigger`, an acknowledged
/// incident also goes back to triggered. `false` when the guard refused (resolved, or the state
/// changed under us).
pub(crate) async fn restart_ladder(
    c: &mut C<'_>,
    id: i64,
    from_status: IncidentStatus,
    at: Position,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let (level, pass) = Standing::Next(at).columns();
    let n = sql!(execute c.reborrow(),
        "UPDATE incidents SET status = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, \
         acknowledged_via = NULL, esc_gen = esc_gen + 1, esc_level = $1, esc_loop = $2, esc_next_at = $3 \
         WHERE id = $4 AND status = $5",
        level, pass, now, id, from_status.as_str())?;
    Ok(n == 1)
}

/// Who escalated incident `id` by hand at `at`, from its timeline: a hand escalation sets the
/// ladder due at the moment it was asked for and records who asked at that moment, so the level
/// it starts can name them. `None` when the level came due by itself.
pub(crate) async fn escalated_by(
    c: &mut C<'_>,
    id: i64,
    at: Timestamp,
) -> Result<Option<Actor>, sqlx::Error> {
    let row = sql!(
        optional(String, Channel),
        c.reborrow(),
        "SELECT actor, channel FROM timeline WHERE incident_id = $1 AND kind = 'escalated' \
         AND at = $2 AND channel <> 'system' ORDER BY id DESC LIMIT 1",
        id,
        at
    )?;
    Ok(row.map(|(name, channel)| Actor::new(name, channel)))
}

/// An incident's escalation generation (bumped by `!escalate` and ack-timeout re-triggers).
pub(crate) async fn generation(c: &mut C<'_>, id: i64) -> Result<Option<i64>, sqlx::Error> {
    Ok(sql!(
        optional(i64,),
        c.reborrow(),
        "SELECT esc_gen FROM incidents WHERE id = $1",
        id
    )?
    .map(|(g,)| g))
}

/// Where an incident's ladder stands and when its next level is due, locking its row until the
/// transaction ends
/// (PostgreSQL): a level the timer is starting right now is read once it has started, never
/// before, so a move based on it cannot repeat that level.
pub(crate) async fn position(
    c: &mut C<'_>,
    id: i64,
) -> Result<Option<(Standing, Option<i64>)>, sqlx::Error> {
    let lock = match c {
        C::Pg(_) => " FOR UPDATE",
        C::Sqlite(_) => "",
    };
    let q = format!("SELECT esc_level, esc_loop, esc_next_at FROM incidents WHERE id = $1{lock}");
    let row = sql!(
        optional(i64, i64, Option<i64>),
        c.reborrow(),
        sqlx::AssertSqlSafe(q),
        id
    )?;
    row.map(|(level, pass, next_at)| {
        let standing =
            Standing::from_columns(level, pass).map_err(|why| sqlx::Error::Decode(why.into()))?;
        Ok((standing, next_at))
    })
    .transpose()
}

/// Tells everyone reached by SMS about each changed incident `(id, room, new status, by whom)`
/// that its status changed, by SMS; except the person who changed it. (Chat hears through the
/// room post every change already makes.) One query for the whole list. Pages still waiting for
/// an incident that is now acknowledged or resolved are made due at once, so the outbox worker
/// cancels them (with a timeline line) within moments.
pub(crate) async fn notify_paged(
    c: &mut C<'_>,
    p: &mut Pending,
    changes: &[(i64, &str, IncidentStatus, &Actor)],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let stopped: Vec<i64> = changes
        .iter()
        .filter(|c| c.2 != IncidentStatus::Triggered)
        .map(|c| c.0)
        .collect();
    super::outbox::hurry_pages(c, &stopped, now).await?;
    // Integers only, so building the list into the SQL text is safe.
    let ids: Vec<String> = changes.iter().map(|c| c.0.to_string()).collect();
    let q = format!(
        "SELECT DISTINCT incident_id, recipient FROM outbox WHERE incident_id IN ({}) AND method = 'sms' \
         AND recipient IS NOT NULL AND delivered_at IS NOT NULL ORDER BY incident_id, recipient",
        ids.join(", ")
    );
    let reached: Vec<(i64, String)> = sql!(all(i64, String), c.reborrow(), sqlx::AssertSqlSafe(q))?;
    for (id, user) in &reached {
        let Some((_, room, status, by)) = changes.iter().find(|c| c.0 == *id) else {
            continue;
        };
        if *user == by.name {
            continue;
        }
        let n = Notification::StatusNotice {
            status: *status,
            actor: (*by).clone(),
        };
        let to = Addressee::Person {
            user,
            method: ContactMethod::Sms,
        };
        p.outbox_to(room, Some(*id), to, &n, now)?;
    }
    Ok(())
}

/// The incident a person was last paged about by SMS or call (for replies like `4`). Status
/// notices sent since do not count: a `4` answers a page.
pub(crate) async fn last_paged(c: &mut C<'_>, user: &str) -> Result<Option<i64>, sqlx::Error> {
    let q = format!(
        "SELECT incident_id FROM outbox WHERE recipient = $1 AND method IN ('sms', 'voice') \
         AND delivered_at IS NOT NULL AND {IS_PAGE} ORDER BY delivered_at DESC, id DESC LIMIT 1"
    );
    let row: Option<(Option<i64>,)> =
        sql!(optional OptI64, c.reborrow(), sqlx::AssertSqlSafe(q), user)?;
    Ok(row.and_then(|r| r.0))
}

/// Whether a page about incident `id` was delivered to `user` by SMS or call.
pub(crate) async fn paged_about(c: &mut C<'_>, user: &str, id: i64) -> Result<bool, sqlx::Error> {
    let q = format!(
        "SELECT id FROM outbox WHERE recipient = $1 AND incident_id = $2 \
         AND method IN ('sms', 'voice') AND delivered_at IS NOT NULL AND {IS_PAGE} LIMIT 1"
    );
    let row = sql!(
        optional(i64,),
        c.reborrow(),
        sqlx::AssertSqlSafe(q),
        user,
        id
    )?;
    Ok(row.is_some())
}

/// A delivered row found by the provider's message id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SentRow {
    pub id: i64,
    pub room: String,
    pub incident_id: Option<i64>,
    pub notification: String,
    pub method: String,
    pub recipient: Option<String>,
    pub provider: Option<String>,
}

pub(crate) async fn by_external_ref(
    c: &mut C<'_>,
    external_ref: &str,
) -> Result<Option<SentRow>, sqlx::Error> {
    sql!(optional SentRow, c.reborrow(),
        "SELECT id, room, incident_id, notification, method, recipient, provider FROM outbox \
         WHERE external_ref = $1 ORDER BY id DESC LIMIT 1", external_ref)
}

/// Queues `row` again for the second provider, once (a unique index on `failover_of`).
pub(crate) async fn insert_failover(
    c: &mut C<'_>,
    row: &SentRow,
    notification: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO outbox (room, incident_id, notification, created_at, due_at, method, recipient, failover_of) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        &row.room, row.incident_id, notification, now, &row.method, &row.recipient, row.id)?;
    Ok(n == 1)
}
