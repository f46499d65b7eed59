-- Where imported reviews and comments came from, so that importing the same WordPress export
-- again finds them instead of creating them twice; and the old blog's addresses of each post,
-- which answer 301 to its page here.
CREATE TABLE wordpress_posts (
    -- The export's wp:base_blog_url: post ids are only unique within one blog.
    site text NOT NULL,
    post_id bigint NOT NULL,
    guid text NOT NULL,
    review_id uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site, post_id)
);

CREATE TABLE wordpress_comments (
    site text NOT NULL,
    comment_id bigint NOT NULL,
    comment_uuid uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site, comment_id)
);

-- A path of the old blog ('/2011/02/04/never-let-me-go', no trailing slash; '/?p=123').
CREATE TABLE legacy_paths (
    path text PRIMARY KEY,
    review_id uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE
);
CREATE INDEX legacy_paths_review ON legacy_paths (review_id);
