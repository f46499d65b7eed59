-- Private preview links of drafts and scheduled reviews: whoever has the link sees the page as
-- it will look (the critic shares it with an editor, a friend). One per review, made when first
-- asked for.
CREATE TABLE review_previews (
    review_id uuid PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    token text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
