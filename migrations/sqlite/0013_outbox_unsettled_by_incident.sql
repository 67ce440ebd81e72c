-- The outbox claim's lookup of an earlier unsettled row for the same incident and addressee
-- (engine/src/store/outbox.rs, CLAIMABLE). Its predicate is written as one expression, not as
-- `delivered_at IS NULL AND failed_at IS NULL`, so no other partial index of unsettled rows
-- (`outbox_pending`, the lanes' `outbox_due_*`) can answer the lookup: with statistics gathered
-- while the outbox was quiet, PostgreSQL's planner walked a lane's whole due index for every
-- candidate row instead (issue 14).
CREATE INDEX outbox_unsettled_by_incident ON outbox (incident_id, id)
    WHERE COALESCE(delivered_at, failed_at) IS NULL;
