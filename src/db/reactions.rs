//! SQL for `reactions`: likes and boosts of reviews.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;
use crate::domain::ReactionKind;

/// Records a like or a boost; `false` when the actor already had one of that kind.
pub async fn add_reaction(
    db: impl PgExecutor<'_>,
    activity_id: &str,
    review_id: Uuid,
    actor: &str,
    kind: ReactionKind,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO reactions (activity_id, review_id, actor_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(activity_id)
    .bind(review_id)
    .bind(actor)
    .bind(kind)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a reaction by the activity that made it, or by actor, review and kind.
pub async fn remove_reaction(
    db: impl PgExecutor<'_>,
    actor: &str,
    activity_id: Option<&str>,
    review_id: Option<Uuid>,
    kind: ReactionKind,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "DELETE FROM reactions WHERE actor_id = $1 AND kind = $4 AND (activity_id = $2 OR review_id = $3)",
    )
    .bind(actor)
    .bind(activity_id)
    .bind(review_id)
    .bind(kind)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// (likes, boosts) of a review.
pub async fn reaction_counts(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
) -> Result<(i64, i64), DbError> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'like'), count(*) FILTER (WHERE kind = 'announce') FROM reactions WHERE review_id = $1",
    )
    .bind(review_id)
    .fetch_one(db)
    .await?)
}

super::archived_table!(
    crate::domain::archive::ReactionRecord,
    "reactions",
    "activity_id, review_id, actor_id, kind, created_at",
    "ORDER BY created_at, activity_id",
    archived,
    restore
);
