//! SQL for `comments` (reactions, blocks and reports have files of their own).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::content;
use crate::domain::{CommentFilter, CommentOrigin, CommentStatus, Visibility};
use crate::urls::Urls;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub ap_id: String,
    pub review_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub origin: CommentOrigin,
    pub author_actor: Option<String>,
    pub author_name: String,
    pub author_handle: Option<String>,
    pub author_url: Option<String>,
    pub author_avatar: Option<String>,
    pub url: Option<String>,
    pub content_html: String,
    pub source: Option<String>,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub status: CommentStatus,
    pub published_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// 0 for an answer to the review, its parent's depth + 1 for an answer to a comment.
    pub depth: i32,
}

impl CommentRow {
    /// Shown to the public: public, approved, not deleted.
    pub fn is_public(&self) -> bool {
        self.visibility == Visibility::Public
            && self.status == CommentStatus::Published
            && self.deleted_at.is_none()
    }
}

/// SQL that holds when the actor in `column` is not blocked, by id or by server (the host or
/// a subdomain of a blocked domain): the rule lives in the database function
/// `actor_is_blocked` (migration `hosts`), shared with [`is_blocked`].
macro_rules! not_blocked {
    ($column:literal) => {
        concat!("NOT actor_is_blocked(", $column, ")")
    };
}

const COLUMNS: &str = "id, ap_id, review_id, parent_id, origin, author_actor, author_name, author_handle, author_url, \
    author_avatar, url, content_html, source, summary, sensitive, visibility, status, published_at, edited_at, deleted_at, created_at, depth";

/// A comment to store.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub id: Uuid,
    pub ap_id: String,
    pub review_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub origin: CommentOrigin,
    pub author_actor: Option<String>,
    pub author_name: String,
    pub author_handle: Option<String>,
    pub author_url: Option<String>,
    pub author_avatar: Option<String>,
    pub url: Option<String>,
    pub content_html: String,
    pub source: Option<String>,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub status: CommentStatus,
    pub published_at: DateTime<Utc>,
}

/// Where a comment goes: under a review, answering one of its comments or the review itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub review_id: Uuid,
    pub parent_id: Option<Uuid>,
}

/// Who wrote a comment, as its thread shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// Their ActivityPub actor (replies from the fediverse only).
    pub actor: Option<String>,
    pub name: String,
    /// `@user@host`.
    pub handle: Option<String>,
    /// Their page.
    pub url: Option<String>,
    pub avatar: Option<String>,
}

/// What a comment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// Sanitized HTML.
    pub html: String,
    /// The Markdown it was made from (the critic's answers only).
    pub source: Option<String>,
    /// A content warning.
    pub summary: Option<String>,
    pub sensitive: bool,
}

/// A reply from the fediverse, as its author's server describes it.
#[derive(Debug, Clone)]
pub struct RemoteReply {
    pub ap_id: String,
    /// Its page on the author's server.
    pub url: String,
    pub author: Author,
    pub body: Body,
    pub published_at: DateTime<Utc>,
}

impl NewComment {
    /// The one place a comment to store is put together, public and published; the three
    /// constructors below decide what differs.
    fn new(
        id: Uuid,
        ap_id: String,
        origin: CommentOrigin,
        place: Place,
        author: Author,
        body: Body,
        published_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            ap_id,
            review_id: place.review_id,
            parent_id: place.parent_id,
            origin,
            author_actor: author.actor,
            author_name: author.name,
            author_handle: author.handle,
            author_url: author.url,
            author_avatar: author.avatar,
            url: None,
            content_html: body.html,
            source: body.source,
            summary: body.summary,
            sensitive: body.sensitive,
            visibility: Visibility::Public,
            status: CommentStatus::Published,
            published_at,
        }
    }

    /// The critic's answer, written in Markdown: public and shown at once, under the blog's
    /// name, handle and avatar, with an id on the blog.
    pub fn local(
        urls: &Urls,
        author_name: &str,
        place: Place,
        markdown: &str,
        now: DateTime<Utc>,
    ) -> Self {
        let id = Uuid::now_v7();
        let author = Author {
            actor: None,
            name: author_name.to_string(),
            handle: Some(format!("@{}", urls.acct())),
            url: Some(urls.home()),
            avatar: Some(urls.avatar()),
        };
        let body = Body {
            html: content::markdown_to_html(markdown),
            source: Some(markdown.to_string()),
            summary: None,
            sensitive: false,
        };
        Self::new(
            id,
            urls.comment(id),
            CommentOrigin::Local,
            place,
            author,
            body,
            now,
        )
    }

    /// A comment from an older blog (`html` already sanitized): public and shown at once,
    /// with an id on the blog that fediverse users can answer.
    pub fn imported(
        urls: &Urls,
        place: Place,
        author_name: &str,
        author_url: Option<String>,
        html: String,
        written: DateTime<Utc>,
    ) -> Self {
        let id = Uuid::now_v7();
        let author = Author {
            name: author_name.to_string(),
            url: author_url,
            ..Author::default()
        };
        let body = Body {
            html,
            ..Body::default()
        };
        Self::new(
            id,
            urls.comment(id),
            CommentOrigin::Imported,
            place,
            author,
            body,
            written,
        )
    }

    /// A reply from the fediverse, under its own id, shown or held as `visibility` and
    /// `status` say.
    pub fn remote(
        reply: RemoteReply,
        place: Place,
        visibility: Visibility,
        status: CommentStatus,
    ) -> Self {
        Self {
            url: Some(reply.url),
            visibility,
            status,
            ..Self::new(
                Uuid::now_v7(),
                reply.ap_id,
                CommentOrigin::Remote,
                place,
                reply.author,
                reply.body,
                reply.published_at,
            )
        }
    }
}

