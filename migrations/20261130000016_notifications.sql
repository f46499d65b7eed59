-- Being told (issue 13): what the critic is told of held comments, reports and follow requests.
-- The events themselves are the rows of `comments`, `reports` and `followers` (by their
-- `created_at`); here is only what was done about them.

-- The notification feed's secret URL: only the SHA-256 of its secret is kept.
CREATE TABLE notification_feed (
    only_one    boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    secret_hash bytea NOT NULL,
    made_at     timestamptz NOT NULL DEFAULT now()
);

-- The e-mail rounds' state, one row: a process claims it (FOR UPDATE SKIP LOCKED) for a round,
-- so that two processes never mail the same thing.
CREATE TABLE notification_state (
    only_one       boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    -- What arrived before this is never mailed (reports from before e-mail existed).
    mail_from      timestamptz NOT NULL DEFAULT now(),
    -- When the daily digest last ran (whether it had anything to say or not).
    last_digest_at timestamptz,
    last_sent_at   timestamptz,
    -- The last failure to send (cleared by a success): its message carries no secret.
    last_error     text,
    last_error_at  timestamptz
);
INSERT INTO notification_state DEFAULT VALUES;

-- What was mailed already: a held comment, report or follow request is mailed once.
CREATE TABLE notifications_mailed (
    kind      text NOT NULL CHECK (kind IN ('held_comment', 'report', 'follow_request')),
    item_id   uuid NOT NULL,
    mailed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, item_id)
);
