-- A review deleted at the desk waits in the trash, off the blog, while the critic may undo it;
-- then it is deleted for good and the fediverse is told. `trashed_status` is what it was.
ALTER TABLE reviews
    ADD COLUMN trashed_at timestamptz,
    ADD COLUMN trashed_status text CHECK (trashed_status IN ('draft', 'scheduled', 'published')),
    ADD CONSTRAINT reviews_trash_whole CHECK ((trashed_at IS NULL) = (trashed_status IS NULL));

CREATE INDEX reviews_trashed ON reviews (trashed_at) WHERE trashed_at IS NOT NULL AND deleted_at IS NULL;
