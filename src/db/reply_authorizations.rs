//! SQL for `reply_authorizations`: the reply requests answered for our reviews and comments
//! (GoToSocial's interaction controls) and the authorizations given.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::ReplyAuthorizationState;

const COLUMNS: &str =
    "id, request_id, review_id, target, reply, requester, requester_inbox, state, created_at";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReplyAuthorizationRow {
    /// The authorization's id.
    pub id: Uuid,
    pub request_id: String,
    pub review_id: Uuid,
    /// What the reply answers (the authorization's `interactionTarget`).
    pub target: String,
    /// The reply (`interactingObject`).
    pub reply: String,
    pub requester: String,
    pub requester_inbox: String,
    pub state: ReplyAuthorizationState,
    pub created_at: DateTime<Utc>,
}

/// A reply request to record.
pub struct NewReplyAuthorization<'a> {
    pub request_id: &'a str,
    pub review_id: Uuid,
    pub target: &'a str,
    pub reply: &'a str,
    pub requester: &'a str,
    pub requester_inbox: &'a str,
    pub state: ReplyAuthorizationState,
}

/// Records an answered request; `None` when the request was already recorded, or, for an
/// accepted one, when the reply already holds an authorization.
#[tracing::instrument(skip_all, fields(state = %new.state))]
pub async fn insert(
    conn: &mut PgConnection,
    new: &NewReplyAuthorization<'_>,
) -> Result<Option<Uuid>, DbError> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO reply_authorizations \
         (id, request_id, review_id, target, reply, requester, requester_inbox, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(new.request_id)
    .bind(new.review_id)
    .bind(new.target)
    .bind(new.reply)
    .bind(new.requester)
    .bind(new.requester_inbox)
    .bind(new.state)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// The authorization `reply` holds, if any.
pub async fn accepted_for(
    db: impl PgExecutor<'_>,
    reply: &str,
) -> Result<Option<ReplyAuthorizationRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reply_authorizations WHERE reply = $1 AND state = 'accepted'"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(reply)
        .fetch_optional(db)
        .await?)
}

pub async fn get(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<ReplyAuthorizationRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reply_authorizations WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

super::archived_table!(
    crate::domain::archive::ReplyAuthorizationRecord,
    "reply_authorizations",
    "id, request_id, review_id, target, reply, requester, requester_inbox, state, created_at",
    "ORDER BY created_at, id",
    archived,
    restore
);
