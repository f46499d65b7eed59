-- The comment thread of each review: replies from the fediverse, the critic's answers, and
-- comments imported from an older blog; reactions, blocks and reports.

CREATE TABLE comments (
    id             uuid PRIMARY KEY,
    -- The ActivityPub id: the remote Note's, or ours (/comments/{id}) for local and imported ones.
    ap_id          text NOT NULL UNIQUE,
    review_id      uuid NOT NULL REFERENCES reviews (id),
    parent_id      uuid REFERENCES comments (id),
    origin         text NOT NULL CHECK (origin IN ('remote', 'local', 'imported')),
    author_actor   text REFERENCES remote_actors (id) ON DELETE SET NULL,
    author_name    text NOT NULL,
    author_handle  text,
    author_url     text,
    author_avatar  text,
    url            text,
    content_html   text NOT NULL,
    source         text,
    summary        text,
    sensitive      boolean NOT NULL DEFAULT false,
    -- public: shown once published; private: followers-only or direct, for the critic only.
    visibility     text NOT NULL CHECK (visibility IN ('public', 'private')),
    status         text NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    published_at   timestamptz NOT NULL,
    edited_at      timestamptz,
    deleted_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_thread ON comments (review_id, published_at);
CREATE INDEX comments_author ON comments (author_actor);
CREATE INDEX comments_parent ON comments (parent_id);

-- Likes and boosts of reviews; one of each kind per actor and review.
CREATE TABLE reactions (
    activity_id text PRIMARY KEY,
    review_id   uuid NOT NULL REFERENCES reviews (id),
    actor_id    text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('like', 'announce')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (review_id, actor_id, kind)
);

-- Blocked actors (by id) and domains (by host).
CREATE TABLE blocks (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('actor', 'domain')),
    value      text NOT NULL,
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, value)
);

-- Reports (`Flag`) from other servers.
CREATE TABLE reports (
    id          uuid PRIMARY KEY,
    activity_id text NOT NULL UNIQUE,
    actor_id    text NOT NULL,
    content     text,
    objects     text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
