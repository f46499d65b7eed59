//! SQL for `delivery_hosts`: each host's failure record (rounds failed in a row, backoff,
//! since when it fails, whether it was given up on) and the hosts as the admin API lists them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::DbError;

/// An answer from a host (however recent the request) shows it is up: its failure record is
/// cleared, and a backed-off host is released at once. Returns how many hosts had a record.
#[tracing::instrument(skip_all, fields(count = hosts.len()))]
pub async fn hosts_succeeded(db: impl PgExecutor<'_>, hosts: &[String]) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE delivery_hosts SET consecutive_failures = 0, backoff_until = NULL, failing_since = NULL, \
           unavailable_since = NULL, generation = generation + 1 \
         WHERE host = ANY($1) AND (consecutive_failures > 0 OR backoff_until IS NOT NULL \
           OR failing_since IS NOT NULL OR unavailable_since IS NOT NULL)",
    )
    .bind(hosts)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Counts a failed request against its host, once per round: only if nothing was recorded
/// about the host since the request was claimed (`seen_generation`). Requests in flight
/// together are one round, however many of them fail; a request started after a recorded
/// failure is the next round. From the third round in a row the host is backed off as a
/// whole, for `base` doubling each further round, up to an hour; a trial request then finds
/// out whether it is back. Returns the rounds failed in a row, or `None` if this failure was
/// not counted.
#[tracing::instrument(skip_all, fields(host, seen_generation))]
pub async fn host_failed(
    db: impl PgExecutor<'_>,
    host: &str,
    seen_generation: i64,
    base: Duration,
) -> Result<Option<i32>, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO delivery_hosts AS h (host, consecutive_failures, generation, failing_since) VALUES ($1, 1, 1, now()) \
         ON CONFLICT (host) DO UPDATE SET consecutive_failures = h.consecutive_failures + 1, \
           generation = h.generation + 1, failing_since = coalesce(h.failing_since, now()), \
           backoff_until = CASE WHEN h.consecutive_failures + 1 >= 3 \
             THEN now() + least(interval '1 hour', $3 * power(2, least(h.consecutive_failures + 1 - 3, 20))) \
             ELSE NULL END \
         WHERE h.generation = $2 \
         RETURNING consecutive_failures",
    )
    .bind(host)
    .bind(seen_generation)
    .bind(base)
    .fetch_optional(db)
    .await?)
}

/// A trial job that ended without reaching its host (refused before sending) says nothing
/// about the host: the next trial may go at once.
#[tracing::instrument(skip_all, fields(host, generation))]
pub async fn trial_inconclusive(
    db: impl PgExecutor<'_>,
    host: &str,
    generation: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE delivery_hosts SET backoff_until = now() \
         WHERE host = $1 AND generation = $2 AND backoff_until > now()",
    )
    .bind(host)
    .bind(generation)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives up on a host whose deliveries have all failed for `after` (Mastodon's unavailable
/// domains): it gets nothing at fan-out any more, and its waiting jobs are failed. `true`
/// when this call gave up on it.
#[tracing::instrument(skip_all, fields(host))]
pub async fn give_up_if_failing(
    db: &mut sqlx::PgConnection,
    host: &str,
    after: Duration,
) -> Result<bool, DbError> {
    // One statement: nobody sees the host given up on while its jobs still wait.
    let given_up: bool = sqlx::query_scalar(
        "WITH given_up AS ( \
             UPDATE delivery_hosts SET unavailable_since = now() \
             WHERE host = $1 AND unavailable_since IS NULL AND failing_since <= now() - $2 \
             RETURNING host), \
         failed AS ( \
             UPDATE deliveries SET status = 'failed', last_error = 'host unavailable', finished_at = now(), leased_until = NULL \
             WHERE host IN (SELECT host FROM given_up) AND status = 'pending' RETURNING 1) \
         SELECT EXISTS (SELECT 1 FROM given_up)",
    )
    .bind(host)
    .bind(after)
    .fetch_one(&mut *db)
    .await?;
    Ok(given_up)
}

/// Something arrived from `host` (or the critic resumed it): it is available again, with a
/// clean record. `true` when it had been given up on.
#[tracing::instrument(skip_all, fields(host))]
pub async fn resume(db: impl PgExecutor<'_>, host: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE delivery_hosts SET unavailable_since = NULL, failing_since = NULL, consecutive_failures = 0, \
           backoff_until = NULL, generation = generation + 1 \
         WHERE host = $1 AND unavailable_since IS NOT NULL",
    )
    .bind(host)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A host as the admin API lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostRow {
    pub host: String,
    pub consecutive_failures: i32,
    pub backoff_until: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub unavailable_since: Option<DateTime<Utc>>,
    pub followers: i64,
    pub pending_deliveries: i64,
}

/// The hosts with a failure record, unavailable ones first, then by failures.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list(
    db: impl PgExecutor<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<HostRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT h.host, h.consecutive_failures, h.backoff_until, h.failing_since, h.unavailable_since, \
           (SELECT count(*) FROM followers f WHERE f.host = h.host AND f.status = 'accepted') AS followers, \
           (SELECT count(*) FROM deliveries d WHERE d.host = h.host AND d.status = 'pending') AS pending_deliveries \
         FROM delivery_hosts h \
         WHERE h.consecutive_failures > 0 OR h.backoff_until IS NOT NULL OR h.unavailable_since IS NOT NULL \
         ORDER BY h.unavailable_since IS NULL, h.consecutive_failures DESC, h.host \
         LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?)
}
