//! A review's whole thread as the critic moderates it: every public comment, whatever its
//! moderation state.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::super::DbError;
use super::{CommentRow, COLUMNS};

/// The most comments the desk shows of one review.
const MAX: i64 = 2000;

/// Every public comment of a review (held, published or rejected; deleted ones too, which the
/// thread shows as placeholders), oldest first.
#[tracing::instrument(skip_all, fields(review = %review_id))]
pub async fn for_review(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
) -> Result<Vec<CommentRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM comments WHERE review_id = $1 AND visibility = 'public' \
         ORDER BY published_at, id LIMIT $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review_id)
        .bind(MAX)
        .fetch_all(db)
        .await?)
}
