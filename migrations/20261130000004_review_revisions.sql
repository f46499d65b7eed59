-- A review withdrawn from the fediverse (back to draft, or rescheduled) was deleted there,
-- and servers keep a tombstone for its id: Mastodon refuses a `Create` for it ever after.
-- When it is published again it goes out under a new id, `/reviews/{id}/v{ap_revision}`;
-- the ids before it answer 410 since `ap_retired_at`. Its page URL never changes.
ALTER TABLE reviews
    ADD COLUMN ap_revision   integer NOT NULL DEFAULT 0,
    ADD COLUMN ap_retired_at timestamptz;
