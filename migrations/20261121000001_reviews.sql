-- Reviews, their retired slugs, and admin API tokens.

CREATE TABLE reviews (
    id              uuid PRIMARY KEY,
    -- NULL once the review is deleted: the slug is free again, the id never is.
    slug            text UNIQUE,
    title           text NOT NULL,
    body            text NOT NULL,
    body_html       text NOT NULL,
    summary         text,
    summary_html    text NOT NULL,
    summary_text    text NOT NULL,
    film            jsonb NOT NULL,
    rating_value    double precision,
    rating_best     integer,
    spoiler_warning text,
    categories      jsonb NOT NULL DEFAULT '[]',
    category_keys   text[] NOT NULL DEFAULT '{}',
    tags            jsonb NOT NULL DEFAULT '[]',
    tag_keys        text[] NOT NULL DEFAULT '{}',
    language        text NOT NULL,
    author          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    publish_at      timestamptz,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CHECK (status <> 'scheduled' OR publish_at IS NOT NULL),
    CHECK (status <> 'published' OR published_at IS NOT NULL),
    CHECK ((rating_value IS NULL) = (rating_best IS NULL)),
    CHECK (deleted_at IS NOT NULL OR slug IS NOT NULL)
);

CREATE INDEX reviews_public ON reviews (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX reviews_due ON reviews (publish_at) WHERE status = 'scheduled' AND deleted_at IS NULL;
CREATE INDEX reviews_category_keys ON reviews USING gin (category_keys);
CREATE INDEX reviews_tag_keys ON reviews USING gin (tag_keys);
CREATE INDEX reviews_admin ON reviews (created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- Slugs a review used to have: their pages redirect to the current one.
CREATE TABLE review_slug_history (
    slug       text PRIMARY KEY,
    review_id  uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    retired_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_slug_history_review ON review_slug_history (review_id);

-- Admin API tokens minted with `reviewpub token create`; only a SHA-256 of each is kept.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