/// Stores a comment; `None` when one with the same `ap_id` exists (a repeated delivery). Its
/// depth is its parent's + 1 (0 without one), for every path that stores comments.
#[tracing::instrument(skip_all, fields(ap_id = %c.ap_id))]
pub async fn insert(
    conn: &mut PgConnection,
    c: &NewComment,
) -> Result<Option<CommentRow>, DbError> {
    let sql = format!(
        "INSERT INTO comments (id, ap_id, review_id, parent_id, origin, author_actor, author_name, author_handle, \
         author_url, author_avatar, url, content_html, source, summary, sensitive, visibility, status, published_at, depth) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         COALESCE((SELECT p.depth + 1 FROM comments p WHERE p.id = $4), 0)) \
         ON CONFLICT (ap_id) DO NOTHING RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(c.id)
        .bind(&c.ap_id)
        .bind(c.review_id)
        .bind(c.parent_id)
        .bind(c.origin)
        .bind(&c.author_actor)
        .bind(&c.author_name)
        .bind(&c.author_handle)
        .bind(&c.author_url)
        .bind(&c.author_avatar)
        .bind(&c.url)
        .bind(&c.content_html)
        .bind(&c.source)
        .bind(&c.summary)
        .bind(c.sensitive)
        .bind(c.visibility)
        .bind(c.status)
        .bind(c.published_at)
        .fetch_optional(conn)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<CommentRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM comments WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// The comments of `ids` (those that exist).
pub async fn get_many(db: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<Vec<CommentRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM comments WHERE id = ANY($1)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(db)
        .await?)
}

pub async fn get_by_ap_id(
    db: impl PgExecutor<'_>,
    ap_id: &str,
) -> Result<Option<CommentRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM comments WHERE ap_id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ap_id)
        .fetch_optional(db)
        .await?)
}

/// Replaces a comment's text (an edit by its author); `false` when nothing matched.
#[tracing::instrument(skip_all, fields(id, sensitive))]
pub async fn edit(
    db: impl PgExecutor<'_>,
    id: Uuid,
    content_html: &str,
    source: Option<&str>,
    summary: Option<&str>,
    sensitive: bool,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE comments SET content_html = $2, source = $3, summary = $4, sensitive = $5, edited_at = $6 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(content_html)
    .bind(source)
    .bind(summary)
    .bind(sensitive)
    .bind(at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a comment deleted and drops its text; its place in the thread remains.
#[tracing::instrument(skip_all, fields(id))]
pub async fn mark_deleted(
    db: impl PgExecutor<'_>,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE comments SET deleted_at = $2, content_html = '', source = NULL, summary = NULL WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes every comment of an actor (their server deleted them).
#[tracing::instrument(skip_all)]
pub async fn delete_by_author(
    db: impl PgExecutor<'_>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE comments SET deleted_at = $2, content_html = '', source = NULL, summary = NULL \
         WHERE author_actor = $1 AND deleted_at IS NULL",
    )
    .bind(actor)
    .bind(at)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A review's thread as stored: everything public that is published or deleted (deleted
/// ones keep their place when they have replies), oldest first.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn thread(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<Vec<CommentRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM comments c WHERE review_id = $1 AND visibility = 'public' AND status = 'published' \
         AND {} ORDER BY published_at, id",
        not_blocked!("c.author_actor")
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review_id)
        .fetch_all(db)
        .await?)
}

/// Comments for the admin API: every one, the public ones (not deleted) in one moderation
/// state, or the private ones.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    filter: Option<CommentFilter>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CommentRow>, i64), DbError> {
    // $1: the state asked for; $2: whether the private ones are.
    const FILTER: &str = "(($1::text IS NULL AND NOT $2) \
        OR ($2 AND visibility = 'private') \
        OR (visibility = 'public' AND status = $1 AND deleted_at IS NULL))";
    let (status, private) = match filter {
        None => (None, false),
        Some(CommentFilter::Status(status)) => (Some(status), false),
        Some(CommentFilter::Private) => (None, true),
    };
    let sql = format!("SELECT {COLUMNS} FROM comments WHERE {FILTER} ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4");
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(status)
        .bind(private)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM comments WHERE {FILTER}"
    )))
    .bind(status)
    .bind(private)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: CommentStatus,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE comments SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Public comments, likes and boosts of a review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Engagement {
    pub replies: i64,
    pub likes: i64,
    pub shares: i64,
}

pub async fn engagement(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<Engagement, DbError> {
    Ok(sqlx::query_as(concat!(
        "SELECT (SELECT count(*) FROM comments c WHERE review_id = $1 AND visibility = 'public' AND status = 'published' \
                 AND deleted_at IS NULL AND ", not_blocked!("c.author_actor"), ") AS replies, \
                (SELECT count(*) FROM reactions x WHERE review_id = $1 AND kind = 'like' AND ", not_blocked!("x.actor_id"), ") AS likes, \
                (SELECT count(*) FROM reactions x WHERE review_id = $1 AND kind = 'announce' AND ", not_blocked!("x.actor_id"), ") AS shares"
    ))
    .bind(review_id)
    .fetch_one(db)
    .await?)
}

pub mod archive;
mod arrival;
mod conversation;
mod moderation;
pub use arrival::{arrival, Arrival};
pub use conversation::{conversation_page, public_replies_page};
pub use moderation::for_review;

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's `Jail::expect_with` closures must return its large `figment::Error`"
)]
mod tests;

/// How many comments wait for the critic's approval (for the desk's counts).
#[tracing::instrument(skip_all)]
pub async fn count_pending(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM comments WHERE status = 'pending' AND deleted_at IS NULL",
    )
    .fetch_one(db)
    .await?)
}
