//! The timer's writes to escalation ladders and page steps, collected while a batch of due
//! levels and steps is decided, then written in a few bulk statements (see [`LadderWrites`]).

use super::C;
use crate::domain::clock::Timestamp;
use crate::domain::escalation::Standing;
use crate::domain::kinds::ContactMethod;

/// A page step to schedule.
pub(crate) struct NewPage {
    pub incident_id: i64,
    pub gen_: i64,
    pub level: i64,
    pub pass: i64,
    pub user: String,
    pub method: ContactMethod,
    pub due_at: Timestamp,
}

/// Where an incident's ladder goes next; `next_at = None` ends it.
struct NewPosition {
    id: i64,
    gen_: i64,
    level: i64,
    pass: i64,
    next_at: Option<Timestamp>,
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
        standing: Standing,
        next_at: Option<Timestamp>,
    ) {
        let (level, pass) = standing.columns();
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
    pub(crate) async fn write(&mut self, c: &mut C<'_>, now: Timestamp) -> Result<(), sqlx::Error> {
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
        now: Timestamp,
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
    async fn write_pg(
        &self,
        conn: &mut sqlx::PgConnection,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
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
            .bind(col(|p| p.due_at.micros()))
            .execute(&mut *conn)
            .await?;
        }
        if !self.positions.is_empty() {
            let col =
                |f: fn(&NewPosition) -> i64| self.positions.iter().map(f).collect::<Vec<i64>>();
            let next: Vec<Option<i64>> = self
                .positions
                .iter()
                .map(|p| p.next_at.map(Timestamp::micros))
                .collect();
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
