-- Reply requests (GoToSocial's interaction controls). A `ReplyRequest` for a review (or a
-- comment of ours) is answered `Accept` with a `ReplyAuthorization` (served at
-- /reply-authorizations/{id}) when the review takes replies, else `Reject`. Closing a review
-- later does not revoke the authorizations already given.
CREATE TABLE reply_authorizations (
    -- The authorization's id (/reply-authorizations/{id}).
    id              uuid PRIMARY KEY,
    -- The ReplyRequest answered.
    request_id      text NOT NULL UNIQUE,
    review_id       uuid NOT NULL REFERENCES reviews (id),
    -- What the reply answers (our review or comment, as the request named it): the
    -- authorization's interactionTarget.
    target          text NOT NULL,
    -- The reply (interactingObject), its author, and where the author gets our answer.
    reply           text NOT NULL,
    requester       text NOT NULL,
    requester_inbox text NOT NULL,
    state           text NOT NULL CHECK (state IN ('accepted', 'rejected')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- One authorization per reply.
CREATE UNIQUE INDEX reply_authorizations_one_accepted ON reply_authorizations (reply)
    WHERE state = 'accepted';
CREATE INDEX reply_authorizations_by_review ON reply_authorizations (review_id);
