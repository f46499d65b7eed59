//! `wordpress_posts`: which review each imported WordPress post became.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;

/// The review a post of `site` became, if it was imported before.
pub async fn review_of(
    db: impl PgExecutor<'_>,
    site: &str,
    post_id: u64,
) -> Result<Option<Uuid>, DbError> {
    Ok(
        sqlx::query_scalar(
            "SELECT review_id FROM wordpress_posts WHERE site = $1 AND post_id = $2",
        )
        .bind(site)
        .bind(i64::try_from(post_id).unwrap_or(i64::MAX))
        .fetch_optional(db)
        .await?,
    )
}

/// Holds the import lock of `site` until the transaction ends: imports of one blog take
/// turns (each post is looked up and written under it).
pub async fn lock_site(conn: &mut PgConnection, site: &str) -> Result<(), DbError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('wordpress_posts ' || $1, 0))")
        .bind(site)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert(
    conn: &mut PgConnection,
    site: &str,
    post_id: u64,
    guid: &str,
    review_id: Uuid,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO wordpress_posts (site, post_id, guid, review_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(site)
    .bind(i64::try_from(post_id).unwrap_or(i64::MAX))
    .bind(guid)
    .bind(review_id)
    .execute(conn)
    .await?;
    Ok(())
}

super::archived_table!(
    crate::domain::archive::WordpressPostRecord,
    "wordpress_posts",
    "site, post_id, guid, review_id, imported_at",
    "ORDER BY site, post_id",
    archived,
    restore
);
