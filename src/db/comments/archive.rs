//! The `comments` table in an archive: every column, parents before their answers.

use crate::domain::archive::CommentRecord;

super::super::archived_table!(
    CommentRecord,
    "comments",
    "id, ap_id, review_id, parent_id, depth, origin, author_actor, author_name, author_handle, \
     author_url, author_avatar, url, content_html, source, summary, sensitive, visibility, \
     status, published_at, edited_at, deleted_at, created_at",
    "ORDER BY depth, published_at, id",
    archived,
    restore
);
