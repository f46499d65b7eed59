-- Images the critic uploaded: a review's poster or its stills, with the alt text readers who
-- cannot see them get, the upright size, and the sizes made (each a stored media name, its
-- width and height; narrowest first). The files themselves are in the media store.
CREATE TABLE images (
    id uuid PRIMARY KEY,
    review_id uuid REFERENCES reviews (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('poster', 'still')),
    alt text NOT NULL CHECK (length(btrim(alt)) > 0),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    variants jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_review ON images (review_id, created_at);
-- The name of the largest size, which is what a review's poster address names.
CREATE INDEX images_largest ON images ((variants -> -1 ->> 'name'));
