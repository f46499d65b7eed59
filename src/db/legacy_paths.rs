//! `legacy_paths`: addresses of an older blog that lead to a review here.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;

/// Records `path` for `review`; a path already recorded keeps its review. Whether it was new.
pub async fn insert(conn: &mut PgConnection, path: &str, review: Uuid) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO legacy_paths (path, review_id) VALUES ($1, $2) ON CONFLICT (path) DO NOTHING",
    )
    .bind(path)
    .bind(review)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The review an old path leads to.
pub async fn review_for(db: impl PgExecutor<'_>, path: &str) -> Result<Option<Uuid>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT review_id FROM legacy_paths WHERE path = $1")
            .bind(path)
            .fetch_optional(db)
            .await?,
    )
}

super::archived_table!(
    crate::domain::archive::LegacyPathRecord,
    "legacy_paths",
    "path, review_id",
    "ORDER BY path",
    archived,
    restore
);
