//! SQL for `notification_feed`, `notification_state` and `notifications_mailed`: the secret of
//! the notification feed, the e-mail rounds' state, and what was mailed already. (The things
//! notified are the rows of `comments`, `reports` and `followers`, read where those live.)

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::NoticeKind;

/// The feed secret's SHA-256 and when it was made.
pub type FeedSecret = (Vec<u8>, DateTime<Utc>);

/// The feed secret, if one was made.
#[tracing::instrument(skip_all)]
pub async fn feed_secret(db: impl PgExecutor<'_>) -> Result<Option<FeedSecret>, DbError> {
    Ok(
        sqlx::query_as("SELECT secret_hash, made_at FROM notification_feed")
            .fetch_optional(db)
            .await?,
    )
}

/// Replaces the feed secret (the old address stops working).
#[tracing::instrument(skip_all)]
pub async fn set_feed_secret(db: impl PgExecutor<'_>, hash: &[u8]) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO notification_feed (secret_hash) VALUES ($1) \
         ON CONFLICT (only_one) DO UPDATE SET secret_hash = $1, made_at = now()",
    )
    .bind(hash)
    .execute(db)
    .await?;
    Ok(())
}

/// The e-mail rounds' state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailState {
    pub mail_from: DateTime<Utc>,
    pub last_digest_at: Option<DateTime<Utc>>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

const STATE_COLUMNS: &str = "mail_from, last_digest_at, last_sent_at, last_error, last_error_at";

#[tracing::instrument(skip_all)]
pub async fn state(db: impl PgExecutor<'_>) -> Result<MailState, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STATE_COLUMNS} FROM notification_state"
    )))
    .fetch_one(db)
    .await?)
}

/// Claims the state for a round, in the caller's transaction: `None` while another process
/// holds it (its round is under way).
#[tracing::instrument(skip_all)]
pub async fn claim(conn: &mut PgConnection) -> Result<Option<MailState>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STATE_COLUMNS} FROM notification_state FOR UPDATE SKIP LOCKED"
    )))
    .fetch_optional(conn)
    .await?)
}

/// Of `ids` (of one kind), those mailed already.
#[tracing::instrument(skip_all)]
pub async fn mailed_among(
    db: impl PgExecutor<'_>,
    kind: NoticeKind,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT item_id FROM notifications_mailed WHERE kind = $1 AND item_id = ANY($2)",
    )
    .bind(kind)
    .bind(ids)
    .fetch_all(db)
    .await?)
}

/// Records a mail that went: these items are not mailed again, and any failure is over.
/// `digest`: it was the daily digest.
#[tracing::instrument(skip_all)]
pub async fn record_sent(
    conn: &mut PgConnection,
    items: &[(NoticeKind, Uuid)],
    now: DateTime<Utc>,
    digest: bool,
) -> Result<(), DbError> {
    let kinds: Vec<&str> = items.iter().map(|(kind, _)| kind.as_str()).collect();
    let ids: Vec<Uuid> = items.iter().map(|(_, id)| *id).collect();
    sqlx::query(
        "INSERT INTO notifications_mailed (kind, item_id, mailed_at) \
         SELECT kind, item_id, $3 FROM UNNEST($1::text[], $2::uuid[]) AS t (kind, item_id) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&kinds)
    .bind(&ids)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notification_state SET last_sent_at = $1, last_error = NULL, \
         last_error_at = NULL, last_digest_at = CASE WHEN $2 THEN $1 ELSE last_digest_at END",
    )
    .bind(now)
    .bind(digest)
    .execute(conn)
    .await?;
    Ok(())
}

/// The daily digest ran with nothing new to say.
#[tracing::instrument(skip_all)]
pub async fn record_quiet_digest(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE notification_state SET last_digest_at = $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// A mail could not be sent (`error` carries no secret); it is tried again later.
#[tracing::instrument(skip_all)]
pub async fn record_failure(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    error: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE notification_state SET last_error = $1, last_error_at = $2")
        .bind(error)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
