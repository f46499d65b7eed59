//! The categories and tags of published reviews, with their counts.

use sqlx::types::Json;
use sqlx::PgExecutor;

use crate::db::DbError;
use crate::domain::Term;

/// Which terms: the categories or the tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    Categories,
    Tags,
}

/// Categories of published reviews with their counts, most used first (the 50 first).
pub async fn public_categories(db: impl PgExecutor<'_>) -> Result<Vec<(Term, i64)>, DbError> {
    public_terms(db, Terms::Categories, 50).await
}

/// Categories or tags of published reviews with their counts, most used first, then by key.
#[tracing::instrument(skip_all, fields(terms = ?terms))]
pub async fn public_terms(
    db: impl PgExecutor<'_>,
    terms: Terms,
    limit: i64,
) -> Result<Vec<(Term, i64)>, DbError> {
    let column = match terms {
        Terms::Categories => "categories",
        Terms::Tags => "tags",
    };
    // Spellings with the same key ("Sci-Fi", "Sci Fi") count as one.
    let rows: Vec<(Json<Term>, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT (array_agg(t.term ORDER BY r.published_at DESC))[1], count(*) \
         FROM reviews r, jsonb_array_elements(r.{column}) AS t(term) \
         WHERE r.status = 'published' AND r.deleted_at IS NULL \
         GROUP BY t.term->>'key' ORDER BY count(*) DESC, t.term->>'key' LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(t, n)| (t.0, n)).collect())
}
