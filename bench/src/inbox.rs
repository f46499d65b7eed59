//! Inbox: many signed `Create{Note}` replies from many distinct remote actors (served by a
//! sink), posted concurrently, with duplicates and bad signatures mixed in.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use reqwest::header::{CONTENT_TYPE, DATE, HOST};
use reviewpub::federation::delivery::http_date;
use reviewpub::federation::signatures::{Signer, SigningBackend};
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use crate::api::Review;
use crate::proc::{self, RssSampler};
use crate::sink::{actor_id, Sinks};

#[derive(Debug, Clone)]
pub struct Scale {
    /// Distinct valid replies per run.
    pub replies: usize,
    /// Distinct remote actors per run (each first seen in that run: its document is fetched).
    pub actors: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Share of extra requests that repeat an earlier reply, and that carry a bad signature.
    pub duplicate_share: f64,
    pub bad_share: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Run {
    pub requests: usize,
    pub valid: usize,
    pub duplicates: usize,
    pub bad: usize,
    /// Valid and duplicate requests answered 2xx per second of the run.
    pub accepted_per_second: f64,
    /// Distinct replies found in PostgreSQL per second, until the last was stored.
    pub stored_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub bad_refused: usize,
    pub stored: i64,
    pub actor_fetches: u64,
    pub cpu_seconds: f64,
    pub peak_rss_kib: u64,
}

/// RSA key pairs for the repliers (PEM private, PEM public); a few shared among many actors,
/// since generating thousands would take minutes and prove nothing.
pub fn keys(count: usize) -> Result<Vec<(String, String)>> {
    (0..count)
        .map(|_| {
            let pair = activitypub_federation::http_signatures::generate_actor_keypair()
                .context("generating a key pair")?;
            Ok((pair.private_key, pair.public_key))
        })
        .collect()
}

struct Prepared {
    request: reqwest::Request,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Valid,
    Duplicate,
    Bad,
}

/// Builds and signs every request of a run before the clock starts.
#[allow(clippy::too_many_arguments)]
async fn prepare(
    client: &reqwest::Client,
    base: &str,
    review: &Review,
    sinks: &Sinks,
    keys: &[(String, String)],
    scale: &Scale,
    run: usize,
) -> Result<Vec<Prepared>> {
    let inbox = format!("{base}/inbox");
    let authority = base.trim_start_matches("http://").to_string();
    let mut signers = Vec::with_capacity(scale.actors);
    for a in 0..scale.actors {
        let name = format!("r{run}-a{a}");
        let port = *round(&sinks.ports, a).context("no sink running")?;
        let key = round(keys, a).context("no key pair")?;
        sinks.add_actor(name.clone(), key.1.clone());
        let id = Url::parse(&actor_id(port, &name))?;
        let wrong = round(keys, a + 1).context("no key pair")?;
        signers.push((
            id.clone(),
            Signer::new(&id, &key.0, SigningBackend::Ring)?,
            Signer::new(&id, &wrong.0, SigningBackend::Ring)?,
        ));
    }
    let body = |i: usize, actor: &Url| {
        let note = format!("{actor}/notes/{run}-{i}");
        let now = Utc::now().to_rfc3339();
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"),
            "type": "Create",
            "actor": actor.as_str(),
            "published": now,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{actor}/followers")],
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": actor.as_str(),
                "inReplyTo": review.ap_id,
                "published": now,
                "url": note,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [format!("{actor}/followers")],
                "content": format!("<p>Reply {i} of run {run}: the ending stayed with me for days; the score carries the last act.</p>"),
            }
        })
        .to_string()
    };
    let duplicates = (scale.replies as f64 * scale.duplicate_share).round() as usize;
    let bad = (scale.replies as f64 * scale.bad_share).round() as usize;
    let mut plan: Vec<(usize, Kind)> = (0..scale.replies).map(|i| (i, Kind::Valid)).collect();
    plan.extend((0..duplicates).map(|d| ((d * 7) % scale.replies.max(1), Kind::Duplicate)));
    plan.extend((0..bad).map(|b| (scale.replies + b, Kind::Bad)));
    plan.shuffle(&mut rand::rngs::StdRng::seed_from_u64(run as u64));
    let mut prepared = Vec::with_capacity(plan.len());
    for (i, kind) in plan {
        let (actor, good, wrong) = round(&signers, i).context("no remote actor")?;
        let signer = if kind == Kind::Bad { wrong } else { good };
        let builder = client
            .post(&inbox)
            .header(HOST, &authority)
            .header(DATE, http_date(Utc::now()))
            .header(CONTENT_TYPE, "application/activity+json");
        let request = signer.sign(builder, body(i, actor).into()).await?;
        prepared.push(Prepared { request, kind });
    }
    Ok(prepared)
}

