//! Rows a transaction will write that nothing in it reads back: the alert log, timeline entries
//! and outbox rows. They are collected while a batch is applied and written together just before
//! commit, in one call on either backend, so their cost
//! does not grow with the number of round trips (each statement is one, and round trips, not SQL,
//! dominate a batch's time).

use serde_json::json;

use super::C;
use super::outbox::Notification;
use crate::incident::TimelineKind;
use crate::kinds::Actor;

pub(crate) struct AlertRow {
    pub service: String,
    pub dedup_key: String,
    pub action: &'static str,
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub incident_id: Option<i64>,
    pub actor: String,
    pub channel: &'static str,
    pub received_at: i64,
    pub payload: String,
}

struct TimelineRow {
    incident_id: i64,
    at: i64,
    kind: &'static str,
    actor: String,
    channel: &'static str,
    message: String,
}

struct OutboxRow {
    room: String,
    incident_id: Option<i64>,
    notification: String,
    created_at: i64,
}

#[derive(Default)]
pub(crate) struct Pending {
    alerts: Vec<AlertRow>,
    timeline: Vec<TimelineRow>,
    outbox: Vec<OutboxRow>,
}

impl Pending {
    pub(crate) fn alert(&mut self, row: AlertRow) {
        self.alerts.push(row);
    }

    pub(crate) fn timeline(
        &mut self,
        incident_id: i64,
        at: i64,
        kind: TimelineKind,
        actor: &Actor,
        message: String,
    ) {
        self.timeline.push(TimelineRow {
            incident_id,
            at,
            kind: kind.as_str(),
            actor: actor.name.clone(),
            channel: actor.channel.as_str(),
            message,
        });
    }

    pub(crate) fn outbox(
        &mut self,
        room: &str,
        incident_id: Option<i64>,
        n: &Notification,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let notification =
            serde_json::to_string(n).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        self.outbox.push(OutboxRow {
            room: room.to_owned(),
            incident_id,
            notification,
            created_at: now,
        });
        Ok(())
    }

    /// Writes everything collected, in the order it was collected (timeline ids keep that order).
    pub(crate) async fn flush(&mut self, c: &mut C<'_>) -> Result<(), sqlx::Error> {
        if self.alerts.is_empty() && self.timeline.is_empty() && self.outbox.is_empty() {
            return Ok(());
        }
        match c.reborrow() {
            C::Sqlite(conn) => self.flush_sqlite(conn).await?,
            C::Pg(conn) => self.flush_rows(conn).await?,
        }
        self.alerts.clear();
        self.timeline.clear();
        self.outbox.clear();
        Ok(())
    }

    /// SQLite: all three tables in one call (three statements fed by JSON arrays), because each
    /// call is a round trip to SQLite's worker thread.
    async fn flush_sqlite(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        let alerts: Vec<_> = self
            .alerts
            .iter()
            .map(|r| {
                json!([
                    r.service,
                    r.dedup_key,
                    r.action,
                    r.outcome,
                    r.reason,
                    r.incident_id,
                    r.actor,
                    r.channel,
                    r.received_at,
                    r.payload
                ])
            })
            .collect();
        let timeline: Vec<_> = self
            .timeline
            .iter()
            .map(|r| json!([r.incident_id, r.at, r.kind, r.actor, r.channel, r.message]))
            .collect();
        let outbox: Vec<_> = self
            .outbox
            .iter()
            .map(|r| json!([r.room, r.incident_id, r.notification, r.created_at]))
            .collect();
        sqlx::query(
            "INSERT INTO alerts (service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at, payload) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, \
                    value ->> 8, value ->> 9 FROM json_each($1) ORDER BY key; \
             INSERT INTO timeline (incident_id, at, kind, actor, channel, message) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each($2) ORDER BY key; \
             INSERT INTO outbox (room, incident_id, notification, created_at, due_at) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 3 FROM json_each($3) ORDER BY key",
        )
        .bind(serde_json::Value::Array(alerts).to_string())
        .bind(serde_json::Value::Array(timeline).to_string())
        .bind(serde_json::Value::Array(outbox).to_string())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// PostgreSQL: all three tables in one statement (data-modifying CTEs), each column bound as
    /// an array; `WITH ORDINALITY` keeps ids in the order collected.
    async fn flush_rows(&self, conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        let a = &self.alerts;
        let t = &self.timeline;
        let o = &self.outbox;
        sqlx::query(
            "WITH a AS (INSERT INTO alerts (service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at, payload) \
               SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], \
                 $5::text[], $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::text[]) \
                 WITH ORDINALITY AS x(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, n) ORDER BY n), \
             t AS (INSERT INTO timeline (incident_id, at, kind, actor, channel, message) \
               SELECT c1, c2, c3, c4, c5, c6 FROM unnest($11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[], \
                 $16::text[]) WITH ORDINALITY AS x(c1, c2, c3, c4, c5, c6, n) ORDER BY n) \
             INSERT INTO outbox (room, incident_id, notification, created_at, due_at) \
               SELECT c1, c2, c3, c4, c4 FROM unnest($17::text[], $18::bigint[], $19::text[], $20::bigint[]) \
                 WITH ORDINALITY AS x(c1, c2, c3, c4, n) ORDER BY n",
        )
        .bind(a.iter().map(|r| r.service.as_str()).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.dedup_key.as_str()).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.action).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.outcome).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.reason.as_deref()).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.incident_id).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.actor.as_str()).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.channel).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.received_at).collect::<Vec<_>>())
        .bind(a.iter().map(|r| r.payload.as_str()).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.incident_id).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.at).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.kind).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.actor.as_str()).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.channel).collect::<Vec<_>>())
        .bind(t.iter().map(|r| r.message.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|r| r.room.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|r| r.incident_id).collect::<Vec<_>>())
        .bind(o.iter().map(|r| r.notification.as_str()).collect::<Vec<_>>())
        .bind(o.iter().map(|r| r.created_at).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
