//! Where a review named by id or by slug (current or former) is now.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::reviews::{self, StoredReview};
use crate::db::DbError;

/// Where a review named by id or by slug (current or former) is now: the one answer the page
/// and the ActivityPub document both give.
#[derive(Debug)]
pub enum Located {
    /// Public, found by its current slug or by its id.
    Public(Box<StoredReview>),
    /// Found by a former slug (or id) of a public review that now lives at this slug.
    Moved(String),
    /// Deleted for good (with its id and time, when known): `410 Gone`.
    Deleted(Option<(Uuid, DateTime<Utc>)>),
    /// Never existed, or not public.
    Missing,
}

/// Finds the review `slug_or_id` names (see [`Located`]).
#[tracing::instrument(skip_all)]
pub async fn locate(pool: &PgPool, slug_or_id: &str) -> Result<Located, DbError> {
    let found = match crate::domain::parse_id(slug_or_id) {
        Some(id) => reviews::get(pool, id).await?,
        None => reviews::get_by_slug(pool, slug_or_id).await?,
    };
    Ok(match found {
        Some(stored) if stored.review.is_public() => Located::Public(Box::new(stored)),
        Some(_) => Located::Missing,
        None => match reviews::find_former(pool, slug_or_id).await? {
            Some(reviews::Former::Moved {
                current_slug,
                public: true,
            }) => Located::Moved(current_slug),
            Some(reviews::Former::Deleted) => {
                Located::Deleted(reviews::deleted_id(pool, slug_or_id).await?)
            }
            _ => Located::Missing,
        },
    })
}
