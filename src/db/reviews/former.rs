//! What a slug or id a review no longer answers to leads to: its current slug, or its
//! deletion (`review_slug_history`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::super::DbError;

/// Where an unknown slug or id leads: the review's current slug, or gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Former {
    Moved { current_slug: String, public: bool },
    Deleted,
}

#[tracing::instrument(skip_all)]
pub async fn find_former(
    db: impl PgExecutor<'_>,
    slug_or_id: &str,
) -> Result<Option<Former>, DbError> {
    let id = crate::domain::parse_id(slug_or_id);
    let row: Option<(Option<String>, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT r.slug, r.status, r.deleted_at FROM reviews r \
         WHERE r.id = $2 OR r.id = (SELECT review_id FROM review_slug_history WHERE slug = $1) LIMIT 1",
    )
    .bind(slug_or_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(slug, status, deleted_at)| match (slug, deleted_at) {
            (Some(current_slug), None) => Former::Moved {
                current_slug,
                public: status == "published",
            },
            _ => Former::Deleted,
        }),
    )
}

/// A deleted review's id and deletion time, by its id or a slug it had.
#[tracing::instrument(skip_all)]
pub async fn deleted_id(
    db: impl PgExecutor<'_>,
    slug_or_id: &str,
) -> Result<Option<(Uuid, DateTime<Utc>)>, DbError> {
    let id = crate::domain::parse_id(slug_or_id);
    let row: Option<(Uuid, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT r.id, r.deleted_at FROM reviews r \
         WHERE r.id = $2 OR r.id = (SELECT review_id FROM review_slug_history WHERE slug = $1) LIMIT 1",
    )
    .bind(slug_or_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(id, deleted)| deleted.map(|at| (id, at))))
}
