//! The trash: reviews deleted at the desk that may still be taken back.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::db::DbError;
use crate::domain::ReviewStatus;

/// A review in the trash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Trashed {
    pub id: Uuid,
    pub title: String,
    pub trashed_at: DateTime<Utc>,
}

/// Puts a review in the trash, remembering what it was; `false` when it is gone or there.
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn mark(
    conn: &mut PgConnection,
    id: Uuid,
    was: ReviewStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE reviews SET trashed_at = $2, trashed_status = $3 \
         WHERE id = $1 AND deleted_at IS NULL AND trashed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(was)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a review out of the trash; what it was, or `None` when it is not there (any more).
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn take_back(conn: &mut PgConnection, id: Uuid) -> Result<Option<ReviewStatus>, DbError> {
    Ok(sqlx::query_scalar(
        "UPDATE reviews r SET trashed_at = NULL, trashed_status = NULL \
         FROM (SELECT id, trashed_status FROM reviews WHERE id = $1 AND deleted_at IS NULL \
               AND trashed_at IS NOT NULL FOR UPDATE) old \
         WHERE r.id = old.id RETURNING old.trashed_status",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// What is in the trash, most recent first.
#[tracing::instrument(skip_all)]
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<Trashed>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, title, trashed_at FROM reviews \
         WHERE trashed_at IS NOT NULL AND deleted_at IS NULL ORDER BY trashed_at DESC LIMIT 100",
    )
    .fetch_all(db)
    .await?)
}

/// Reviews put in the trash at or before `before`: theirs to be deleted for good.
#[tracing::instrument(skip_all)]
pub async fn due(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> Result<Vec<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM reviews WHERE trashed_at <= $1 AND deleted_at IS NULL \
         ORDER BY trashed_at LIMIT 50",
    )
    .bind(before)
    .fetch_all(db)
    .await?)
}
