-- Requests that act on incidents, by the sender's own id (Twilio's MessageSid, a call's CallSid
-- and key, Slack's event_id): the first delivery inserts its row and acts; a replay or a retry
-- finds the key taken and changes nothing. A unique index, so it holds across replicas and
-- restarts. Each row expires (`expires_at`, microseconds since the Unix epoch) and the timer
-- worker deletes expired rows in small batches.
CREATE TABLE inbound_seen (
    id         BIGSERIAL PRIMARY KEY,
    source     TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    seen_at    BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX inbound_seen_once ON inbound_seen (source, key);
CREATE INDEX inbound_seen_by_expiry ON inbound_seen (expires_at);

-- The mail log's retention (`[email] log_retention`) deletes the oldest rows first, in batches.
CREATE INDEX email_log_by_received ON email_log (received_at);
