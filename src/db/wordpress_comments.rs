//! `wordpress_comments`: which comment each imported WordPress comment became.

use std::collections::HashMap;

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;

/// The comments of `site` imported before, by WordPress comment id.
pub async fn imported(
    db: impl PgExecutor<'_>,
    site: &str,
    ids: &[u64],
) -> Result<HashMap<u64, Uuid>, DbError> {
    let ids: Vec<i64> = ids
        .iter()
        .filter_map(|id| i64::try_from(*id).ok())
        .collect();
    let rows: Vec<(i64, Uuid)> = sqlx::query_as(
        "SELECT comment_id, comment_uuid FROM wordpress_comments WHERE site = $1 AND comment_id = ANY($2)",
    )
    .bind(site)
    .bind(&ids)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, uuid)| Some((u64::try_from(id).ok()?, uuid)))
        .collect())
}

pub async fn insert(
    conn: &mut PgConnection,
    site: &str,
    comment_id: u64,
    comment: Uuid,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO wordpress_comments (site, comment_id, comment_uuid) VALUES ($1, $2, $3)",
    )
    .bind(site)
    .bind(i64::try_from(comment_id).unwrap_or(i64::MAX))
    .bind(comment)
    .execute(conn)
    .await?;
    Ok(())
}

super::archived_table!(
    crate::domain::archive::WordpressCommentRecord,
    "wordpress_comments",
    "site, comment_id, comment_uuid, imported_at",
    "ORDER BY site, comment_id",
    archived,
    restore
);
