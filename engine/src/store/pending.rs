//! Rows a transaction will write that nothing in it reads back: the alert log, timeline entries
//! and outbox rows. They are collected while a batch is applied and written together just before
//! commit — on SQLite in one call, on PostgreSQL one multi-row INSERT per table — so their cost
//! does not grow with the number of round trips (each statement is one, and round trips, not SQL,
//! dominate a batch's time).

use serde_json::json;
use sqlx::{Postgres, QueryBuilder};

use super::C;
use super::outbox::Addressee;
use crate::domain::clock::Timestamp;
use crate::domain::incident::TimelineKind;
use crate::domain::kinds::{Actor, Channel};
use crate::domain::notification::{Notification, OutboxMethod};

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
    pub received_at: Timestamp,
    pub payload: String,
}

struct TimelineRow {
    incident_id: i64,
    at: Timestamp,
    kind: TimelineKind,
    actor: String,
    channel: Channel,
    message: String,
}

struct OutboxRow {
    room: String,
    incident_id: Option<i64>,
    notification: String,
    created_at: Timestamp,
    method: OutboxMethod,
    recipient: Option<String>,
}

#[derive(Default)]
pub(crate) struct Pending {
    alerts: Vec<AlertRow>,
    timeline: Vec<TimelineRow>,
    outbox: Vec<OutboxRow>,
    /// Incidents with an `AlertsAdded` row in this batch already (one is enough).
    alerts_added: std::collections::HashSet<i64>,
    /// Webhook subscriptions to fan room posts out to (none: nothing is looked for).
    hooks: crate::store::hooks::Hooks,
    /// Room posts that are webhook events; turned into webhook rows at flush.
    hook_events: Vec<crate::domain::webhook::HookEvent>,
}

/// Builds and runs one multi-row INSERT per chunk on PostgreSQL.
macro_rules! insert_rows {
    ($conn:expr, $head:expr, $rows:expr, |$b:ident, $r:ident| $push:block) => {
        for chunk in $rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<Postgres>::new($head);
            q.push_values(chunk, |mut $b, $r| $push);
            q.build().execute(&mut *$conn).await?;
        }
    };
}

impl Pending {
    /// A `Pending` whose room posts are also sent to the matching webhook subscriptions.
    pub(crate) fn with_hooks(hooks: &crate::store::hooks::Hooks) -> Pending {
        Pending {
            hooks: hooks.clone(),
            ..Pending::default()
        }
    }

    pub(crate) fn alert(&mut self, row: AlertRow) {
        self.alerts.push(row);
    }

    pub(crate) fn timeline(
        &mut self,
        incident_id: i64,
        at: Timestamp,
        kind: TimelineKind,
        actor: &Actor,
        message: String,
    ) {
        self.timeline.push(TimelineRow {
            incident_id,
            at,
            kind,
            actor: actor.name.clone(),
            channel: actor.channel,
            message,
        });
    }

    /// A post to `room`.
    pub(crate) fn outbox(
        &mut self,
        room: &str,
        incident_id: Option<i64>,
        n: &Notification,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        self.outbox_to(room, incident_id, Addressee::Room, n, now)
    }

    /// "More alerts" for an incident's chat card, at most once per batch.
    pub(crate) fn alerts_added(
        &mut self,
        room: &str,
        incident_id: i64,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        if self.alerts_added.insert(incident_id) {
            self.outbox(room, Some(incident_id), &Notification::AlertsAdded, now)?;
        }
        Ok(())
    }

