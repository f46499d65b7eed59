//! SQL for `images`: uploaded posters and stills, with their alt text and the sizes made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

/// One size of an image: its media name and pixel size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub name: String,
    pub width: u32,
    pub height: u32,
}

/// An uploaded image.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImageRow {
    pub id: Uuid,
    pub review_id: Option<Uuid>,
    /// `poster` or `still`.
    pub kind: String,
    pub alt: String,
    pub width: i32,
    pub height: i32,
    /// Narrowest first.
    pub variants: Json<Vec<Size>>,
    pub created_at: DateTime<Utc>,
}

impl ImageRow {
    /// The largest size (the page's and the fediverse's).
    pub fn largest(&self) -> Option<&Size> {
        self.variants.0.last()
    }
}

/// What is stored of a new image.
pub struct NewImage<'a> {
    pub review_id: Option<Uuid>,
    pub kind: &'a str,
    pub alt: &'a str,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Size>,
}

const COLUMNS: &str = "id, review_id, kind, alt, width, height, variants, created_at";

#[tracing::instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, image: NewImage<'_>) -> Result<ImageRow, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO images (id, review_id, kind, alt, width, height, variants) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    )))
    .bind(Uuid::now_v7())
    .bind(image.review_id)
    .bind(image.kind)
    .bind(image.alt)
    .bind(i32::try_from(image.width).unwrap_or(i32::MAX))
    .bind(i32::try_from(image.height).unwrap_or(i32::MAX))
    .bind(Json(image.variants))
    .fetch_one(db)
    .await?)
}

/// A review's images, poster first, then stills oldest first.
#[tracing::instrument(skip_all, fields(%review_id))]
pub async fn of_review(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<Vec<ImageRow>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM images WHERE review_id = $1 \
         ORDER BY kind = 'poster' DESC, created_at, id"
    )))
    .bind(review_id)
    .fetch_all(db)
    .await?)
}

/// The images whose largest size is one of these media names (a poster's address names it).
#[tracing::instrument(skip_all)]
pub async fn by_largest(
    db: impl PgExecutor<'_>,
    names: &[String],
) -> Result<Vec<ImageRow>, DbError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT ON (variants -> -1 ->> 'name') {COLUMNS} FROM images \
         WHERE variants -> -1 ->> 'name' = ANY($1) ORDER BY variants -> -1 ->> 'name', created_at DESC"
    )))
    .bind(names)
    .fetch_all(db)
    .await?)
}

/// Removes one of a review's images; the removed row, if it was there.
#[tracing::instrument(skip_all, fields(%review_id, %id))]
pub async fn delete(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    id: Uuid,
) -> Result<Option<ImageRow>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "DELETE FROM images WHERE id = $1 AND review_id = $2 RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(review_id)
    .fetch_optional(db)
    .await?)
}

/// Removes a review's poster rows (a new poster replaces them).
#[tracing::instrument(skip_all, fields(%review_id))]
pub async fn delete_posters(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<u64, DbError> {
    Ok(
        sqlx::query("DELETE FROM images WHERE review_id = $1 AND kind = 'poster'")
            .bind(review_id)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// How many images are stored (tests and the desk's counts).
pub async fn count(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM images")
        .fetch_one(db)
        .await?)
}
