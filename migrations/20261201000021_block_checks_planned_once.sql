-- The block checks in PL/pgSQL: a SQL function with a sub-select is never inlined, so
-- PostgreSQL parsed and planned its body again on every call (every incoming activity asks
-- at least twice). PL/pgSQL keeps the plan for the session. The rules are unchanged.

CREATE OR REPLACE FUNCTION actor_is_blocked(actor text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    actor_host text := url_host(actor);
    actor_authority text := url_authority(actor);
BEGIN
    IF actor IS NULL THEN
        RETURN false;
    END IF;
    RETURN EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'suspend'
          AND ((b.kind = 'actor' AND b.value = actor)
           OR (b.kind = 'domain' AND (b.value = actor_authority
                                      OR b.value = actor_host
                                      OR right(actor_host, length(b.value) + 1) = '.' || b.value)))
    );
END
$$;

CREATE OR REPLACE FUNCTION actor_is_silenced(actor text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    actor_host text := url_host(actor);
    actor_authority text := url_authority(actor);
BEGIN
    IF actor IS NULL THEN
        RETURN false;
    END IF;
    RETURN EXISTS (
        SELECT 1 FROM blocks b
        WHERE b.severity = 'silence' AND b.kind = 'domain'
          AND (b.value = actor_authority
               OR b.value = actor_host
               OR right(actor_host, length(b.value) + 1) = '.' || b.value)
    );
END
$$;
