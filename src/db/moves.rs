//! SQL for `moves`: the blog moving to another account.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

/// A move of the blog to another account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MoveRow {
    pub id: Uuid,
    /// The new account's actor id.
    pub target: String,
    /// `@user@host`.
    pub target_handle: String,
    /// The new account's profile page.
    pub target_url: String,
    pub activity_id: String,
    pub moved_at: DateTime<Utc>,
}

/// The move in force, if the blog has moved.
#[tracing::instrument(skip_all)]
pub async fn current(db: impl PgExecutor<'_>) -> Result<Option<MoveRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, target, target_handle, target_url, activity_id, moved_at FROM moves \
         WHERE cancelled_at IS NULL",
    )
    .fetch_optional(db)
    .await?)
}

/// Records a move; `None` when one is already in force.
#[tracing::instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, row: &MoveRow) -> Result<Option<MoveRow>, DbError> {
    Ok(sqlx::query_as(
        "INSERT INTO moves (id, target, target_handle, target_url, activity_id, moved_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING \
         RETURNING id, target, target_handle, target_url, activity_id, moved_at",
    )
    .bind(row.id)
    .bind(&row.target)
    .bind(&row.target_handle)
    .bind(&row.target_url)
    .bind(&row.activity_id)
    .bind(row.moved_at)
    .fetch_optional(db)
    .await?)
}

/// Ends the move in force; whether there was one.
#[tracing::instrument(skip_all)]
pub async fn cancel(db: impl PgExecutor<'_>, at: DateTime<Utc>) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE moves SET cancelled_at = $1 WHERE cancelled_at IS NULL")
        .bind(at)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

super::archived_table!(
    crate::domain::archive::MoveRecord,
    "moves",
    "id, target, target_handle, target_url, activity_id, moved_at, cancelled_at",
    "ORDER BY moved_at, id",
    archived,
    restore
);
