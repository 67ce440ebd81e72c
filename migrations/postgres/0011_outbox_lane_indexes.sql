-- One index of due rows per outbox lane. Each lane's worker claims with its own method filter;
-- through the shared `outbox_pending (due_at, id)` index, a lane whose rows are few (direct pages
-- while room posts back up behind a chat platform's rate limit or outage, or with no chat
-- platform at all) walked every pending row of the other lanes on every claim, inside the write
-- transaction, after every ingest commit: 14 ms at 76,000 pending room posts and growing, stalling
-- ingest. Each index holds only its lane's unsettled rows, so a claim reads what it can take.
CREATE INDEX outbox_due_direct ON outbox (due_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND method IN ('sms', 'voice', 'email');
CREATE INDEX outbox_due_chat ON outbox (due_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND method IN ('room', 'chat');
CREATE INDEX outbox_due_hooks ON outbox (due_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND method = 'hook';
