//! SQL for `blocks`: blocked actors and servers (the rule itself is the database function `actor_is_blocked`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;
use crate::domain::{BlockKind, BlockSeverity};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockRow {
    pub id: Uuid,
    pub kind: BlockKind,
    pub value: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn add_block(
    db: impl PgExecutor<'_>,
    kind: BlockKind,
    value: &str,
    reason: Option<&str>,
) -> Result<BlockRow, DbError> {
    Ok(sqlx::query_as(
        "INSERT INTO blocks (id, kind, value, reason) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, value) DO UPDATE SET reason = COALESCE($4, blocks.reason) \
         RETURNING id, kind, value, reason, created_at",
    )
    .bind(Uuid::now_v7())
    .bind(kind)
    .bind(value)
    .bind(reason)
    .fetch_one(db)
    .await?)
}

pub async fn list_blocks(db: impl PgExecutor<'_>) -> Result<Vec<BlockRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, value, reason, created_at FROM blocks ORDER BY created_at DESC",
    )
    .fetch_all(db)
    .await?)
}

pub async fn remove_block(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, DbError> {
    Ok(sqlx::query("DELETE FROM blocks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?
        .rows_affected()
        == 1)
}

/// Whether an actor (by id) or its server (by host) is blocked.
pub async fn is_blocked(db: impl PgExecutor<'_>, actor: &str) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar("SELECT actor_is_blocked($1)")
        .bind(actor)
        .fetch_one(db)
        .await?)
}

/// Whether an actor's server is silenced (its comments wait for approval).
pub async fn is_silenced(db: impl PgExecutor<'_>, actor: &str) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar("SELECT actor_is_silenced($1)")
        .bind(actor)
        .fetch_one(db)
        .await?)
}

/// Blocks a server as `severity`, or changes how hard it is blocked. `true` when it was not
/// blocked before.
#[tracing::instrument(skip_all)]
pub async fn upsert_domain(
    db: impl PgExecutor<'_>,
    domain: &str,
    severity: BlockSeverity,
    reason: Option<&str>,
) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO blocks AS b (id, kind, value, reason, severity) VALUES ($1, 'domain', $2, $3, $4) \
         ON CONFLICT (kind, value) DO UPDATE SET severity = excluded.severity, \
           reason = COALESCE(excluded.reason, b.reason) \
         RETURNING (xmax = 0)",
    )
    .bind(Uuid::now_v7())
    .bind(domain)
    .bind(reason)
    .bind(severity)
    .fetch_one(db)
    .await?)
}

super::archived_table!(
    crate::domain::archive::BlockRecord,
    "blocks",
    "id, kind, value, severity, reason, created_at",
    "ORDER BY created_at, id",
    archived,
    restore
);
