-- Whether a review takes replies: as the blog's default (open, or closed some days after
-- publication), or opened or closed by the critic.
ALTER TABLE reviews ADD COLUMN replies text NOT NULL DEFAULT 'default'
    CHECK (replies IN ('default', 'open', 'closed'));
