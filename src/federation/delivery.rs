//! The delivery workers: claim due jobs from PostgreSQL, sign each attempt afresh, send,
//! and record the outcome.
//!
//! - `2xx`: delivered. `4xx` other than `408`/`429`: failed for good.
//! - `3xx`, `408`, `429`, `5xx`, timeouts, connection errors: retried with exponential backoff
//!   and jitter (honouring `Retry-After`) until `delivery_give_up` has passed, then failed.
//! - Each job keeps its own schedule: `retry_base` doubling with its own attempts (up to 6 h),
//!   whatever happens to other jobs of its host.
//! - At most `per_host_concurrency` requests to one host at once. A host is backed off as a
//!   whole when it fails three *rounds* in a row: requests that were in flight together count
//!   once (a failure counts only if nothing was recorded about the host since its request was
//!   claimed), and any answer clears the record. A backed-off host waits `retry_base`,
//!   doubling each further round, up to an hour; then a single trial request is sent, and
//!   only when it succeeds are the host's other jobs released (at once).
//! - Claims interleave hosts and never take one host's jobs in the order of their addresses
//!   (see `db::deliveries::enqueue_to_followers`).
//! - Jobs are claimed with `FOR UPDATE SKIP LOCKED` under a lease: several processes share the
//!   queue, and a job whose worker died comes back when its lease runs out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;
use uuid::Uuid;

use super::Context;
use crate::db::deliveries::{self, Claimed};
use crate::db::hosts;
use crate::db::DbError;

/// `host[:port]` of an inbox URL, normalized: the unit of per-host limits and backoff.
use crate::domain::{authority, destination};

mod send;
use send::attempt;

/// Sends a delivery again now (the critic asked); `false` when there is no such delivery.
#[tracing::instrument(skip_all, fields(id))]
pub async fn retry_now(ctx: &Context, id: i64) -> Result<bool, DbError> {
    let found = deliveries::retry_now(&ctx.pool, id).await?;
    if found {
        ctx.federation.wake.notify_one();
    }
    Ok(found)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered(u16),
    /// Not worth retrying: the peer refused it, or the inbox is not acceptable.
    Refused(Option<u16>, String),
    /// Worth retrying, not before the given pause if the peer asked for one.
    Retry(Option<u16>, String, Option<Duration>),
}

/// Classifies a response status (see the module documentation).
pub fn classify(status: StatusCode, retry_after: Option<Duration>, text: &str) -> Outcome {
    let code = status.as_u16();
    let message = format!(
        "HTTP {code}: {}",
        text.chars().take(300).collect::<String>()
    );
    if status.is_success() {
        Outcome::Delivered(code)
    } else if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        Outcome::Refused(Some(code), message)
    } else {
        Outcome::Retry(Some(code), message, retry_after)
    }
}

/// `Retry-After` as seconds or as an HTTP date, capped at a day.
pub fn retry_after(value: Option<&HeaderValue>, now: DateTime<Utc>) -> Option<Duration> {
    let value = value?.to_str().ok()?.trim();
    let pause = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(value)
                .ok()?
                .with_timezone(&Utc);
            (at - now).to_std().unwrap_or_default()
        }
    };
    Some(pause.min(Duration::from_secs(86_400)))
}

/// The pause before attempt `attempts + 1`: `base` doubling up to 6 h, ±25 % jitter.
pub fn backoff(attempts: i32, base: Duration) -> Duration {
    let exponent = attempts.clamp(1, 20) - 1;
    let base = (base.as_secs().max(1) << exponent).min(6 * 3600);
    let jitter = rand::thread_rng().gen_range(0.75..1.25);
    Duration::from_secs_f64(base as f64 * jitter)
}

/// An HTTP date (RFC 9110 IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Refuses inboxes that would reach into the operator's network, unless allowed (see
/// [`destination::check`]).
fn check_destination(inbox: &Url, allow_private: bool) -> Result<(), String> {
    destination::check(inbox, allow_private, true).map_err(|e| e.to_string())
}

/// A delivered job, on its way to being written back with others.
struct Delivered {
    id: i64,
    status: u16,
    host: String,
}

