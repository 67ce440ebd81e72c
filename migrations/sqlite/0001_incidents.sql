-- firebell schema, SQLite flavour. Timestamps are microseconds since the Unix epoch (INTEGER),
-- identical to the PostgreSQL schema so one SQL text serves both.

CREATE TABLE incidents (
    -- The incident number users see (#42). Plain rowid, not AUTOINCREMENT: AUTOINCREMENT would draw
    -- a number for every deduplicated upsert and leave gaps; incidents are never deleted, so a
    -- number is never reused.
    id               INTEGER PRIMARY KEY,
    service          TEXT    NOT NULL,
    dedup_key        TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    source           TEXT,
    severity         TEXT    NOT NULL CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    status           TEXT    NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    alert_count      INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    last_alert_at    INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    acknowledged_via TEXT,
    resolved_at      INTEGER,
    resolved_by      TEXT,
    resolved_via     TEXT,
    details          TEXT    NOT NULL DEFAULT '{}'
);

-- At most one open incident per (service, dedup key): the dedup invariant, enforced by the database.
CREATE UNIQUE INDEX incidents_open_dedup ON incidents (service, dedup_key) WHERE status <> 'resolved';
CREATE INDEX incidents_by_status ON incidents (status, id);

-- Every event received, whatever became of it (created, deduplicated, acknowledged, resolved, dropped).
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    reason      TEXT,
    incident_id INTEGER REFERENCES incidents (id),
    actor       TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    payload     TEXT    NOT NULL
);
CREATE INDEX alerts_by_incident ON alerts (incident_id, id);
CREATE INDEX alerts_by_outcome ON alerts (outcome, id);

CREATE TABLE timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    message     TEXT    NOT NULL
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, id);

-- Change events (deploys, config changes): recorded on the service, never page.
CREATE TABLE change_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    source      TEXT,
    happened_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    payload     TEXT    NOT NULL
);
CREATE INDEX change_events_by_service ON change_events (service, id);

-- Transactional outbox: written in the same transaction as the change that causes it,
-- delivered by a worker with retries, in order per incident.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    room         TEXT    NOT NULL,
    incident_id  INTEGER REFERENCES incidents (id),
    notification TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    delivered_at INTEGER,
    failed_at    INTEGER,
    last_error   TEXT,
    external_ref TEXT
);
CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_by_incident ON outbox (incident_id, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
