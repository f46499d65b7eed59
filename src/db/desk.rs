//! SQL for `desk_password` and `desk_sessions`: the critic's password and sessions at the desk.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::DbError;

/// The stored password hash (a PHC string), if a password was set.
#[tracing::instrument(skip_all)]
pub async fn password_hash(db: impl PgExecutor<'_>) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT hash FROM desk_password")
        .fetch_optional(db)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn set_password_hash(db: impl PgExecutor<'_>, hash: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO desk_password (hash) VALUES ($1) \
         ON CONFLICT (only_one) DO UPDATE SET hash = $1, updated_at = now()",
    )
    .bind(hash)
    .execute(db)
    .await?;
    Ok(())
}

/// A signed-in session.
#[derive(Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The CSRF token never reaches a log.
        f.debug_struct("SessionRow")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[tracing::instrument(skip_all)]
pub async fn insert_session(
    db: impl PgExecutor<'_>,
    id: &[u8],
    csrf: &str,
    user_agent: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO desk_sessions (id, csrf, user_agent, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(csrf)
    .bind(user_agent)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The session with this id, if it has not expired; its last use is noted and its expiry
/// moved to `expires_at` (a session in use stays signed in).
#[tracing::instrument(skip_all)]
pub async fn use_session(
    db: impl PgExecutor<'_>,
    id: &[u8],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Option<SessionRow>, DbError> {
    Ok(sqlx::query_as(
        "UPDATE desk_sessions SET last_seen_at = $2, expires_at = $3 \
         WHERE id = $1 AND expires_at > $2 RETURNING csrf, created_at, expires_at",
    )
    .bind(id)
    .bind(now)
    .bind(expires_at)
    .fetch_optional(db)
    .await?)
}

#[tracing::instrument(skip_all)]
pub async fn delete_session(db: impl PgExecutor<'_>, id: &[u8]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM desk_sessions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Signs every session out (and drops expired ones); how many were signed in.
#[tracing::instrument(skip_all)]
pub async fn delete_all_sessions(db: impl PgExecutor<'_>) -> Result<u64, DbError> {
    Ok(sqlx::query("DELETE FROM desk_sessions")
        .execute(db)
        .await?
        .rows_affected())
}
