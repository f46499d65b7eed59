//! SQL for the delivery queue's work: claiming due jobs under a lease (per-host limit held
//! across every process sharing the database), and writing their outcomes back in batches.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::super::hosts;
use super::super::DbError;

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
    /// only if nothing was recorded about the host since (see [`hosts::host_failed`]).
    pub generation: i64,
    /// The one request sent to a host whose backoff has run out, to see whether it is back.
    pub trial: bool,
}

/// Claims due deliveries: at most `limit`, none for hosts backed off, a single trial job for
/// each host whose backoff has run out (its other jobs wait for the trial's outcome), and never
/// more than `per_host` jobs in flight to one host *counting every process*. A claimed job is
/// leased for `lease`: `leased_until` (cleared when its outcome is written) counts it as in
/// flight, and `next_attempt_at` moves past the lease, so if its worker dies the job comes due
/// again and stops counting then; a trial's host stays closed for as long.
///
/// Why the limit holds with several processes claiming at once: `FOR UPDATE SKIP LOCKED` keeps
/// two claims from taking the same job, not from taking two different jobs of one host that
/// has one slot left. So a claim first takes a transaction-scoped advisory lock per host it
/// means to claim from (`pg_try_advisory_xact_lock`: a host another claim is working on is
/// skipped, nobody waits), and only then, in a later statement (in READ COMMITTED, a fresh
/// snapshot), counts the host's live leases. A claim holding a host's lock has either seen
/// every other claim of that host committed (their leases counted), or the others skip the
/// host until it commits, since the lock is released only after the commit is visible. Trials
/// only concern closed hosts, which the ordinary claim never takes from; the host row's lock
/// and its closing keep to one trial at a time.
#[tracing::instrument(skip_all, fields(limit, per_host))]
pub async fn claim(
    pool: &PgPool,
    limit: i64,
    per_host: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, DbError> {
    let mut tx = pool.begin().await?;
    let mut claimed = claim_trials(&mut tx, limit, per_host, lease).await?;
    let rest = limit - claimed.len() as i64;
    if rest > 0 {
        // The hosts of a window of due jobs, read in queue order through the partial index
        // (not the whole backlog), leaving hosts closed by a failure record or already at
        // their limit; in the order of their first due job, each locked for this transaction
        // or skipped if another claim has it, until there are as many as jobs wanted (so a
        // claim in another process finds the next ones free).
        let locked: Vec<String> = sqlx::query_scalar(
            "WITH full_hosts AS ( \
               SELECT host FROM deliveries WHERE leased_until > now() \
               GROUP BY host HAVING count(*) >= $2 \
             ), due AS ( \
               SELECT d.host, row_number() OVER (ORDER BY d.next_attempt_at, d.id) AS pos \
               FROM deliveries d \
               WHERE d.status = 'pending' AND d.next_attempt_at <= now() \
                 AND d.host NOT IN (SELECT host FROM full_hosts) \
                 AND NOT EXISTS (SELECT 1 FROM delivery_hosts h WHERE h.host = d.host AND h.backoff_until IS NOT NULL) \
               ORDER BY d.next_attempt_at, d.id LIMIT $1 * 8 \
             ) \
             SELECT host FROM (SELECT host, min(pos) AS first FROM due GROUP BY host ORDER BY first) hosts \
             WHERE pg_try_advisory_xact_lock(hashtextextended('delivery host ' || host, 0)) \
             LIMIT $1",
        )
        .bind(rest)
        .bind(per_host)
        .fetch_all(&mut *tx)
        .await?;
        if !locked.is_empty() {
            claimed.extend(claim_locked(&mut tx, &locked, rest, per_host, lease).await?);
        }
    }
    tx.commit().await?;
    Ok(claimed)
}

/// One trial job for each host whose backoff has run out (and has a slot): the host rows are
/// locked (other processes skip them), each gets its first due job, and the host is closed
/// again for the lease.
async fn claim_trials(
    conn: &mut PgConnection,
    limit: i64,
    per_host: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, DbError> {
    Ok(sqlx::query_as(
        "WITH candidates AS ( \
           SELECT h.host FROM delivery_hosts h \
           WHERE h.backoff_until <= now() \
             AND EXISTS (SELECT 1 FROM deliveries d \
                         WHERE d.host = h.host AND d.status = 'pending' AND d.next_attempt_at <= now()) \
             AND (SELECT count(*) FROM deliveries l WHERE l.host = h.host AND l.leased_until > now()) < $2 \
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
         UPDATE deliveries SET next_attempt_at = now() + $3, leased_until = now() + $3, \
                attempts = deliveries.attempts + 1 \
         FROM picked JOIN closed ON closed.host = picked.host WHERE deliveries.id = picked.id \
         RETURNING deliveries.id, deliveries.activity_id, deliveries.inbox, deliveries.host, \
                   deliveries.attempts, deliveries.created_at, closed.generation, true AS trial",
    )
    .bind(limit)
    .bind(per_host)
    .bind(lease)
    .fetch_all(&mut *conn)
    .await?)
}

/// Claims from hosts this transaction has locked: each host's first due jobs up to its free
/// slots (`per_host` less its live leases, counted now), then the earliest `limit` of them.
/// Other claims leave these hosts alone; the rows are still locked (skipping any a writer
/// holds) against the writers of outcomes and `retry_now`.
async fn claim_locked(
    conn: &mut PgConnection,
    locked: &[String],
    limit: i64,
    per_host: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, DbError> {
    Ok(sqlx::query_as(
        "WITH open AS ( \
           SELECT l.host, (SELECT count(*) FROM deliveries d \
                           WHERE d.host = l.host AND d.leased_until > now()) AS in_flight \
           FROM unnest($1::text[]) AS l(host) \
           WHERE NOT EXISTS (SELECT 1 FROM delivery_hosts h WHERE h.host = l.host AND h.backoff_until IS NOT NULL) \
         ), picked AS ( \
           SELECT j.id FROM open CROSS JOIN LATERAL ( \
             SELECT d.id, d.next_attempt_at FROM deliveries d \
             WHERE d.host = open.host AND d.status = 'pending' AND d.next_attempt_at <= now() \
             ORDER BY d.next_attempt_at, d.id LIMIT greatest($3 - open.in_flight, 0) \
           ) j \
           ORDER BY j.next_attempt_at, j.id LIMIT $2 \
         ), taken AS ( \
           SELECT d.id FROM deliveries d JOIN picked ON picked.id = d.id \
           WHERE d.status = 'pending' AND d.next_attempt_at <= now() \
           FOR UPDATE OF d SKIP LOCKED \
         ) \
         UPDATE deliveries SET next_attempt_at = now() + $4, leased_until = now() + $4, \
                attempts = attempts + 1 \
         FROM taken WHERE deliveries.id = taken.id \
         RETURNING deliveries.id, deliveries.activity_id, deliveries.inbox, deliveries.host, \
                   deliveries.attempts, deliveries.created_at, \
                   coalesce((SELECT h.generation FROM delivery_hosts h WHERE h.host = deliveries.host), 0) AS generation, \
                   false AS trial",
    )
    .bind(locked)
    .bind(limit)
    .bind(per_host)
    .bind(lease)
    .fetch_all(&mut *conn)
    .await?)
}

/// What becomes of a job after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    /// Failed for good (refused, or given up on), with this error.
    Failed(String),
    /// Tried again at this time; this error is on record meanwhile.
    Retry(String, DateTime<Utc>),
}

/// What an attempt says about its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostNews {
    /// It answered (whatever it said): its failure record is cleared, a backed-off host is
    /// released.
    Answered,
    /// A failed request: a failed round if nothing was recorded about the host since the job
    /// was claimed (see [`hosts::host_failed`]).
    Failed,
    /// A trial that never reached the host: the next trial may go at once.
    TrialInconclusive,
    /// Nothing (refused before sending).
    Nothing,
}

/// The outcome of one attempt, to be written back.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: i64,
    pub host: String,
    /// [`Claimed::generation`].
    pub generation: i64,
    /// The HTTP status the host answered, if it did.
    pub status: Option<u16>,
    pub fate: Fate,
    pub news: HostNews,
}

