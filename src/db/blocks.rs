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
    pub severity: BlockSeverity,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Blocks an actor or a server by hand: always a suspend, whatever a list said before (a
/// silenced server blocked by hand is refused from then on).
pub async fn add_block(
    db: impl PgExecutor<'_>,
    kind: BlockKind,
    value: &str,
    reason: Option<&str>,
) -> Result<BlockRow, DbError> {
    Ok(sqlx::query_as(
        "INSERT INTO blocks (id, kind, value, reason, severity) VALUES ($1, $2, $3, $4, 'suspend') \
         ON CONFLICT (kind, value) DO UPDATE SET severity = 'suspend', \
           reason = COALESCE($4, blocks.reason) \
         RETURNING id, kind, value, severity, reason, created_at",
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
        "SELECT id, kind, value, severity, reason, created_at FROM blocks ORDER BY created_at DESC",
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

/// What [`upsert_domain`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// The server was not blocked before.
    Added,
    /// It was: its severity and reason are the list's now.
    Updated,
    /// It is suspended and the list only silences it: a list never softens a suspend.
    KeptSuspended,
}

/// Blocks a server as `severity`, or changes how hard it is blocked; never turns a suspend
/// into a silence (the suspend may be the critic's own, made by hand).
#[tracing::instrument(skip_all)]
pub async fn upsert_domain(
    db: impl PgExecutor<'_>,
    domain: &str,
    severity: BlockSeverity,
    reason: Option<&str>,
) -> Result<Upserted, DbError> {
    // A conflict whose `WHERE` is false updates nothing and returns no row.
    let inserted: Option<bool> = sqlx::query_scalar(
        "INSERT INTO blocks AS b (id, kind, value, reason, severity) VALUES ($1, 'domain', $2, $3, $4) \
         ON CONFLICT (kind, value) DO UPDATE SET severity = excluded.severity, \
           reason = COALESCE(excluded.reason, b.reason) \
         WHERE NOT (b.severity = 'suspend' AND excluded.severity = 'silence') \
         RETURNING (xmax = 0)",
    )
    .bind(Uuid::now_v7())
    .bind(domain)
    .bind(reason)
    .bind(severity)
    .fetch_optional(db)
    .await?;
    Ok(match inserted {
        Some(true) => Upserted::Added,
        Some(false) => Upserted::Updated,
        None => Upserted::KeptSuspended,
    })
}

super::archived_table!(
    crate::domain::archive::BlockRecord,
    "blocks",
    "id, kind, value, severity, reason, created_at",
    "ORDER BY created_at, id",
    archived,
    restore
);
