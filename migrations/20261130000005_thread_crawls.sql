-- Threads that complete themselves: when each review's thread is crawled next for replies
-- that never reached us (often in its first days, rarely later, then never).
CREATE TABLE thread_crawls (
    review_id   uuid PRIMARY KEY REFERENCES reviews (id),
    due_at      timestamptz NOT NULL,
    runs        integer NOT NULL DEFAULT 0,
    last_run_at timestamptz,
    last_found  integer
);
CREATE INDEX thread_crawls_due ON thread_crawls (due_at);