/// Writes successes back in batches: whatever has arrived since the last write (up to 512)
/// goes in one transaction, so a fan-out costs PostgreSQL one statement per batch rather than
/// two per delivery. Until written, a job stays leased; after a crash it is sent again.
async fn record_successes(state: Context, mut done: mpsc::UnboundedReceiver<Delivered>) {
    let mut batch = Vec::with_capacity(512);
    while done.recv_many(&mut batch, 512).await > 0 {
        let delivered: Vec<(i64, u16)> = batch.iter().map(|d| (d.id, d.status)).collect();
        let mut hosts: Vec<String> = batch.iter().map(|d| d.host.clone()).collect();
        hosts.sort();
        hosts.dedup();
        match deliveries::mark_delivered_many(&state.pool, &delivered, &hosts).await {
            // A backed-off host answered (a trial): its other jobs go now.
            Ok(released) if released > 0 => state.federation.wake.notify_one(),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(count = batch.len(), error = %e, "recording deliveries failed; their leases will bring them back");
            }
        }
        batch.clear();
    }
}

/// Writes an outcome back to the queue (successes through the batching recorder).
async fn record(
    state: &Context,
    job: &Claimed,
    outcome: &Outcome,
    successes: &mpsc::UnboundedSender<Delivered>,
) -> Result<(), DbError> {
    let pool = &state.pool;
    match outcome {
        Outcome::Delivered(status) => {
            tracing::info!(delivery = job.id, inbox = %job.inbox, status, "delivered");
            let delivered = Delivered {
                id: job.id,
                status: *status,
                host: job.host.clone(),
            };
            if let Err(mpsc::error::SendError(d)) = successes.send(delivered) {
                // The recorder is gone (shutting down): write this one directly.
                deliveries::mark_delivered_many(pool, &[(d.id, d.status)], &[d.host]).await?;
            }
        }
        Outcome::Refused(status, error) => {
            deliveries::mark_failed(pool, job.id, *status, error).await?;
            if status.is_some() {
                // The host answered.
                if hosts::hosts_succeeded(pool, std::slice::from_ref(&job.host)).await? > 0 {
                    state.federation.wake.notify_one();
                }
            } else if job.trial {
                hosts::trial_inconclusive(pool, &job.host, job.generation).await?;
                state.federation.wake.notify_one();
            }
            tracing::warn!(delivery = job.id, inbox = %job.inbox, error, "delivery refused; not retried");
            if *status == Some(410) {
                // The inbox is gone: so, perhaps, are the followers behind it.
                let ctx = state.clone();
                let inbox = job.inbox.clone();
                tokio::spawn(async move {
                    if let Err(e) = super::followers::remove_gone_behind(&ctx, &inbox).await {
                        tracing::warn!(%inbox, error = %e, "checking the followers of a gone inbox failed");
                    }
                });
            }
        }
        Outcome::Retry(status, error, pause) => {
            let rounds = hosts::host_failed(
                pool,
                &job.host,
                job.generation,
                state.settings.federation.retry_base,
            )
            .await?;
            let now = Utc::now();
            let wait = backoff(job.attempts, state.settings.federation.retry_base)
                .max(pause.unwrap_or_default());
            let next = now
                + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(6));
            let give_up = job.created_at
                + chrono::Duration::from_std(state.settings.federation.delivery_give_up)
                    .unwrap_or_else(|_| chrono::Duration::days(7));
            if next > give_up {
                let error = format!("gave up after {} attempts: {error}", job.attempts);
                deliveries::mark_failed(pool, job.id, *status, &error).await?;
                tracing::warn!(delivery = job.id, inbox = %job.inbox, error, "delivery failed for good");
            } else {
                deliveries::schedule_retry(pool, job.id, *status, error, next).await?;
                tracing::info!(delivery = job.id, inbox = %job.inbox, error, retry_at = %next, trial = job.trial, host_rounds_failed = ?rounds, "delivery will be retried");
            }
            if rounds.is_some() {
                let mut conn = pool.acquire().await?;
                let after = state.settings.federation.host_unavailable_after;
                if hosts::give_up_if_failing(&mut conn, &job.host, after).await? {
                    tracing::warn!(host = %job.host, "every delivery to this host failed for too long: it is unavailable until it is heard from");
                }
            }
        }
    }
    Ok(())
}

