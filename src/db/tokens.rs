//! SQL for the `api_tokens` table. Only SHA-256 hashes of tokens are stored.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn insert(
    db: impl PgExecutor<'_>,
    id: Uuid,
    name: &str,
    hash: &[u8],
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO api_tokens (id, name, token_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// The id of the live token with this hash, marking it used.
#[tracing::instrument(skip_all)]
pub async fn use_token(db: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id",
    )
    .bind(hash)
    .fetch_optional(db)
    .await?)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<TokenRecord>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at",
    )
    .fetch_all(db)
    .await?)
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn revoke(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