    /// A notification to `to`; `room` is the incident's room (context for chat mentions).
    pub(crate) fn outbox_to(
        &mut self,
        room: &str,
        incident_id: Option<i64>,
        to: Addressee<'_>,
        n: &Notification,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let notification =
            serde_json::to_string(n).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let (method, recipient) = match to {
            Addressee::Room => (OutboxMethod::Room, None),
            Addressee::Person { user, method } => {
                (OutboxMethod::Person(method), Some(user.to_owned()))
            }
            Addressee::Hook { subscription } => (OutboxMethod::Hook, Some(subscription.to_owned())),
        };
        if to == Addressee::Room && self.hooks.config().is_some() {
            let opener = match (n, incident_id) {
                (Notification::IncidentOpened, Some(id)) => self.opener(id),
                _ => None,
            };
            let event =
                crate::domain::webhook::HookEvent::from_post(room, incident_id, n, opener, now);
            self.hook_events.extend(event);
        }
        self.outbox.push(OutboxRow {
            room: room.to_owned(),
            incident_id,
            notification,
            created_at: now,
            method,
            recipient,
        });
        Ok(())
    }

    /// Who triggered incident `id` in this batch, from its "triggered" timeline entry.
    fn opener(&self, id: i64) -> Option<Actor> {
        let row = self
            .timeline
            .iter()
            .rev()
            .find(|t| t.incident_id == id && t.kind == TimelineKind::Triggered)?;
        Some(Actor::new(row.actor.clone(), row.channel))
    }

    /// Writes everything collected, in the order it was collected (timeline ids keep that order).
    pub(crate) async fn flush(&mut self, c: &mut C<'_>) -> Result<(), sqlx::Error> {
        let hooks = self.hooks.clone();
        if let Some(config) = hooks.config()
            && !self.hook_events.is_empty()
        {
            let events = std::mem::take(&mut self.hook_events);
            let rows = super::hooks::rows(&mut c.reborrow(), config, &events).await?;
            if !rows.is_empty() {
                hooks.queued();
            }
            for r in rows {
                let to = Addressee::Hook {
                    subscription: &r.subscription,
                };
                self.outbox_to(&r.room, Some(r.incident_id), to, &r.notification, r.at)?;
            }
        }
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
        self.alerts_added.clear();
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
            .map(|r| {
                json!([
                    r.incident_id,
                    r.at,
                    r.kind.as_str(),
                    r.actor,
                    r.channel.as_str(),
                    r.message
                ])
            })
            .collect();
        let outbox: Vec<_> = self
            .outbox
            .iter()
            .map(|r| {
                json!([
                    r.room,
                    r.incident_id,
                    r.notification,
                    r.created_at,
                    r.method.as_str(),
                    r.recipient
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO alerts (service, dedup_key, action, outcome, reason, incident_id, actor, channel, received_at, payload) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, \
                    value ->> 8, value ->> 9 FROM json_each($1) ORDER BY key; \
             INSERT INTO timeline (incident_id, at, kind, actor, channel, message) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each($2) ORDER BY key; \
             INSERT INTO outbox (room, incident_id, notification, created_at, due_at, method, recipient) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 3, value ->> 4, value ->> 5 \
             FROM json_each($3) ORDER BY key",
        )
        .bind(serde_json::Value::Array(alerts).to_string())
        .bind(serde_json::Value::Array(timeline).to_string())
        .bind(serde_json::Value::Array(outbox).to_string())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// PostgreSQL: one multi-row INSERT per table.
    async fn flush_rows(&self, conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        insert_rows!(
            conn,
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
            conn,
            "INSERT INTO timeline (incident_id, at, kind, actor, channel, message) ",
            self.timeline,
            |b, r| {
                b.push_bind(r.incident_id)
                    .push_bind(r.at)
                    .push_bind(r.kind.as_str())
                    .push_bind(&r.actor)
                    .push_bind(r.channel.as_str())
                    .push_bind(&r.message);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO outbox (room, incident_id, notification, created_at, due_at, method, recipient) ",
            self.outbox,
            |b, r| {
                b.push_bind(&r.room)
                    .push_bind(r.incident_id)
                    .push_bind(&r.notification)
                    .push_bind(r.created_at)
                    .push_bind(r.created_at)
                    .push_bind(r.method.as_str())
                    .push_bind(&r.recipient);
            }
        );
        Ok(())
    }
}
