//! Escalation rows: due level starts (on `incidents`), due page steps (`pages`), and the lookups
//! SMS replies, status callbacks and status notices need (on `outbox`). Claims run inside the
//! transaction that acts on them; on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so replicas share
//! the work and never take the same row.

use super::outbox::{Addressee, IS_PAGE, Notification};
use super::pending::Pending;
use super::{C, OptI64, sql};
use crate::kinds::{Actor, ContactMethod, IncidentStatus};

/// An incident whose next escalation level is due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DueLevel {
    pub id: i64,
    pub service: String,
    pub severity: String,
    pub created_at: i64,
    pub esc_gen: i64,
    pub esc_level: i64,
    pub esc_loop: i64,
    pub esc_next_at: i64,
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
    now: i64,
    limit: i64,
) -> Result<Vec<DueLevel>, sqlx::Error> {
    let q = due_levels(c.is_pg());
    sql!(all DueLevel, c.reborrow(), sqlx::AssertSqlSafe(q), now, limit)
}

/// A page step to schedule.
pub(crate) struct NewPage {
    pub incident_id: i64,
    pub gen_: i64,
    pub level: i64,
    pub pass: i64,
    pub user: String,
    pub method: ContactMethod,
    pub due_at: i64,
}

/// Where an incident's ladder goes next; `next_at = None` ends it.
struct NewPosition {
    id: i64,
    gen_: i64,
    level: i64,
    pass: i64,
    next_at: Option<i64>,
}

/// The timer's writes to ladders and page steps, collected while a batch is decided and then
/// written in three statements whatever the batch's size: each statement is a round trip, and on
/// SQLite the timer holds the one write lock ingest is waiting for. A storm's new incidents all
/// start their first level in one tick, so per-row statements there cost as much as ingest.
#[derive(Default)]
pub(crate) struct LadderWrites {
    pages: Vec<NewPage>,
    positions: Vec<NewPosition>,
    fired: Vec<(i64, String)>,
}

impl LadderWrites {
    /// Schedules a page step (a step already scheduled for that generation is left alone).
    pub(crate) fn page(&mut self, page: NewPage) {
        self.pages.push(page);
    }

    /// Moves an incident to its next position, guarded by the generation it was claimed at.
    pub(crate) fn position(
        &mut self,
        id: i64,
        gen_: i64,
        level: i64,
        pass: i64,
        next_at: Option<i64>,
    ) {
        self.positions.push(NewPosition {
            id,
            gen_,
            level,
            pass,
            next_at,
        });
    }

    /// Settles a page step with its outcome ("queued", "cancelled: …", "skipped: …").
    pub(crate) fn fired(&mut self, id: i64, outcome: impl Into<String>) {
        self.fired.push((id, outcome.into()));
    }

    /// Writes what was collected, and forgets it.
    pub(crate) async fn write(&mut self, c: &mut C<'_>, now: i64) -> Result<(), sqlx::Error> {
        if self.pages.is_empty() && self.positions.is_empty() && self.fired.is_empty() {
            return Ok(());
        }
        match c.reborrow() {
            C::Sqlite(conn) => self.write_sqlite(conn, now).await?,
            C::Pg(conn) => self.write_pg(conn, now).await?,
        }
        self.pages.clear();
        self.positions.clear();
        self.fired.clear();
        Ok(())
    }

