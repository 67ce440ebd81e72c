-- On call (PostgreSQL flavour): escalation state per incident, notification steps, overrides, maintenance windows,
-- handoff tracking. Timestamps are microseconds since the Unix epoch, as in 0001.

-- Escalation state: the next level to start (0-based), in which loop of the policy, and when.
-- `esc_gen` changes whenever the ladder is restarted or moved (ack timeout, !escalate), which
-- turns every not-yet-fired step of the old ladder into a no-op.
ALTER TABLE incidents ADD COLUMN esc_gen     BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN esc_level   BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN esc_loop    BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN esc_next_at BIGINT;
CREATE INDEX incidents_escalation_due ON incidents (esc_next_at) WHERE status = 'triggered' AND esc_next_at IS NOT NULL;

-- One row per person × method × level run: "SMS alice at 03:02 for level 1". Fired at most once
-- (the unique key and the claim inside the firing transaction make sure of it).
CREATE TABLE pages (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    esc_gen     BIGINT  NOT NULL,
    level       BIGINT  NOT NULL,
    loop_no     BIGINT  NOT NULL,
    user_id     TEXT    NOT NULL,
    method      TEXT    NOT NULL CHECK (method IN ('chat', 'sms', 'voice', 'email')),
    due_at      BIGINT  NOT NULL,
    deferred    BIGINT  NOT NULL DEFAULT 0,
    fired_at    BIGINT,
    outcome     TEXT,
    UNIQUE (incident_id, esc_gen, level, loop_no, user_id, method)
);
CREATE INDEX pages_due ON pages (due_at) WHERE fired_at IS NULL;

-- Outbox rows addressed to a person (a page, a status notice) rather than to a room.
ALTER TABLE outbox ADD COLUMN method    TEXT NOT NULL DEFAULT 'room';
ALTER TABLE outbox ADD COLUMN recipient TEXT;
ALTER TABLE outbox ADD COLUMN provider  TEXT;
-- A page re-sent through the second provider after the first reported it failed: at most once.
ALTER TABLE outbox ADD COLUMN failover_of BIGINT;
CREATE UNIQUE INDEX outbox_failover_once ON outbox (failover_of) WHERE failover_of IS NOT NULL;
CREATE INDEX outbox_by_ref ON outbox (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX outbox_by_recipient ON outbox (recipient, id) WHERE recipient IS NOT NULL;

CREATE TABLE overrides (
    id           BIGSERIAL PRIMARY KEY,
    schedule     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    start_at     BIGINT  NOT NULL,
    end_at       BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL,
    created_via  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    cancelled_at BIGINT,
    cancelled_by TEXT
);
CREATE INDEX overrides_current ON overrides (schedule, end_at) WHERE cancelled_at IS NULL;

CREATE TABLE maintenance (
    id          BIGSERIAL PRIMARY KEY,
    matcher     TEXT    NOT NULL,
    reason      TEXT,
    room        TEXT,
    created_by  TEXT    NOT NULL,
    created_via TEXT    NOT NULL,
    starts_at   BIGINT  NOT NULL,
    ends_at     BIGINT  NOT NULL,
    ended_by    TEXT,
    suppressed  BIGINT  NOT NULL DEFAULT 0,
    warned_at   BIGINT,
    closed_at   BIGINT
);
CREATE INDEX maintenance_open ON maintenance (ends_at) WHERE closed_at IS NULL;

-- Who each schedule had on call when last looked at, so a handoff is announced exactly once.
CREATE TABLE schedule_state (
    schedule TEXT    PRIMARY KEY,
    on_call  TEXT,
    since    BIGINT  NOT NULL
);
