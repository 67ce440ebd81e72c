-- firebell schema, PostgreSQL flavour. Timestamps are microseconds since the Unix epoch (BIGINT),
-- identical to the SQLite schema so one SQL text serves both.

CREATE TABLE incidents (
    id               BIGSERIAL PRIMARY KEY, -- the incident number users see (#42)
    service          TEXT    NOT NULL,
    dedup_key        TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    source           TEXT,
    severity         TEXT    NOT NULL CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    status           TEXT    NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    alert_count      BIGINT  NOT NULL DEFAULT 1,
    created_at       BIGINT  NOT NULL,
    last_alert_at    BIGINT  NOT NULL,
    acknowledged_at  BIGINT,
    acknowledged_by  TEXT,
    acknowledged_via TEXT,
    resolved_at      BIGINT,
    resolved_by      TEXT,
    resolved_via     TEXT,
    details          TEXT    NOT NULL DEFAULT '{}'
);

-- At most one open incident per (service, dedup key): the dedup invariant, enforced by the database.
CREATE UNIQUE INDEX incidents_open_dedup ON incidents (service, dedup_key) WHERE status <> 'resolved';
CREATE INDEX incidents_by_status ON incidents (status, id);

-- Every event received, whatever became of it (created, deduplicated, acknowledged, resolved, dropped).
CREATE TABLE alerts (
    id          BIGSERIAL PRIMARY KEY,
    service     TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    reason      TEXT,
    incident_id BIGINT  REFERENCES incidents (id),
    actor       TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    received_at BIGINT  NOT NULL,
    payload     TEXT    NOT NULL
);
CREATE INDEX alerts_by_incident ON alerts (incident_id, id);
CREATE INDEX alerts_by_outcome ON alerts (outcome, id);

CREATE TABLE timeline (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    message     TEXT    NOT NULL
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, id);

-- Change events (deploys, config changes): recorded on the service, never page.
CREATE TABLE change_events (
    id          BIGSERIAL PRIMARY KEY,
    service     TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    source      TEXT,
    happened_at BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL,
    payload     TEXT    NOT NULL
);
CREATE INDEX change_events_by_service ON change_events (service, id);

-- Transactional outbox: written in the same transaction as the change that causes it,
-- delivered by a worker with retries, in order per incident.
CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    room         TEXT    NOT NULL,
    incident_id  BIGINT  REFERENCES incidents (id),
    notification TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    due_at       BIGINT  NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    locked_until BIGINT,
    delivered_at BIGINT,
    failed_at    BIGINT,
    last_error   TEXT,
    external_ref TEXT
);
CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_by_incident ON outbox (incident_id, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
