-- Hosts whose deliveries have all failed for a long time (Mastodon's "unavailable domains"):
-- `failing_since` is the first failure since the host last answered, `unavailable_since`
-- when it was given up on. An unavailable host gets nothing at fan-out until anything
-- arrives from it, or the critic resumes it.
ALTER TABLE delivery_hosts
    ADD COLUMN failing_since     timestamptz,
    ADD COLUMN unavailable_since timestamptz;
