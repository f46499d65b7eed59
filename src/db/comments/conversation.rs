//! The public side of a review's conversation, a page at a time: the answers to one post
//! (its `replies` collection) and every post of the thread (its FEP-7888 `context`).
//!
//! Each page comes with the number of items in all (a window count: a page past the end is
//! empty and counts none).

use sqlx::PgExecutor;
use uuid::Uuid;

use super::super::DbError;

/// The approved public answers to the review (`parent` `None`) or to one of its comments,
/// oldest first: `limit` ids from `offset`, and how many there are in all.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn public_replies_page(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    parent: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<String>, i64), DbError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(concat!(
        "SELECT ap_id, count(*) OVER () FROM comments c WHERE review_id = $1 \
         AND parent_id IS NOT DISTINCT FROM $2 \
         AND visibility = 'public' AND status = 'published' AND deleted_at IS NULL AND ",
        not_blocked!("c.author_actor"),
        " ORDER BY published_at, id LIMIT $3 OFFSET $4"
    ))
    .bind(review_id)
    .bind(parent)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok(split(rows))
}

/// Every approved public comment of the review, at any depth, oldest first: `limit` ids from
/// `offset`, and how many there are in all.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn conversation_page(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<(Vec<String>, i64), DbError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(concat!(
        "SELECT ap_id, count(*) OVER () FROM comments c WHERE review_id = $1 \
         AND visibility = 'public' AND status = 'published' AND deleted_at IS NULL AND ",
        not_blocked!("c.author_actor"),
        " ORDER BY published_at, id LIMIT $2 OFFSET $3"
    ))
    .bind(review_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok(split(rows))
}

fn split(rows: Vec<(String, i64)>) -> (Vec<String>, i64) {
    let total = rows.first().map_or(0, |(_, total)| *total);
    (rows.into_iter().map(|(id, _)| id).collect(), total)
}
