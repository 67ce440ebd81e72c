-- One row per report digest occurrence that was sent: written in the same transaction as the
-- digest's outbox row, so each occurrence is posted exactly once across restarts and replicas.
-- Timestamps are microseconds since the Unix epoch.
CREATE TABLE report_runs (
    report     TEXT    NOT NULL,
    occurrence BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report, occurrence)
);
