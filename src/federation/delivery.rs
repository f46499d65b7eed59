//! The delivery workers: claim due jobs from PostgreSQL, sign each attempt afresh, send,
//! and record the outcome.
//!
//! - `2xx`: delivered. `4xx` other than `408`/`429`: failed for good.
//! - `3xx`, `408`, `429`, `5xx`, timeouts, connection errors: retried with exponential backoff
//!   and jitter (honouring `Retry-After`) until `delivery_give_up` has passed, then failed.
//! - Each job keeps its own schedule: `retry_base` doubling with its own attempts (up to 6 h),
//!   whatever happens to other jobs of its host.
//! - At most `per_host_concurrency` requests to one host at once, whatever the number of
//!   processes: the claim counts the host's leased jobs in PostgreSQL. A host is backed off as a
//!   whole when it fails three *rounds* in a row: requests that were in flight together count
//!   once (a failure counts only if nothing was recorded about the host since its request was
//!   claimed), and any answer clears the record. A backed-off host waits `retry_base`,
//!   doubling each further round, up to an hour; then a single trial request is sent, and
//!   only when it succeeds are the host's other jobs released (at once).
//! - Claims interleave hosts and never take one host's jobs in the order of their addresses
//!   (see `db::deliveries::enqueue_to_followers`).
//! - Jobs are claimed with `FOR UPDATE SKIP LOCKED` under a lease: several processes share the
//!   queue, and a job whose worker died comes back (and stops counting against its host) when
//!   its lease runs out. Outcomes are written back in batches (see `record`).
//! - A request that has not been answered after a second gives its worker slot back, and its
//!   host's later requests (for ten minutes) take none: hosts that hang cannot hold workers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use moka::future::Cache;
use rand::Rng;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;
use uuid::Uuid;

use super::Context;
use crate::db::deliveries::{self, Claimed};
use crate::db::DbError;

/// `host[:port]` of an inbox URL, normalized: the unit of per-host limits and backoff.
use crate::domain::{authority, destination};

mod record;
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

/// After this long, a request still waiting for its peer gives its worker slot back: hosts
/// that hang cannot take every worker and starve the others. Its host is then remembered as
/// hanging for [`HUNG_FOR`], and its later requests take no worker slot at all.
const SLOW_REQUEST: Duration = Duration::from_secs(1);

/// How long a host whose request outlasted [`SLOW_REQUEST`] counts as hanging.
const HUNG_FOR: Duration = Duration::from_secs(600);

/// At most this many hosts are remembered as hanging (the least recent are forgotten).
const HUNG_HOSTS: u64 = 10_000;

/// At most this many requests are in flight without a worker slot (to hosts that hang, or
/// past [`SLOW_REQUEST`]); beyond them, such a request holds a worker slot like any other. With
/// the workers, this bounds the requests (and memory) of one process.
const SLOTLESS_REQUESTS: usize = 1024;

/// Runs the workers of this process until shutdown. How many requests go to one host at once
/// is the claim's business (counted in PostgreSQL across every process, see
/// [`deliveries::claim`]).
pub async fn run(state: Context, shutdown: CancellationToken) {
    let settings = state.settings.federation.clone();
    let workers = settings.delivery_workers;
    let slots = Arc::new(Semaphore::new(workers));
    let slotless = Arc::new(Semaphore::new(SLOTLESS_REQUESTS));
    let hung: Cache<String, ()> = Cache::builder()
        .max_capacity(HUNG_HOSTS)
        .time_to_live(HUNG_FOR)
        .build();
    // Claims rank due jobs by host; claiming for every single finished delivery would repeat
    // that work per delivery, so free slots are filled in batches.
    let batch = (workers / 4).max(1);
    let mut in_flight: JoinSet<()> = JoinSet::new();
    let (finished, done) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record::recorder(state.clone(), done));
    loop {
        while in_flight.try_join_next().is_some() {}
        let free = slots.available_permits();
        let mut claimed_any = false;
        if free >= batch || (free > 0 && in_flight.is_empty()) {
            match claim_batch(&state, free as i64).await {
                Ok(claimed) => {
                    claimed_any = !claimed.is_empty();
                    for (job, body) in claimed {
                        // A host that hung lately gets no worker slot (while few enough
                        // requests go without one).
                        let pass = if hung.contains_key(&job.host) {
                            slotless.clone().try_acquire_owned().ok()
                        } else {
                            None
                        };
                        let slot = match pass {
                            Some(_) => None,
                            None => match slots.clone().try_acquire_owned() {
                                Ok(slot) => Some(slot),
                                Err(_) => break,
                            },
                        };
                        let held = Held {
                            slot,
                            pass,
                            slotless: slotless.clone(),
                        };
                        in_flight.spawn(deliver(
                            state.clone(),
                            job,
                            body,
                            held,
                            hung.clone(),
                            finished.clone(),
                        ));
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
    drop(finished);
    let _ = recorder.await;
}

/// What a request in flight holds: a worker slot, or a pass to go without one.
struct Held {
    slot: Option<OwnedSemaphorePermit>,
    pass: Option<OwnedSemaphorePermit>,
    slotless: Arc<Semaphore>,
}

/// Sends one job and hands its outcome to the recorder. Past [`SLOW_REQUEST`], its host is
/// remembered as hanging and the request gives its worker slot back as soon as a pass is free.
async fn deliver(
    state: Context,
    job: Claimed,
    body: Bytes,
    mut held: Held,
    hung: Cache<String, ()>,
    finished: mpsc::UnboundedSender<record::Finished>,
) {
    let work = async {
        let outcome = attempt(&state, &job, body).await;
        record::finish(&state, &job, &outcome, &finished).await;
    };
    tokio::pin!(work);
    tokio::select! {
        () = &mut work => return,
        () = tokio::time::sleep(SLOW_REQUEST) => {}
    }
    hung.insert(job.host.clone(), ()).await;
    if held.pass.is_none() && held.slot.is_some() {
        tokio::select! {
            () = &mut work => return,
            Ok(pass) = held.slotless.clone().acquire_owned() => {
                held.pass = Some(pass);
                held.slot = None;
                // A slot is free: claim for it now rather than at the next tick.
                state.federation.wake.notify_one();
            }
        }
    }
    work.await;
}

/// Claims due jobs and loads the activity bodies they need.
async fn claim_batch(state: &Context, limit: i64) -> Result<Vec<(Claimed, Bytes)>, DbError> {
    let settings = &state.settings.federation;
    let jobs = deliveries::claim(
        &state.pool,
        limit,
        settings.per_host_concurrency as i64,
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
