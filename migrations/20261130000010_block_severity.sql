-- Domain blocks imported from elsewhere (Mastodon's CSV): a suspend refuses everything from the
-- server, as before; a silence only holds every comment from it for the critic's approval.
ALTER TABLE blocks ADD COLUMN severity text NOT NULL DEFAULT 'suspend'
    CHECK (severity IN ('suspend', 'silence'));

CREATE OR REPLACE FUNCTION actor_is_blocked(actor text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT actor IS NOT NULL AND EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'suspend'
          AND ((b.kind = 'actor' AND b.value = actor)
           OR (b.kind = 'domain' AND (b.value = url_authority(actor)
                                      OR b.value = url_host(actor)
                                      OR right(url_host(actor), length(b.value) + 1) = '.' || b.value)))
    )
$$;

-- Whether an actor's server is silenced: its comments wait for approval.
CREATE OR REPLACE FUNCTION actor_is_silenced(actor text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT actor IS NOT NULL AND EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'silence' AND b.kind = 'domain'
          AND (b.value = url_authority(actor)
               OR b.value = url_host(actor)
               OR right(url_host(actor), length(b.value) + 1) = '.' || b.value)
    )
$$;
