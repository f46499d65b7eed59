//! SQL for the outbox (`outgoing_activities`) and the durable delivery queue (`deliveries`;
//! the hosts' records are in [`super::hosts`]).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::DeliveryStatus;

mod queue;
pub use queue::{claim, write_outcomes, Claimed, Fate, HostNews, Outcomes, Written};

/// Stores an outgoing activity.
#[tracing::instrument(skip_all, fields(id, review_id = ?review_id, public))]
pub async fn insert_activity(
    conn: &mut PgConnection,
    id: Uuid,
    ap_id: &str,
    kind: &str,
    review_id: Option<Uuid>,
    public: bool,
    body: &(impl serde::Serialize + Sync),
) -> Result<(), DbError> {
    insert_activity_dated(conn, id, ap_id, kind, review_id, public, body, None).await
}

/// [`insert_activity`] dated `at` (an imported review's `Create`, dated when it was
/// published); `None`: now.
#[allow(clippy::too_many_arguments)]
pub async fn insert_activity_dated(
    conn: &mut PgConnection,
    id: Uuid,
    ap_id: &str,
    kind: &str,
    review_id: Option<Uuid>,
    public: bool,
    body: &(impl serde::Serialize + Sync),
    at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO outgoing_activities (id, ap_id, kind, review_id, public, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()))",
    )
    .bind(id)
    .bind(ap_id)
    .bind(kind)
    .bind(review_id)
    .bind(public)
    .bind(Json(body))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// After a follower left: what still waits for an inbox that no follower uses any more is not
/// sent there (marked failed with `reason`). After an unfollow only the reviews (`public`),
/// so the answers to that account still go; after the account is gone, everything.
#[tracing::instrument(skip_all, fields(public_only))]
pub async fn cancel_for_inbox(
    db: impl PgExecutor<'_>,
    inbox: &str,
    public_only: bool,
    reason: &str,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE deliveries d SET status = 'failed', last_error = $3, finished_at = now(), leased_until = NULL \
         FROM outgoing_activities o WHERE o.id = d.activity_id AND (o.public OR NOT $2) AND d.inbox = $1 AND d.status = 'pending' \
         AND NOT EXISTS (SELECT 1 FROM followers f WHERE f.inbox = $1 AND f.status = 'accepted')",
    )
    .bind(inbox)
    .bind(public_only)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// One delivery job per distinct inbox of the accepted followers, written by the database
/// itself: however many followers there are, none of them is loaded into memory.
///
/// Jobs are numbered in the order claims take them (`next_attempt_at`, then `id`): hosts
/// round-robin (every host's first job, then every host's second, ...), and within a host in
/// the order of `md5(inbox)` — fixed, but unrelated to the addresses, whose neighbours tend to
/// fail together (accounts created or moved together). No host is claimed in one long run.
#[tracing::instrument(skip_all, fields(activity_id))]
pub async fn enqueue_to_followers(
    conn: &mut PgConnection,
    activity_id: Uuid,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "INSERT INTO deliveries (activity_id, inbox, host) \
         SELECT $1::uuid, f.inbox, f.host \
         FROM (SELECT DISTINCT inbox, host FROM followers WHERE status = 'accepted') f \
         WHERE NOT EXISTS (SELECT 1 FROM delivery_hosts h WHERE h.host = f.host AND h.unavailable_since IS NOT NULL) \
         ORDER BY row_number() OVER (PARTITION BY f.host ORDER BY md5(f.inbox), f.inbox), md5(f.host), f.host, f.inbox \
         ON CONFLICT (activity_id, inbox) DO NOTHING",
    )
    .bind(activity_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[tracing::instrument(skip_all, fields(activity_id))]
pub async fn enqueue_one(
    conn: &mut PgConnection,
    activity_id: Uuid,
    inbox: &str,
    host: &str,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO deliveries (activity_id, inbox, host) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(activity_id)
        .bind(inbox)
        .bind(host)
        .execute(conn)
        .await?;
    Ok(())
}

/// The serialized bodies of activities, by id.
pub async fn activity_bodies(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(
        sqlx::query_as("SELECT id, body::text FROM outgoing_activities WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(db)
            .await?,
    )
}

/// A delivery as the admin API lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub activity_ap_id: String,
    pub activity_kind: String,
    pub inbox: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list(
    pool: &sqlx::PgPool,
    status: Option<DeliveryStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeliveryRow>, i64), DbError> {
    // One snapshot for the page and the count: a delivery finishing in between must not be
    // counted without being listed.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query_as(
        "SELECT d.id, a.ap_id AS activity_ap_id, a.kind AS activity_kind, d.inbox, d.status, d.attempts, \
         d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.finished_at \
         FROM deliveries d JOIN outgoing_activities a ON a.id = d.activity_id \
         WHERE ($1::text IS NULL OR d.status = $1) ORDER BY d.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *tx)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE ($1::text IS NULL OR status = $1)",
    )
    .bind(status)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((rows, total))
}

/// Puts a failed (or pending) delivery back in line now, and forgives its host.
#[tracing::instrument(skip_all, fields(id))]
pub async fn retry_now(db: impl PgExecutor<'_> + Copy, id: i64) -> Result<bool, DbError> {
    let host: Option<String> = sqlx::query_scalar(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = now(), finished_at = NULL, created_at = now() \
         WHERE id = $1 AND status <> 'delivered' RETURNING host",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    match host {
        Some(host) => {
            super::hosts::hosts_succeeded(db, &[host]).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The outbox's public Creates of reviews still published, newest first: (activity id,
/// review id, sent at).
pub async fn outbox_page(
    db: impl PgExecutor<'_> + Copy,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(String, Uuid, DateTime<Utc>)>, i64), DbError> {
    // The latest Create of each review still published (a review republished after going
    // back to draft has two).
    const FROM: &str = "FROM (SELECT DISTINCT ON (o.review_id) o.ap_id, o.review_id, o.created_at \
        FROM outgoing_activities o JOIN reviews r ON r.id = o.review_id \
        WHERE o.public AND o.kind = 'Create' AND r.status = 'published' AND r.deleted_at IS NULL \
        ORDER BY o.review_id, o.created_at DESC) latest";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT ap_id, review_id, created_at {FROM} ORDER BY created_at DESC LIMIT $1 OFFSET $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) {FROM}")))
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

/// A stored public activity, by id.
pub async fn public_activity(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Value>, DbError> {
    let row: Option<Json<Value>> =
        sqlx::query_scalar(
            "SELECT o.body FROM outgoing_activities o LEFT JOIN reviews r ON r.id = o.review_id \
             WHERE o.id = $1 AND o.public AND (o.kind = 'Delete' OR (r.status = 'published' AND r.deleted_at IS NULL))",
        )
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|j| j.0))
}

super::archived_table!(
    crate::domain::archive::ActivityRecord,
    "outgoing_activities",
    "id, ap_id, kind, review_id, public, body, created_at",
    "ORDER BY created_at, id",
    archived_activities,
    restore_activities
);
super::archived_table!(
    crate::domain::archive::DeliveryRecord,
    "deliveries",
    "activity_id, inbox, host, status, attempts, next_attempt_at, last_status, last_error, created_at, finished_at",
    "WHERE status = 'pending' ORDER BY id",
    archived_pending,
    restore_pending
);
