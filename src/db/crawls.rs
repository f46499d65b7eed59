//! SQL for `thread_crawls`: when each review's thread is crawled next.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

/// Crawls the review's thread at `at`, or sooner if it is due sooner already.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn schedule(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO thread_crawls AS t (review_id, due_at) VALUES ($1, $2) \
         ON CONFLICT (review_id) DO UPDATE SET due_at = least(t.due_at, excluded.due_at)",
    )
    .bind(review_id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes at most `limit` crawls that are due, leasing them until `lease_until` (a process
/// that dies mid-crawl leaves them due again then; another process skips them meanwhile).
#[tracing::instrument(skip_all, fields(limit))]
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_until: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "UPDATE thread_crawls SET due_at = $2 WHERE review_id IN ( \
           SELECT review_id FROM thread_crawls WHERE due_at <= now() \
           ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING review_id",
    )
    .bind(limit)
    .bind(lease_until)
    .fetch_all(db)
    .await?)
}

/// A crawl ran and found `found` replies: the next is due at `next`, or never.
#[tracing::instrument(skip_all, fields(review_id, found))]
pub async fn ran(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    found: usize,
    next: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    match next {
        Some(next) => {
            sqlx::query(
                "UPDATE thread_crawls SET due_at = $2, runs = runs + 1, last_run_at = now(), \
                 last_found = $3 WHERE review_id = $1",
            )
            .bind(review_id)
            .bind(next)
            .bind(i32::try_from(found).unwrap_or(i32::MAX))
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM thread_crawls WHERE review_id = $1")
                .bind(review_id)
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

super::archived_table!(
    crate::domain::archive::ThreadCrawlRecord,
    "thread_crawls",
    "review_id, due_at, runs, last_run_at, last_found",
    "ORDER BY review_id",
    archived,
    restore
);
