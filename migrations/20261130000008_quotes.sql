-- Quotes of reviews (FEP-044f). A `QuoteRequest` is answered `Accept` with a stamp
-- (`QuoteAuthorization`, served at /quotes/{id}) or `Reject`; a stamp is revoked (`Delete`)
-- when the review goes or its quote policy no longer allows the quote. A review's own policy
-- overrides `federation.quote_policy`; NULL follows it.
ALTER TABLE reviews
    ADD COLUMN quote_policy text CHECK (quote_policy IN ('anyone', 'followers', 'nobody'));

CREATE TABLE quotes (
    -- The stamp's id (/quotes/{id}).
    id           uuid PRIMARY KEY,
    -- The QuoteRequest answered.
    request_id   text NOT NULL UNIQUE,
    review_id    uuid NOT NULL REFERENCES reviews (id),
    -- The quoting post and its author, and where the author gets our answer.
    quoting_post text NOT NULL,
    author       text NOT NULL,
    author_inbox text NOT NULL,
    state        text NOT NULL CHECK (state IN ('accepted', 'rejected', 'revoked')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
-- One live stamp per quoting post and review.
CREATE UNIQUE INDEX quotes_one_accepted ON quotes (review_id, quoting_post) WHERE state = 'accepted';
CREATE INDEX quotes_by_review ON quotes (review_id, created_at);
