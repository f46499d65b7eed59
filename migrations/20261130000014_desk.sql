-- The critic's desk (/admin): one password (argon2id, PHC string) and the sessions signed in
-- with it. A session is known by the SHA-256 of its cookie's secret; its CSRF token goes into
-- every form of the desk.
CREATE TABLE desk_password (
    only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE desk_sessions (
    id bytea PRIMARY KEY,
    csrf text NOT NULL,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX desk_sessions_expiry ON desk_sessions (expires_at);
