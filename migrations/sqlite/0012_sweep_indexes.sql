-- The timer's sweeps read only the incidents that are due, never every open one (issue 14):
-- acknowledged incidents by when they were acknowledged (ack timeouts), and open incidents by
-- their last alert (auto-resolve), each per service.
CREATE INDEX incidents_ack_timeout_due ON incidents (service, acknowledged_at) WHERE status = 'acknowledged';
CREATE INDEX incidents_quiet_since ON incidents (service, last_alert_at) WHERE status <> 'resolved';
