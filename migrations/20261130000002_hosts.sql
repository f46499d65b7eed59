-- One home for the block rule, used by every query that hides or refuses blocked actors.
-- A URL's host and authority as reviewpub compares them: lowercase, without a trailing dot,
-- without user info; the authority keeps a port that is not the scheme's default.
CREATE OR REPLACE FUNCTION url_host(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rtrim(lower(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^]]*\]|[^/:?#]*)')), '.')
$$;

CREATE OR REPLACE FUNCTION url_authority(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT url_host(url) || coalesce(
        ':' || nullif(nullif(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?:\[[^]]*\]|[^/:?#]*):([0-9]+)'),
                             CASE lower(split_part(url, ':', 1)) WHEN 'https' THEN '443' WHEN 'http' THEN '80' END), ''),
        '')
$$;

-- Whether an actor (by id) is blocked: the actor itself; or a domain block of its server
-- (with the port, when the block names one) or of a parent domain, as Mastodon's cover
-- subdomains.
CREATE OR REPLACE FUNCTION actor_is_blocked(actor text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT actor IS NOT NULL AND EXISTS (
        SELECT 1 FROM blocks b
        WHERE (b.kind = 'actor' AND b.value = actor)
           OR (b.kind = 'domain' AND (b.value = url_authority(actor)
                                      OR b.value = url_host(actor)
                                      OR right(url_host(actor), length(b.value) + 1) = '.' || b.value))
    )
$$;

-- Domain blocks stored before normalization: lowercase, no trailing dot before the port.
DELETE FROM blocks a USING blocks b
 WHERE a.kind = 'domain' AND b.kind = 'domain' AND a.id <> b.id
   AND regexp_replace(lower(a.value), '\.(:[0-9]+)?$', '\1') = regexp_replace(lower(b.value), '\.(:[0-9]+)?$', '\1')
   AND (a.created_at, a.id) > (b.created_at, b.id);
UPDATE blocks SET value = regexp_replace(lower(value), '\.(:[0-9]+)?$', '\1') WHERE kind = 'domain';
