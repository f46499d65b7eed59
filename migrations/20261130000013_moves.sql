-- The blog moving to another account (`reviewpub move`): where it went and when. The current
-- move is the one not cancelled; the actor says `movedTo` and every page says where.
CREATE TABLE moves (
    id uuid PRIMARY KEY,
    -- The new account's actor id, its handle and its profile page.
    target text NOT NULL,
    target_handle text NOT NULL,
    target_url text NOT NULL,
    -- The `Move` activity sent to the followers.
    activity_id text NOT NULL,
    moved_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz
);

CREATE UNIQUE INDEX moves_one_current ON moves ((true)) WHERE cancelled_at IS NULL;