    /// SQLite: one call, three statements fed by JSON arrays.
    async fn write_sqlite(
        &self,
        conn: &mut sqlx::SqliteConnection,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        use serde_json::json;
        let pages: Vec<_> = self
            .pages
            .iter()
            .map(|p| {
                json!([
                    p.incident_id,
                    p.gen_,
                    p.level,
                    p.pass,
                    p.user,
                    p.method.as_str(),
                    p.due_at
                ])
            })
            .collect();
        let positions: Vec<_> = self
            .positions
            .iter()
            .map(|p| json!([p.id, p.gen_, p.level, p.pass, p.next_at]))
            .collect();
        let fired: Vec<_> = self.fired.iter().map(|(id, o)| json!([id, o])).collect();
        sqlx::query(
            "INSERT INTO pages (incident_id, esc_gen, level, loop_no, user_id, method, due_at) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6 \
             FROM json_each($1) WHERE true ORDER BY key ON CONFLICT DO NOTHING; \
             UPDATE incidents SET esc_level = u.level, esc_loop = u.pass, esc_next_at = u.next_at \
             FROM (SELECT value ->> 0 AS id, value ->> 1 AS gen, value ->> 2 AS level, value ->> 3 AS pass, \
                          value ->> 4 AS next_at FROM json_each($2)) AS u \
             WHERE incidents.id = u.id AND incidents.esc_gen = u.gen; \
             UPDATE pages SET fired_at = $4, outcome = u.outcome \
             FROM (SELECT value ->> 0 AS id, value ->> 1 AS outcome FROM json_each($3)) AS u \
             WHERE pages.id = u.id AND pages.fired_at IS NULL",
        )
        .bind(serde_json::Value::Array(pages).to_string())
        .bind(serde_json::Value::Array(positions).to_string())
        .bind(serde_json::Value::Array(fired).to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// PostgreSQL: one statement per kind of write, fed by `unnest`.
    async fn write_pg(&self, conn: &mut sqlx::PgConnection, now: i64) -> Result<(), sqlx::Error> {
        if !self.pages.is_empty() {
            let col = |f: fn(&NewPage) -> i64| self.pages.iter().map(f).collect::<Vec<i64>>();
            let users: Vec<&str> = self.pages.iter().map(|p| p.user.as_str()).collect();
            let methods: Vec<&str> = self.pages.iter().map(|p| p.method.as_str()).collect();
            sqlx::query(
                "INSERT INTO pages (incident_id, esc_gen, level, loop_no, user_id, method, due_at) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], \
                                      $6::text[], $7::bigint[]) ON CONFLICT DO NOTHING",
            )
            .bind(col(|p| p.incident_id))
            .bind(col(|p| p.gen_))
            .bind(col(|p| p.level))
            .bind(col(|p| p.pass))
            .bind(users)
            .bind(methods)
            .bind(col(|p| p.due_at))
            .execute(&mut *conn)
            .await?;
        }
        if !self.positions.is_empty() {
            let col =
                |f: fn(&NewPosition) -> i64| self.positions.iter().map(f).collect::<Vec<i64>>();
            let next: Vec<Option<i64>> = self.positions.iter().map(|p| p.next_at).collect();
            sqlx::query(
                "UPDATE incidents AS i SET esc_level = u.level, esc_loop = u.pass, esc_next_at = u.next_at \
                 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) \
                   AS u(id, gen, level, pass, next_at) \
                 WHERE i.id = u.id AND i.esc_gen = u.gen",
            )
            .bind(col(|p| p.id))
            .bind(col(|p| p.gen_))
            .bind(col(|p| p.level))
            .bind(col(|p| p.pass))
            .bind(next)
            .execute(&mut *conn)
            .await?;
        }
        if !self.fired.is_empty() {
            let ids: Vec<i64> = self.fired.iter().map(|f| f.0).collect();
            let outcomes: Vec<&str> = self.fired.iter().map(|f| f.1.as_str()).collect();
            sqlx::query(
                "UPDATE pages AS p SET fired_at = $1, outcome = u.outcome \
                 FROM unnest($2::bigint[], $3::text[]) AS u(id, outcome) \
                 WHERE p.id = u.id AND p.fired_at IS NULL",
            )
            .bind(now)
            .bind(ids)
            .bind(outcomes)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// A page step that is due, with what is needed to decide whether it still applies.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DuePage {
    pub id: i64,
    pub incident_id: i64,
    pub esc_gen: i64,
    pub level: i64,
    pub user_id: String,
    pub method: String,
    pub due_at: i64,
    pub deferred: i64,
    pub status: String,
    pub current_gen: i64,
    pub service: String,
    pub severity: String,
    pub created_at: i64,
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
    now: i64,
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

pub(crate) async fn defer_page(c: &mut C<'_>, id: i64, until: i64) -> Result<(), sqlx::Error> {
    sql!(execute c.reborrow(),
        "UPDATE pages SET due_at = $1, deferred = 1 WHERE id = $2 AND fired_at IS NULL",
        until, id)?;
    Ok(())
}

/// The earliest due level start or page step, if any.
pub(crate) async fn next_due(c: &mut C<'_>) -> Result<Option<i64>, sqlx::Error> {
    let q = next_level_due(c.is_pg());
    let (a,): (Option<i64>,) = sql!(one OptI64, c.reborrow(), sqlx::AssertSqlSafe(q))?;
    let (b,): (Option<i64>,) = sql!(
        one OptI64,
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
    level: i64,
    pass: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
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
    at: i64,
) -> Result<Option<Actor>, sqlx::Error> {
    let row = sql!(
        optional(String, String),
        c.reborrow(),
        "SELECT actor, channel FROM timeline WHERE incident_id = $1 AND kind = 'escalated' \
         AND at = $2 AND channel <> 'system' ORDER BY id DESC LIMIT 1",
        id,
        at
    )?;
    Ok(row.map(|(name, channel)| {
        Actor::new(
            name,
            channel.parse().unwrap_or(crate::kinds::Channel::Events),
        )
    }))
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

/// (esc_level, esc_loop, esc_next_at) of an incident, locking its row until the transaction ends
/// (PostgreSQL): a level the timer is starting right now is read once it has started, never
/// before, so a move based on it cannot repeat that level.
pub(crate) async fn position(
    c: &mut C<'_>,
    id: i64,
) -> Result<Option<(i64, i64, Option<i64>)>, sqlx::Error> {
    let lock = match c {
        C::Pg(_) => " FOR UPDATE",
        C::Sqlite(_) => "",
    };
    let q = format!("SELECT esc_level, esc_loop, esc_next_at FROM incidents WHERE id = $1{lock}");
    sql!(
        optional(i64, i64, Option<i64>),
        c.reborrow(),
        sqlx::AssertSqlSafe(q),
        id
    )
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
    now: i64,
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
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = sql!(execute c.reborrow(),
        "INSERT INTO outbox (room, incident_id, notification, created_at, due_at, method, recipient, failover_of) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        &row.room, row.incident_id, notification, now, &row.method, &row.recipient, row.id)?;
    Ok(n == 1)
}
