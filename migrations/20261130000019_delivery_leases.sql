-- A job in flight holds a lease: `leased_until` is set when a worker (of any process) claims it
-- and cleared when its outcome is written (delivered, failed, retry scheduled). Claims count a
-- host's live leases (`leased_until > now()`) against `federation.per_host_concurrency`, so the
-- limit holds across every process sharing the database; a lease that ran out (its worker
-- died) stops counting.
ALTER TABLE deliveries ADD COLUMN leased_until timestamptz;

-- A host's live leases, counted at every claim: only the jobs in flight are in it.
CREATE INDEX deliveries_leased ON deliveries (host, leased_until) WHERE leased_until IS NOT NULL;

-- Claims read due jobs in the order (next_attempt_at, id): with the id in the index the scan
-- stops after the window instead of sorting every due job (a fan-out's jobs share one
-- next_attempt_at).
CREATE INDEX deliveries_due_in_order ON deliveries (next_attempt_at, id) WHERE status = 'pending';
DROP INDEX deliveries_due;
