//! Fan-out: F followers on H sink hosts; publish a review and time its deliveries.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use sqlx::PgPool;

use crate::api::{Api, Review};
use crate::proc::{self, RssSampler};
use crate::sink::{Behaviour, Sinks};

/// One fan-out scenario.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub followers: usize,
    pub hosts: usize,
    /// Followers on one host share its inbox (Mastodon's `sharedInbox`): one delivery per host.
    pub shared_inboxes: bool,
    /// Whether the faulty sinks answer 503 or hang.
    pub faults: bool,
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Deliveries to healthy inboxes (the ones that must arrive).
    pub expected: usize,
    pub delivered: usize,
    /// From the publishing request to the last healthy delivery.
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub peak_rss_kib: u64,
    pub verified: u64,
    pub verify_failed: u64,
    /// Deliveries of the review that reached an inbox that already had it.
    pub duplicates: usize,
    /// The most requests one sink host had in flight at once.
    pub max_host_in_flight: usize,
    /// The published review's id.
    pub object: String,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.delivered as f64 / self.seconds.max(1e-9)
    }
}

/// Replaces the followers with the case's, all accepted.
#[tracing::instrument(skip_all)]
pub async fn set_followers(pool: &PgPool, sinks: &Sinks, case: &Case) -> Result<()> {
    if case.hosts > sinks.ports.len() || (case.hosts == 0 && case.followers > 0) {
        bail!(
            "{} hosts asked for {} followers, {} sinks running",
            case.hosts,
            case.followers,
            sinks.ports.len()
        );
    }
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM deliveries WHERE status = 'pending'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM delivery_hosts")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM followers")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM remote_actors WHERE id LIKE 'http://127.0.0.1:%/users/f-%'")
        .execute(&mut *tx)
        .await?;
    let (mut ids, mut inboxes, mut shared, mut hosts) = (vec![], vec![], vec![], vec![]);
    for (i, port, _) in followers(sinks, case) {
        let id = format!("http://127.0.0.1:{port}/users/f-{i}");
        let shared_inbox = format!("http://127.0.0.1:{port}/inbox");
        inboxes.push(if case.shared_inboxes {
            shared_inbox.clone()
        } else {
            format!("{id}/inbox")
        });
        shared.push(shared_inbox);
        hosts.push(format!("127.0.0.1:{port}"));
        ids.push(id);
    }
    sqlx::query(
        "INSERT INTO remote_actors (id, inbox, shared_inbox, public_key_pem, kind, fetched_at) \
         SELECT a, a || '/inbox', s, 'unused', 'Person', now() FROM UNNEST($1::text[], $2::text[]) AS t(a, s)",
    )
    .bind(&ids)
    .bind(&shared)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO followers (id, actor_id, follow_id, inbox, host, status, accepted_at) \
         SELECT gen_random_uuid(), a, a || '#follow', i, h, 'accepted', now() \
         FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(a, i, h)",
    )
    .bind(&ids)
    .bind(&inboxes)
    .bind(&hosts)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each follower's number, port and behaviour: the followers are spread round-robin over the
/// case's first `hosts` sinks.
fn followers<'a>(
    sinks: &'a Sinks,
    case: &Case,
) -> impl Iterator<Item = (usize, u16, Behaviour)> + 'a {
    sinks
        .ports
        .iter()
        .copied()
        .zip(sinks.behaviours.iter().copied())
        .take(case.hosts)
        .cycle()
        .take(case.followers)
        .enumerate()
        .map(|(i, (port, behaviour))| (i, port, behaviour))
}

/// The inboxes that must receive the delivery (the faulty hosts' are left out when faults are on).
fn expected_inboxes(sinks: &Sinks, case: &Case) -> HashSet<String> {
    followers(sinks, case)
        .filter(|(_, _, behaviour)| !case.faults || *behaviour == Behaviour::Accept)
        .map(|(i, port, _)| {
            if case.shared_inboxes {
                format!("{port}/inbox")
            } else {
                format!("{port}/users/f-{i}/inbox")
            }
        })
        .collect()
}

/// Publishes one review and waits for every healthy inbox to have it.
pub async fn run(
    api: &Api,
    pool: &PgPool,
    pid: i32,
    sinks: &Sinks,
    case: &Case,
    label: &str,
) -> Result<Run> {
    run_with(
        pool,
        pid,
        sinks,
        case,
        api.publish(&format!("Fan-out {label}")),
    )
    .await
}

/// Runs `publish` (the clock starts just before it) and waits for every healthy inbox to have
/// the review it returns.
#[tracing::instrument(skip_all, fields(pid))]
pub async fn run_with(
    pool: &PgPool,
    pid: i32,
    sinks: &Sinks,
    case: &Case,
    publish: impl std::future::Future<Output = Result<Review>>,
) -> Result<Run> {
    sinks.set_faults(case.faults);
    sinks.take_arrivals();
    sinks.take_verifications();
    sinks.take_max_in_flight();
    let expected = expected_inboxes(sinks, case);
    // A failure recorded late for a request of the previous run must not back a host off
    // in this one.
    sqlx::query("DELETE FROM delivery_hosts")
        .execute(pool)
        .await?;
    let sampler = RssSampler::start(pid);
    let before = proc::stats(pid)?;
    let started = Instant::now();
    let review = publish.await?;
    let mut arrived: HashSet<String> = HashSet::new();
    let mut duplicates = 0;
    let mut last = started;
    let deadline = started + Duration::from_secs(900);
    while arrived.len() < expected.len() {
        if Instant::now() > deadline {
            bail!(
                "{}: only {} of {} deliveries arrived in 900 s",
                case.name,
                arrived.len(),
                expected.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        for a in sinks.take_arrivals() {
            if a.object != review.ap_id || !expected.contains(&a.inbox) {
                continue;
            }
            if arrived.insert(a.inbox) {
                last = last.max(a.at);
            } else {
                duplicates += 1;
            }
        }
    }
    let after = proc::stats(pid)?;
    let (verified, verify_failed) = sinks.take_verifications();
    Ok(Run {
        expected: expected.len(),
        delivered: arrived.len(),
        seconds: last.duration_since(started).as_secs_f64(),
        cpu_seconds: after.cpu_seconds - before.cpu_seconds,
        peak_rss_kib: sampler.peak_kib(),
        verified,
        verify_failed,
        duplicates,
        max_host_in_flight: sinks.take_max_in_flight(),
        object: review.ap_id,
    })
}

/// Deliveries of `object` that arrive within `wait` at an inbox that already had it (a second
/// process claiming the same job would deliver it twice).
pub async fn late_duplicates(sinks: &Sinks, object: &str, wait: Duration) -> usize {
    tokio::time::sleep(wait).await;
    sinks
        .take_arrivals()
        .iter()
        .filter(|a| a.object == object)
        .count()
}

/// Clears what a run leaves behind: requests still hanging (answered now, so they do not fail
/// into the next run), retries of the faulty hosts, their backoff.
pub async fn reset(pool: &PgPool, sinks: &Sinks) -> Result<()> {
    // Faults off first: jobs reviewpub claimed for a faulty host and still holds in memory
    // (waiting for that host's permit) would otherwise hang and fail again during the next
    // run, after its jobs were deleted here, and back the host off (60 s) in that run.
    sinks.set_faults(false);
    sinks.release_hung();
    tokio::time::sleep(Duration::from_secs(2)).await;
    reset_queue(pool).await
}

pub async fn reset_queue(pool: &PgPool) -> Result<()> {
    sqlx::query("DELETE FROM deliveries WHERE status = 'pending'")
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM delivery_hosts")
        .execute(pool)
        .await?;
    Ok(())
}
