//! SQL for `review_previews`: the private preview link of each review that has one.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

/// The review's preview token, made from `fresh` unless it has one.
#[tracing::instrument(skip_all, fields(%review_id))]
pub async fn token_for(
    db: impl PgExecutor<'_> + Copy,
    review_id: Uuid,
    fresh: &str,
) -> Result<String, DbError> {
    sqlx::query("INSERT INTO review_previews (review_id, token) VALUES ($1, $2) ON CONFLICT (review_id) DO NOTHING")
        .bind(review_id)
        .bind(fresh)
        .execute(db)
        .await?;
    // Ours, or the one another request made first (committed by now: the insert waited).
    Ok(
        sqlx::query_scalar("SELECT token FROM review_previews WHERE review_id = $1")
            .bind(review_id)
            .fetch_one(db)
            .await?,
    )
}

/// The review a preview token opens.
#[tracing::instrument(skip_all)]
pub async fn review_of(db: impl PgExecutor<'_>, token: &str) -> Result<Option<Uuid>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT review_id FROM review_previews WHERE token = $1")
            .bind(token)
            .fetch_optional(db)
            .await?,
    )
}
