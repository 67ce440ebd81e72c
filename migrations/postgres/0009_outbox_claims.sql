-- Claim tokens: each claim of outbox rows stamps them with a random token. A worker sends a row
-- only after re-checking (and extending) its claim by token, and only the holder of the token
-- may settle the row, so a row taken over by another replica after a lease ran out can never be
-- sent or settled by both.
ALTER TABLE outbox ADD COLUMN claim_token BIGINT;
CREATE INDEX outbox_by_claim ON outbox (claim_token) WHERE claim_token IS NOT NULL AND delivered_at IS NULL AND failed_at IS NULL;

-- A page cancelled because its incident no longer wants it (acknowledged, resolved, or escalated
-- past it): settled like a row given up (failed_at is set too, so every "unsettled" filter and
-- index stays as it is), but neither sent nor failed in reports.
ALTER TABLE outbox ADD COLUMN cancelled_at BIGINT;