/// What writing a batch did to the hosts.
#[derive(Debug, Default)]
pub struct Outcomes {
    /// Some host may be claimed from again at once (a backed-off host answered, or a trial
    /// was inconclusive).
    pub reopened: bool,
    /// Hosts whose failed round counted, with their rounds failed in a row.
    pub rounds: Vec<(String, i32)>,
    /// Hosts given up on by this batch (failing for `unavailable_after`).
    pub given_up: Vec<String>,
}

/// Writes a batch of outcomes in one transaction: the jobs in one statement (their leases
/// cleared), then the hosts' records. A host's failed rounds are counted in the order they
/// arrived, before the answers: within one batch an answer from a host wins (its record ends
/// cleared). Hosts whose failures counted are given up on if they have failed for
/// `unavailable_after`.
#[tracing::instrument(skip_all, fields(count = batch.len()))]
pub async fn write_outcomes(
    pool: &PgPool,
    batch: &[Written],
    retry_base: Duration,
    unavailable_after: Duration,
) -> Result<Outcomes, DbError> {
    let ids: Vec<i64> = batch.iter().map(|w| w.id).collect();
    let statuses: Vec<Option<i32>> = batch.iter().map(|w| w.status.map(i32::from)).collect();
    let (mut fates, mut errors, mut retries) = (Vec::new(), Vec::new(), Vec::new());
    for w in batch {
        let (fate, error, at) = match &w.fate {
            Fate::Delivered => ("delivered", None, None),
            Fate::Failed(error) => ("failed", Some(error.as_str()), None),
            Fate::Retry(error, at) => ("retry", Some(error.as_str()), Some(*at)),
        };
        fates.push(fate);
        errors.push(error);
        retries.push(at);
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE deliveries SET \
           status = CASE WHEN t.fate = 'retry' THEN deliveries.status ELSE t.fate END, \
           last_status = t.status, last_error = t.error, \
           next_attempt_at = coalesce(t.retry_at, deliveries.next_attempt_at), \
           finished_at = CASE WHEN t.fate = 'retry' THEN deliveries.finished_at ELSE now() END, \
           leased_until = NULL \
         FROM UNNEST($1::bigint[], $2::text[], $3::int[], $4::text[], $5::timestamptz[]) \
           AS t(id, fate, status, error, retry_at) \
         WHERE deliveries.id = t.id",
    )
    .bind(&ids)
    .bind(&fates)
    .bind(&statuses)
    .bind(&errors)
    .bind(&retries)
    .execute(&mut *tx)
    .await?;

    let mut outcomes = Outcomes::default();
    // Failures seen with the same generation are one round: the first counts, the others
    // would not match.
    let mut failed: Vec<(&str, i64)> = Vec::new();
    for w in batch.iter().filter(|w| w.news == HostNews::Failed) {
        if !failed.contains(&(w.host.as_str(), w.generation)) {
            failed.push((w.host.as_str(), w.generation));
        }
    }
    for (host, generation) in failed {
        if let Some(rounds) = hosts::host_failed(&mut *tx, host, generation, retry_base).await? {
            outcomes.rounds.retain(|(h, _)| h != host);
            outcomes.rounds.push((host.to_string(), rounds));
        }
    }
    for w in batch
        .iter()
        .filter(|w| w.news == HostNews::TrialInconclusive)
    {
        hosts::trial_inconclusive(&mut *tx, &w.host, w.generation).await?;
        outcomes.reopened = true;
    }
    let mut answered: Vec<String> = batch
        .iter()
        .filter(|w| w.news == HostNews::Answered)
        .map(|w| w.host.clone())
        .collect();
    answered.sort();
    answered.dedup();
    if !answered.is_empty() && hosts::hosts_succeeded(&mut *tx, &answered).await? > 0 {
        outcomes.reopened = true;
    }
    for (host, _) in &outcomes.rounds {
        if answered.binary_search(host).is_err()
            && hosts::give_up_if_failing(&mut tx, host, unavailable_after).await?
        {
            outcomes.given_up.push(host.clone());
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
