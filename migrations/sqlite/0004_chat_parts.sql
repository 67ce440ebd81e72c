-- A room served by several chat platforms gets each outbox row once per platform. When one
-- platform fails and the row is retried, the platforms that already took it are skipped, so
-- nothing is posted twice there. Timestamps are microseconds since the Unix epoch.
CREATE TABLE outbox_parts (
    outbox_id    INTEGER NOT NULL REFERENCES outbox (id),
    platform     TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (outbox_id, platform)
);
