//! SQL for the outbox (`outgoing_activities`) and the durable delivery queue (`deliveries`;
//! the hosts' records are in [`super::hosts`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::DeliveryStatus;

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
        "UPDATE deliveries d SET status = 'failed', last_error = $3, finished_at = now() \
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

/// A delivery a worker has claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub activity_id: Uuid,
    pub inbox: String,
    pub host: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The host's `generation` when the job was claimed: its failure counts against the host
    /// only if nothing was recorded about the host since (see [`host_failed`]).
    pub generation: i64,
    /// The one request sent to a host whose backoff has run out, to see whether it is back.
    pub trial: bool,
}

/// Claims due deliveries: at most `limit`, at most `per_host` for any host, none for hosts in
/// `busy_hosts` or backed off, and a single trial job for each host whose backoff has run out
/// (its other jobs wait for the trial's outcome). Claimed rows are leased by moving
/// `next_attempt_at` past `lease`: if the worker dies, they come due again then; a trial's
/// host stays closed for as long.
#[tracing::instrument(skip_all, fields(limit, per_host))]
pub async fn claim(
    db: impl PgExecutor<'_> + Copy,
    limit: i64,
    per_host: i64,
    busy_hosts: &[String],
    lease: Duration,
) -> Result<Vec<Claimed>, DbError> {
    // Trials first: the host rows are locked (other processes skip them), each gets its first
    // due job, and the host is closed again for the lease.
    let mut claimed: Vec<Claimed> = sqlx::query_as(
        "WITH candidates AS ( \
           SELECT h.host FROM delivery_hosts h \
           WHERE h.backoff_until <= now() AND NOT (h.host = ANY($2)) \
             AND EXISTS (SELECT 1 FROM deliveries d \
                         WHERE d.host = h.host AND d.status = 'pending' AND d.next_attempt_at <= now()) \
           ORDER BY h.backoff_until, h.host LIMIT $1 \
           FOR UPDATE OF h SKIP LOCKED \
         ), picked AS ( \
           SELECT j.id, c.host FROM candidates c CROSS JOIN LATERAL ( \
             SELECT d.id FROM deliveries d \
             WHERE d.host = c.host AND d.status = 'pending' AND d.next_attempt_at <= now() \
             ORDER BY d.next_attempt_at, d.id LIMIT 1 \
             FOR UPDATE OF d SKIP LOCKED \
           ) j \
         ), closed AS ( \
           UPDATE delivery_hosts h SET backoff_until = now() + $3 \
           FROM picked WHERE h.host = picked.host \
           RETURNING h.host, h.generation \
         ) \
         UPDATE deliveries SET next_attempt_at = now() + $3, attempts = deliveries.attempts + 1 \
         FROM picked JOIN closed ON closed.host = picked.host WHERE deliveries.id = picked.id \
         RETURNING deliveries.id, deliveries.activity_id, deliveries.inbox, deliveries.host, \
                   deliveries.attempts, deliveries.created_at, closed.generation, true AS trial",
    )
    .bind(limit)
    .bind(busy_hosts)
    .bind(lease)
    .fetch_all(db)
    .await?;
    let rest = limit - claimed.len() as i64;
    if rest <= 0 {
        return Ok(claimed);
    }
    claimed.extend(
        sqlx::query_as::<_, Claimed>(
            // The due jobs are read in queue order through the partial index (a bounded window,
            // not the whole backlog), then at most `per_host` per host are taken from them.
            // Hosts with a failure record that closes them (backed off, or on trial) are left.
            "WITH due AS ( \
               SELECT d.id, d.host, d.next_attempt_at FROM deliveries d \
               WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND NOT (d.host = ANY($3)) \
                 AND NOT EXISTS (SELECT 1 FROM delivery_hosts h WHERE h.host = d.host AND h.backoff_until IS NOT NULL) \
               ORDER BY d.next_attempt_at, d.id LIMIT $1 * 8 \
             ), ranked AS ( \
               SELECT due.id, due.next_attempt_at, \
                      row_number() OVER (PARTITION BY due.host ORDER BY due.next_attempt_at, due.id) AS rank \
               FROM due \
             ), picked AS ( \
               SELECT d.id FROM deliveries d JOIN ranked r ON r.id = d.id \
               WHERE r.rank <= $2 AND d.status = 'pending' AND d.next_attempt_at <= now() \
               ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED \
             ) \
             UPDATE deliveries SET next_attempt_at = now() + $4, attempts = attempts + 1 \
             FROM picked WHERE deliveries.id = picked.id \
             RETURNING deliveries.id, deliveries.activity_id, deliveries.inbox, deliveries.host, \
                       deliveries.attempts, deliveries.created_at, \
                       coalesce((SELECT h.generation FROM delivery_hosts h WHERE h.host = deliveries.host), 0) AS generation, \
                       false AS trial",
        )
        .bind(rest)
        .bind(per_host)
        .bind(busy_hosts)
        .bind(lease)
        .fetch_all(db)
        .await?,
    );
    Ok(claimed)
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

#[tracing::instrument(skip_all, fields(id))]
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: i64,
    status: Option<u16>,
    error: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE deliveries SET status = 'failed', last_status = $2, last_error = $3, finished_at = now() WHERE id = $1")
        .bind(id)
        .bind(status.map(i32::from))
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn schedule_retry(
    db: impl PgExecutor<'_>,
    id: i64,
    status: Option<u16>,
    error: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE deliveries SET last_status = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1")
        .bind(id)
        .bind(status.map(i32::from))
        .bind(error)
        .bind(at)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks many jobs delivered at once (`(id, HTTP status)` pairs) and clears the failure
/// records of their hosts: one round trip for a whole batch of a fan-out. Returns how many
/// hosts this released.
#[tracing::instrument(skip_all, fields(count = delivered.len()))]
pub async fn mark_delivered_many(
    pool: &sqlx::PgPool,
    delivered: &[(i64, u16)],
    hosts: &[String],
) -> Result<u64, DbError> {
    let ids: Vec<i64> = delivered.iter().map(|(id, _)| *id).collect();
    let statuses: Vec<i32> = delivered.iter().map(|(_, s)| i32::from(*s)).collect();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE deliveries SET status = 'delivered', last_status = t.status, last_error = NULL, finished_at = now() \
         FROM UNNEST($1::bigint[], $2::int[]) AS t(id, status) WHERE deliveries.id = t.id",
    )
    .bind(&ids)
    .bind(&statuses)
    .execute(&mut *tx)
    .await?;
    let released = super::hosts::hosts_succeeded(&mut *tx, hosts).await?;
    tx.commit().await?;
    Ok(released)
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
