-- Federation: actor keys, remote actors, followers, received activity ids, the outbox and the
-- durable delivery queue.

-- RSA key pairs of the local actors ('blog', 'instance'); generated once, never logged.
CREATE TABLE actor_keys (
    actor           text PRIMARY KEY,
    public_key_pem  text NOT NULL,
    private_key_pem text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Remote actors we have fetched, with the key that verifies their signatures.
CREATE TABLE remote_actors (
    id                 text PRIMARY KEY,
    inbox              text NOT NULL,
    shared_inbox       text,
    public_key_pem     text NOT NULL,
    preferred_username text,
    name               text,
    url                text,
    icon_url           text,
    kind               text NOT NULL,
    fetched_at         timestamptz NOT NULL
);

-- Who follows the blog. `inbox` is where deliveries go (the shared inbox when there is one).
CREATE TABLE followers (
    id           uuid NOT NULL UNIQUE,
    actor_id     text PRIMARY KEY REFERENCES remote_actors (id) ON DELETE CASCADE,
    follow_id    text NOT NULL,
    inbox        text NOT NULL,
    host         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz
);
CREATE INDEX followers_accepted_inbox ON followers (inbox) WHERE status = 'accepted';

-- Ids of activities already processed: a repeated delivery is acknowledged and ignored.
CREATE TABLE received_activities (
    id          text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Activities the blog sent, newest last; the outbox lists the public Creates.
CREATE TABLE outgoing_activities (
    id         uuid PRIMARY KEY,
    ap_id      text NOT NULL UNIQUE,
    kind       text NOT NULL,
    review_id  uuid REFERENCES reviews (id),
    public     boolean NOT NULL,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outgoing_activities_outbox ON outgoing_activities (created_at DESC) WHERE public AND kind = 'Create';

-- One row per activity and inbox. Workers claim due rows with FOR UPDATE SKIP LOCKED and push
-- next_attempt_at past a lease while they work, so a crashed worker's rows come back.
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    activity_id     uuid NOT NULL REFERENCES outgoing_activities (id),
    inbox           text NOT NULL,
    host            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_failed ON deliveries (finished_at DESC) WHERE status = 'failed';

-- A remote host that keeps failing is backed off as a whole.
CREATE TABLE delivery_hosts (
    host                 text PRIMARY KEY,
    consecutive_failures integer NOT NULL DEFAULT 0,
    backoff_until        timestamptz
);

-- Reviews pinned to the blog's profile (the `featured` collection).
CREATE TABLE featured_reviews (
    review_id  uuid PRIMARY KEY REFERENCES reviews (id),
    pinned_at  timestamptz NOT NULL DEFAULT now()
);

-- Whether the fediverse has the review (a Create went out and no Delete since).
ALTER TABLE reviews ADD COLUMN federated boolean NOT NULL DEFAULT false;