/// Item `i` of `items` taken round and round (`i` modulo their number); `None` if there are none.
fn round<T>(items: &[T], i: usize) -> Option<&T> {
    items.get(i.checked_rem(items.len())?)
}

async fn stored(pool: &PgPool, review: &Review) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM comments WHERE review_id = $1")
            .bind(review.id)
            .fetch_one(pool)
            .await?,
    )
}

/// One run: prepare, then post everything with `concurrency` requests in flight.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(run))]
pub async fn run(
    base: &str,
    pid: i32,
    pool: &PgPool,
    review: &Review,
    sinks: &Sinks,
    keys: &[(String, String)],
    scale: &Scale,
    run: usize,
) -> Result<Run> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(scale.concurrency)
        .timeout(Duration::from_secs(60))
        .build()?;
    let prepared = prepare(&client, base, review, sinks, keys, scale, run).await?;
    let before_count = stored(pool, review).await?;
    sinks.take_actor_fetches();
    let sampler = RssSampler::start(pid);
    let before = proc::stats(pid)?;
    let gate = Arc::new(Semaphore::new(scale.concurrency));
    let mut tasks = JoinSet::new();
    let started = Instant::now();
    let total = prepared.len();
    for p in prepared {
        let permit = gate.clone().acquire_owned().await?;
        let client = client.clone();
        tasks.spawn(async move {
            let sent = Instant::now();
            let status = client
                .execute(p.request)
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            drop(permit);
            (p.kind, status, sent.elapsed())
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let (mut accepted, mut bad_refused, mut valid, mut duplicates, mut bad) = (0, 0, 0, 0, 0);
    let mut errors = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (kind, status, latency) = done?;
        match kind {
            Kind::Valid => valid += 1,
            Kind::Duplicate => duplicates += 1,
            Kind::Bad => bad += 1,
        }
        match (kind, status) {
            (Kind::Bad, 401) => bad_refused += 1,
            (Kind::Bad, other) => errors.push(format!("a bad signature got {other}")),
            (_, 200..=299) => {
                accepted += 1;
                latencies.push(latency);
            }
            (_, other) => errors.push(format!("a valid reply got {other}")),
        }
    }
    let accepted_seconds = started.elapsed().as_secs_f64();
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        bail!("inbox run {run}: {}", errors.join("; "));
    }
    let target = before_count + scale.replies as i64;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut count = stored(pool, review).await?;
    while count < target && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        count = stored(pool, review).await?;
    }
    let stored_seconds = started.elapsed().as_secs_f64();
    let after = proc::stats(pid)?;
    if count != target {
        bail!(
            "inbox run {run}: {} replies stored, {} expected (duplicates must not be stored twice)",
            count - before_count,
            scale.replies
        );
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Run {
        requests: total,
        valid,
        duplicates,
        bad,
        accepted_per_second: accepted as f64 / accepted_seconds,
        stored_per_second: scale.replies as f64 / stored_seconds,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        bad_refused,
        stored: count - before_count,
        actor_fetches: sinks.take_actor_fetches(),
        cpu_seconds: after.cpu_seconds - before.cpu_seconds,
        peak_rss_kib: sampler.peak_kib(),
    })
}
