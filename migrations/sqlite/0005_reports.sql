-- Indexes for the manager summary (engine/src/store/reports.rs). Each figure over a period is
-- read from one of these, in index order, so a year of a million incidents is summarised without
-- sorting it or visiting table rows. Partial indexes keep the ones that serve rare rows small.
-- Timestamps are microseconds since the Unix epoch, as in 0001.

-- Incidents opened per UTC day, service and severity, with the duration sums: covering, and in
-- GROUP BY order. The day expression must stay exactly `created_at / 86400000000`, as the
-- queries write it.
CREATE INDEX incidents_report_days ON incidents (
    (created_at / 86400000000), service, severity, created_at, acknowledged_at, resolved_at
);
-- One service's incidents opened in a stretch of time (urgency by support hours).
CREATE INDEX incidents_by_service ON incidents (service, created_at);
-- Percentiles: durations in order, so the value at a rank is a walk along the index.
CREATE INDEX incidents_ack_time ON incidents ((acknowledged_at - created_at), created_at, service)
    WHERE acknowledged_at IS NOT NULL;
CREATE INDEX incidents_resolve_time ON incidents ((resolved_at - created_at), created_at, service)
    WHERE resolved_at IS NOT NULL;
-- Auto-resolved incidents (resolved by firebell itself).
CREATE INDEX incidents_auto_resolved ON incidents (created_at, acknowledged_at, service, resolved_via)
    WHERE resolved_via = 'system';

-- Alerts received in a period, counted per outcome (one range each).
CREATE INDEX alerts_by_time ON alerts (outcome, received_at, service);
-- The noisiest dedup keys: trigger events grouped by key in index order.
CREATE INDEX alerts_by_key ON alerts (service, dedup_key, received_at, action, outcome, incident_id)
    WHERE action = 'trigger';

-- The few timeline entries after which `acknowledged_at` is no longer the first acknowledgement
-- (a re-trigger, a person's `!escalate`); also the escalations by hand.
CREATE INDEX timeline_ack_cleared ON timeline (at, incident_id, kind, channel)
    WHERE kind = 'retriggered' OR (kind = 'escalated' AND channel <> 'system');
-- The first acknowledgement of those incidents (one entry per acknowledgement: few writes).
CREATE INDEX timeline_acknowledged ON timeline (incident_id, at) WHERE kind = 'acknowledged';

-- Pages past the first level or pass: escalations by timeout.
CREATE INDEX pages_escalated ON pages (due_at, incident_id, level, loop_no) WHERE level > 0 OR loop_no > 0;
-- Pages that went out, per person and time (interruptions).
CREATE INDEX pages_interruptions ON pages (user_id, fired_at, outcome, incident_id) WHERE outcome = 'queued';

-- Notifications to people, per contact method and time; the failed ones apart (few).
CREATE INDEX outbox_to_people ON outbox (method, created_at, recipient, incident_id)
    WHERE recipient IS NOT NULL;
CREATE INDEX outbox_failed_people ON outbox (method, created_at, recipient, failed_at, incident_id)
    WHERE recipient IS NOT NULL AND failed_at IS NOT NULL;
