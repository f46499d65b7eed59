-- Host backoff counts rounds of requests, not requests (see src/federation/delivery.rs).
-- `generation` changes whenever a host's failure record does; a failed request counts against
-- its host only if the host's generation is still the one it saw when it was claimed, so
-- requests in flight together count once.
ALTER TABLE delivery_hosts ADD COLUMN generation bigint NOT NULL DEFAULT 0;

-- The due jobs of one host: the single trial request of a host whose backoff has run out.
CREATE INDEX deliveries_host_due ON deliveries (host, next_attempt_at, id) WHERE status = 'pending';

-- Hosts with a failure record that closes them: every claim looks for those due a trial.
CREATE INDEX delivery_hosts_closed ON delivery_hosts (backoff_until) WHERE backoff_until IS NOT NULL;
