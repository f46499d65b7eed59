//! SQL for `quotes`: the quote requests answered for our reviews (FEP-044f), their stamps and
//! their revocations.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::QuoteState;

const COLUMNS: &str =
    "id, request_id, review_id, quoting_post, author, author_inbox, state, created_at, revoked_at";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QuoteRow {
    /// The stamp's id.
    pub id: Uuid,
    pub request_id: String,
    pub review_id: Uuid,
    pub quoting_post: String,
    pub author: String,
    pub author_inbox: String,
    pub state: QuoteState,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A quote request to record.
pub struct NewQuote<'a> {
    pub request_id: &'a str,
    pub review_id: Uuid,
    pub quoting_post: &'a str,
    pub author: &'a str,
    pub author_inbox: &'a str,
    pub state: QuoteState,
}

/// Records an answered request; `None` when the request was already recorded, or, for an
/// accepted one, when the post already holds a live stamp for the review.
#[tracing::instrument(skip_all, fields(state = %quote.state))]
pub async fn insert(
    conn: &mut PgConnection,
    quote: &NewQuote<'_>,
) -> Result<Option<Uuid>, DbError> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO quotes (id, request_id, review_id, quoting_post, author, author_inbox, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(quote.request_id)
    .bind(quote.review_id)
    .bind(quote.quoting_post)
    .bind(quote.author)
    .bind(quote.author_inbox)
    .bind(quote.state)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// The live stamp of `quoting_post` for the review, if it has one.
pub async fn accepted_for(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    quoting_post: &str,
) -> Result<Option<QuoteRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM quotes WHERE review_id = $1 AND quoting_post = $2 AND state = 'accepted'"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review_id)
        .bind(quoting_post)
        .fetch_optional(db)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<QuoteRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM quotes WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// A page of the review's authorized quotes, newest first, and how many there are.
pub async fn list_accepted(
    db: impl PgExecutor<'_> + Copy,
    review_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<(Vec<QuoteRow>, i64), DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM quotes WHERE review_id = $1 AND state = 'accepted' \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM quotes WHERE review_id = $1 AND state = 'accepted'",
    )
    .bind(review_id)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

/// Revokes the review's live stamps: all of them, or (`keep_followers`) those of authors
/// who are not accepted followers of the blog. Returns the revoked quotes.
#[tracing::instrument(skip_all, fields(%review_id, keep_followers))]
pub async fn revoke(
    conn: &mut PgConnection,
    review_id: Uuid,
    keep_followers: bool,
    now: DateTime<Utc>,
) -> Result<Vec<QuoteRow>, DbError> {
    let sql = format!(
        "UPDATE quotes SET state = 'revoked', revoked_at = $3 \
         WHERE review_id = $1 AND state = 'accepted' \
         AND NOT ($2 AND author IN (SELECT actor_id FROM followers WHERE status = 'accepted')) \
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review_id)
        .bind(keep_followers)
        .bind(now)
        .fetch_all(conn)
        .await?)
}

super::archived_table!(
    crate::domain::archive::QuoteRecord,
    "quotes",
    "id, request_id, review_id, quoting_post, author, author_inbox, state, created_at, revoked_at",
    "ORDER BY created_at, id",
    archived,
    restore
);
