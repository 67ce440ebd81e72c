-- The mail log: one row per inbound mail (and per service it was addressed to) with what became
-- of it — triggered, deduplicated, resolved, dropped, suppressed, discarded (by the filter or the
-- fallback) or refused — so admins can see why a rule did or did not fire. `service` is NULL for
-- a mail refused before it could be routed (an unknown address). Timestamps are microseconds
-- since the Unix epoch.
CREATE TABLE email_log (
    id          BIGSERIAL PRIMARY KEY,
    received_at BIGINT  NOT NULL,
    via         TEXT    NOT NULL,
    service     TEXT,
    recipient   TEXT,
    sender      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    message_id  TEXT,
    size        BIGINT  NOT NULL,
    outcome     TEXT    NOT NULL,
    reason      TEXT,
    rule        BIGINT,
    dedup_key   TEXT,
    incident_id BIGINT  REFERENCES incidents (id)
);
CREATE INDEX email_log_by_service ON email_log (service, id);
CREATE INDEX email_log_by_outcome ON email_log (outcome, id);