/// After this long, a request still waiting for its peer gives its worker slot back (it keeps
/// its host's permit): hosts that hang cannot take every worker and starve the others. A
/// job waiting for a host already at its limit holds no slot either.
const SLOW_REQUEST: Duration = Duration::from_secs(1);

/// Runs the workers of this process until shutdown.
pub async fn run(state: Context, shutdown: CancellationToken) {
    let settings = state.settings.federation.clone();
    let workers = settings.delivery_workers;
    let slots = Arc::new(Semaphore::new(workers));
    // Claims rank due jobs by host; claiming for every single finished delivery would repeat
    // that work per delivery, so free slots are filled in batches.
    let batch = (workers / 4).max(1);
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut in_flight: JoinSet<()> = JoinSet::new();
    let (successes, done) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record_successes(state.clone(), done));
    loop {
        while in_flight.try_join_next().is_some() {}
        hosts.retain(|_, s| s.available_permits() < settings.per_host_concurrency);
        let free = slots.available_permits();
        let mut claimed_any = false;
        if free >= batch || (free > 0 && in_flight.is_empty()) {
            let busy: Vec<String> = hosts
                .iter()
                .filter(|(_, s)| s.available_permits() == 0)
                .map(|(h, _)| h.clone())
                .collect();
            match claim_batch(&state, free as i64, &busy).await {
                Ok(claimed) => {
                    claimed_any = !claimed.is_empty();
                    for (job, body) in claimed {
                        let Ok(slot) = slots.clone().try_acquire_owned() else {
                            break;
                        };
                        let permits = hosts
                            .entry(job.host.clone())
                            .or_insert_with(|| {
                                Arc::new(Semaphore::new(settings.per_host_concurrency))
                            })
                            .clone();
                        let state = state.clone();
                        let successes = successes.clone();
                        in_flight.spawn(async move {
                            let mut slot = Some(slot);
                            // Waiting for a host that is already at its limit holds no worker.
                            let permit = match permits.clone().try_acquire_owned() {
                                Ok(permit) => permit,
                                Err(_) => {
                                    slot = None;
                                    let Ok(permit) = permits.acquire_owned().await else {
                                        return;
                                    };
                                    permit
                                }
                            };
                            let work = async {
                                let outcome = attempt(&state, &job, body).await;
                                if let Err(e) = record(&state, &job, &outcome, &successes).await {
                                    tracing::error!(delivery = job.id, error = %e, "recording a delivery outcome failed; the lease will bring it back");
                                }
                            };
                            tokio::pin!(work);
                            tokio::select! {
                                () = &mut work => {}
                                () = tokio::time::sleep(SLOW_REQUEST), if slot.is_some() => {
                                    slot = None;
                                    work.await;
                                }
                            }
                            drop((slot, permit));
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "claiming deliveries failed"),
            }
        }
        if claimed_any && slots.available_permits() >= batch {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            _ = state.federation.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
    // Let attempts under way finish (they are bounded by the request timeout); whatever is
    // cut off comes back when its lease runs out.
    let drain = async { while in_flight.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(15), drain)
        .await
        .is_err()
    {
        in_flight.abort_all();
    }
    drop(successes);
    let _ = recorder.await;
}

/// Claims due jobs and loads the activity bodies they need.
async fn claim_batch(
    state: &Context,
    limit: i64,
    busy: &[String],
) -> Result<Vec<(Claimed, Bytes)>, DbError> {
    let settings = &state.settings.federation;
    let jobs = deliveries::claim(
        &state.pool,
        limit,
        settings.per_host_concurrency as i64,
        busy,
        settings.delivery_lease,
    )
    .await?;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<Uuid> = jobs.iter().map(|j| j.activity_id).collect();
    ids.sort();
    ids.dedup();
    let bodies: HashMap<Uuid, Bytes> = deliveries::activity_bodies(&state.pool, &ids)
        .await?
        .into_iter()
        .map(|(id, body)| (id, Bytes::from(body)))
        .collect();
    Ok(jobs
        .into_iter()
        .filter_map(|job| {
            bodies
                .get(&job.activity_id)
                .cloned()
                .map(|body| (job, body))
        })
        .collect())
}

#[cfg(test)]
mod tests;
