//! Rows a transaction will write that nothing in it reads back: the alert log, timeline entries
//! and outbox rows. They are collected while a batch is applied and written with one multi-row
//! INSERT per table just before commit, so a batch of N events costs about N + 3 statements
//! instead of 5N (each statement is a round trip to the database's worker).

use sqlx::{Postgres, QueryBuilder, Sqlite};

use super::C;
use super::outbox::Notification;
use crate::incident::TimelineKind;
use crate::kinds::Actor;

/// Rows per INSERT, well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const CHUNK: usize = 500;

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

/// Builds and runs one multi-row INSERT per chunk on whichever backend `$c` is.
macro_rules! insert_rows {
    ($c:expr, $head:expr, $rows:expr, |$b:ident, $r:ident| $push:block) => {
        for chunk in $rows.chunks(CHUNK) {
            match $c.reborrow() {
                C::Sqlite(conn) => {
                    let mut q = QueryBuilder::<Sqlite>::new($head);
                    q.push_values(chunk, |mut $b, $r| $push);
                    q.build().execute(&mut *conn).await?;
                }
                C::Pg(conn) => {
                    let mut q = QueryBuilder::<Postgres>::new($head);
                    q.push_values(chunk, |mut $b, $r| $push);
                    q.build().execute(&mut *conn).await?;
                }
            }
        }
    };
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
        insert_rows!(
            c,
            "INSERT INTO alerts (service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at, payload) ",
            self.alerts,
            |b, r| {
                b.push_bind(&r.service)
                    .push_bind(&r.dedup_key)
                    .push_bind(r.action)
                    .push_bind(r.outcome)
                    .push_bind(&r.reason)
                    .push_bind(r.incident_id)
                    .push_bind(&r.actor)
                    .push_bind(r.channel)
                    .push_bind(r.received_at)
                    .push_bind(&r.payload);
            }
        );
        insert_rows!(
            c,
            "INSERT INTO timeline (incident_id, at, kind, actor, channel, message) ",
            self.timeline,
            |b, r| {
                b.push_bind(r.incident_id)
                    .push_bind(r.at)
                    .push_bind(r.kind)
                    .push_bind(&r.actor)
                    .push_bind(r.channel)
                    .push_bind(&r.message);
            }
        );
        insert_rows!(
            c,
            "INSERT INTO outbox (room, incident_id, notification, created_at, due_at) ",
            self.outbox,
            |b, r| {
                b.push_bind(&r.room)
                    .push_bind(r.incident_id)
                    .push_bind(&r.notification)
                    .push_bind(r.created_at)
                    .push_bind(r.created_at);
            }
        );
        self.alerts.clear();
        self.timeline.clear();
        self.outbox.clear();
        Ok(())
    }
}
