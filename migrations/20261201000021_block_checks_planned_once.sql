-- The block checks in PL/pgSQL: a SQL function with a sub-select is never inlined, so
-- PostgreSQL parsed and planned its body again on every call (every incoming activity asks
-- at least twice). PL/pgSQL keeps the plan for the session. The rules are unchanged.

-- Whether a domain block's value names a server: its authority (host and port), its host,
-- or a domain above it. A simple expression: inlined wherever it is used.
CREATE OR REPLACE FUNCTION domain_block_covers(blocked text, host text, authority text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT blocked = authority OR blocked = host OR right(host, length(blocked) + 1) = '.' || blocked
$$;

CREATE OR REPLACE FUNCTION actor_is_blocked(actor text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN actor IS NOT NULL AND EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'suspend'
          AND ((b.kind = 'actor' AND b.value = actor)
               OR (b.kind = 'domain'
                   AND domain_block_covers(b.value, url_host(actor), url_authority(actor)))));
END
$$;

CREATE OR REPLACE FUNCTION actor_is_silenced(actor text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN actor IS NOT NULL AND EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'silence' AND b.kind = 'domain'
          AND domain_block_covers(b.value, url_host(actor), url_authority(actor)));
END
$$;
