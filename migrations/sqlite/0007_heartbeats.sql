-- Heartbeats (dead man's switch): one row per configured heartbeat, created when firebell first
-- sees it in the config. The watch starts at `first_seen`, so a heartbeat that never checks in
-- still fires. `down_since` and `fired_at` are set in the same transaction that opens the missed
-- heartbeat's incident, and `down_since` is cleared by the check-in that resolves it, so a miss
-- fires once and a recovery resolves once, across restarts and replicas. Rows of heartbeats
-- removed from the config are kept but ignored. Timestamps are microseconds since the Unix epoch.
CREATE TABLE heartbeats (
    name         TEXT    PRIMARY KEY,
    first_seen   INTEGER NOT NULL,
    last_checkin INTEGER,
    checkins     INTEGER NOT NULL DEFAULT 0,
    -- Set when the first miss (or reported failure) fired; NULL while it is up.
    down_since   INTEGER,
    -- The last trigger sent for it (a miss or a reported failure).
    fired_at     INTEGER,
    -- The incident that trigger opened or joined; NULL when a maintenance window held it back.
    incident_id  INTEGER
);
