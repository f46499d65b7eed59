-- How deep each comment sits in its thread: 0 answers the review, a parent's depth + 1 answers
-- a comment. Set by the insert from the parent's (a comment's parent never changes), so how deep
-- a comment sits is known without walking its chain of parents.
ALTER TABLE comments ADD COLUMN depth integer NOT NULL DEFAULT 0 CHECK (depth >= 0);

-- Existing comments: walked from the top-level ones down (parents always exist before their
-- answers, so every comment is reached once). Fresh statistics first: without them the planner
-- walks the whole table at every level (6.5 s instead of 0.6 s for 100,000 comments and one
-- chain 5,000 deep).
ANALYZE comments;
WITH RECURSIVE levels (id, depth) AS (
    SELECT id, 0 FROM comments WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, l.depth + 1 FROM comments c JOIN levels l ON c.parent_id = l.id
)
UPDATE comments c SET depth = l.depth FROM levels l WHERE c.id = l.id AND l.depth <> 0;
