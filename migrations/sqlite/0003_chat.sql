-- Chat messages firebell keeps up to date, per chat platform: each incident's card (or the storm
-- summary it was bundled into), so every change edits the message in place and the thread finds
-- its incident. Timestamps are microseconds since the Unix epoch, as in 0001.
CREATE TABLE chat_bundles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform    TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    -- Slack `ts` / Discord message id; NULL until the summary has been posted.
    message_id  TEXT,
    opened_at   INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    -- Hash of the content last sent, so a backlog of updates after an outage sends one.
    rendered    TEXT,
    -- Users already mentioned in the summary's thread (space-separated firebell ids).
    mentioned   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX chat_bundles_recent ON chat_bundles (platform, channel, last_at);

CREATE TABLE chat_cards (
    platform    TEXT    NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    channel     TEXT    NOT NULL,
    -- The card's message id, or the storm summary's when `bundle_id` is set.
    message_id  TEXT    NOT NULL,
    bundle_id   INTEGER REFERENCES chat_bundles (id),
    rendered    TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, incident_id)
);
CREATE INDEX chat_cards_by_message ON chat_cards (platform, channel, message_id);
CREATE INDEX chat_cards_recent ON chat_cards (platform, channel, created_at);
CREATE INDEX chat_cards_by_bundle ON chat_cards (bundle_id) WHERE bundle_id IS NOT NULL;
