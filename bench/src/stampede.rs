//! The stampede (issue 14): a review with a poster goes out to many followers, and the servers
//! that received it come back for the link preview, each on its own connection, while the
//! fan-out may still run. Measured against the same fan-out alone, and the same reads against
//! the bare axum server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use reviewpub::federation::signatures::SigningBackend;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::report::Report;
use crate::sink::Sinks;
use crate::{api, fanout, proc, reads};

/// Sizes of the stampede.
#[derive(Debug, Clone)]
pub struct Scale {
    pub case: fanout::Case,
    /// Distinct clients, each fetching the page, the Article and the poster once.
    pub clients: usize,
    /// The variants: a name and the window (seconds after publication) the clients start in.
    pub windows: Vec<(&'static str, f64, f64)>,
    /// The poster's width and height.
    pub poster: (u32, u32),
    /// Requests the bench has in flight at most (its own bound, far above what the windows need).
    pub in_flight: usize,
}

/// Latencies of a set of reads.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    pub requests: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// A few of the errors, for the report.
    pub samples: Vec<String>,
}

/// One stampede: the fan-out and the reads beside it, and the same fan-out alone right before.
#[derive(Debug, Clone)]
pub struct Run {
    pub solo: fanout::Run,
    pub fanout: fanout::Run,
    pub all: Reads,
    /// The reads that started before the fan-out's last delivery.
    pub during: Reads,
    /// All the reads of the page, of the Article and of the poster, apart.
    pub by_document: [Reads; 3],
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: &'static str,
    pub from: f64,
    pub to: f64,
    pub runs: Vec<Run>,
    /// The same clients' pattern against the bare axum server (bodies of the same sizes).
    pub bare: Vec<Reads>,
}

#[derive(Debug, Clone)]
pub struct StampedeResult {
    pub case: fanout::Case,
    pub clients: usize,
    /// (page, Article, poster) body sizes in bytes.
    pub bytes: [usize; 3],
    pub poster: (u32, u32),
    pub in_flight: usize,
    pub variants: Vec<Variant>,
}

/// One read: when it started (seconds after publication), how long it took, what went wrong.
struct Read {
    /// Which of the three documents (page, Article, poster).
    document: usize,
    start: f64,
    ms: f64,
    error: Option<String>,
}

/// The three addresses every client fetches, with the `Accept` header of each.
fn targets(page: &str, article: &str, poster: &str) -> [(String, Option<&'static str>); 3] {
    [
        (page.to_string(), None),
        (article.to_string(), Some(reads::AP_JSON)),
        (poster.to_string(), None),
    ]
}

/// Starts `clients` clients at uniformly random moments in [`from`, `to`) seconds after the
/// moment `t0` sends (at once if that is past when it sends); each fetches the three targets in turn, on a new connection each.
fn spawn_clients(
    clients: usize,
    from: f64,
    to: f64,
    targets: [(String, Option<&'static str>); 3],
    in_flight: usize,
    t0: watch::Receiver<Option<Instant>>,
    seed: u64,
) -> Result<JoinSet<Vec<Read>>> {
    // No pooled connection is reused: every request opens its own, as distinct servers do.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gate = Arc::new(Semaphore::new(in_flight.max(1)));
    let targets = Arc::new(targets);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        let offset = if to > from {
            rng.gen_range(from..to)
        } else {
            from
        };
        let (client, gate, targets, mut t0) =
            (client.clone(), gate.clone(), targets.clone(), t0.clone());
        tasks.spawn(async move {
            let Ok(t0) = t0.wait_for(Option::is_some).await.map(|t| *t) else {
                return Vec::new();
            };
            let Some(t0) = t0 else {
                return Vec::new();
            };
            tokio::time::sleep_until((t0 + Duration::from_secs_f64(offset)).into()).await;
            let mut done = Vec::with_capacity(3);
            for (document, (url, accept)) in targets.iter().enumerate() {
                let Ok(_permit) = gate.acquire().await else {
                    break;
                };
                let sent = Instant::now();
                let error = fetch(&client, url, *accept).await.err();
                done.push(Read {
                    document,
                    start: sent.duration_since(t0).as_secs_f64(),
                    ms: sent.elapsed().as_secs_f64() * 1000.0,
                    error,
                });
            }
            done
        });
    }
    Ok(tasks)
}

async fn fetch(client: &reqwest::Client, url: &str, accept: Option<&str>) -> Result<(), String> {
    let mut request = client.get(url);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.map_err(|e| format!("{e}"))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| format!("{e}"))?;
    if !status.is_success() || body.is_empty() {
        return Err(format!("{url} answered {status}"));
    }
    Ok(())
}

async fn collect(mut tasks: JoinSet<Vec<Read>>) -> Result<Vec<Read>> {
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done?);
    }
    Ok(all)
}

fn summary<'a>(reads: impl Iterator<Item = &'a Read>) -> Reads {
    let mut ms = Vec::new();
    let mut samples = Vec::new();
    let mut errors = 0;
    for r in reads {
        ms.push(r.ms);
        if let Some(e) = &r.error {
            errors += 1;
            if samples.len() < 3 && !samples.contains(e) {
                samples.push(e.clone());
            }
        }
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        ms.get(((ms.len() as f64 * p) as usize).min(ms.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    Reads {
        requests: ms.len(),
        errors,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: ms.last().copied().unwrap_or(0.0),
        samples,
    }
}

/// The case's fan-out alone: a draft with the poster, published; then the queue is cleared.
async fn solo(
    api: &api::Api,
    pool: &sqlx::PgPool,
    pid: i32,
    sinks: &Sinks,
    case: &fanout::Case,
    poster: &[u8],
    label: &str,
) -> Result<fanout::Run> {
    let (draft, _) = api
        .draft_with_poster(
            &format!("Stampede, fan-out alone, {label}"),
            poster.to_vec(),
        )
        .await?;
    let run = fanout::run_with(pool, pid, sinks, case, api.publish_draft(&draft)).await?;
    fanout::reset(pool, sinks).await?;
    Ok(run)
}

/// The part: reviewpub (aws-lc) with the case's followers; for each variant and run, the
/// fan-out alone then the stampede; then the same reads against the bare axum server.
pub async fn stampede_part(
    report: &mut Report,
    scale: &Scale,
    runs: usize,
    options: &proc::Options,
    sinks: &Sinks,
) -> Result<()> {
    let server = proc::Reviewpub::start(proc::Options {
        port: proc::free_port()?,
        backend: SigningBackend::AwsLc,
        ..options.clone()
    })
    .await?;
    let pid = server.pid();
    let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
    let api = api::Api::new(&server.base, &server.options.token);
    let blog_key: String =
        sqlx::query_scalar("SELECT public_key_pem FROM actor_keys WHERE actor = 'blog'")
            .fetch_one(&pool)
            .await?;
    sinks.set_blog_key(blog_key);
    sinks.set_hold(Duration::ZERO);
    fanout::set_followers(&pool, sinks, &scale.case).await?;
    let poster = api::poster_jpeg(scale.poster.0, scale.poster.1)?;
    let mut result = StampedeResult {
        case: scale.case.clone(),
        clients: scale.clients,
        bytes: [0; 3],
        poster: scale.poster,
        in_flight: scale.in_flight,
        variants: Vec::new(),
    };
    // One fan-out first, unmeasured: the first after the followers are set is the slowest.
    tracing::info!("stampede: warm-up fan-out");
    solo(&api, &pool, pid, sinks, &scale.case, &poster, "warm-up").await?;
    let mut last_targets = None;
    for (v, &(name, from, to)) in scale.windows.iter().enumerate() {
        let mut variant = Variant {
            name,
            from,
            to,
            runs: Vec::new(),
            bare: Vec::new(),
        };
        for run in 0..runs {
            tracing::info!(variant = name, run, "stampede: the fan-out alone");
            let alone = solo(
                &api,
                &pool,
                pid,
                sinks,
                &scale.case,
                &poster,
                &format!("{name} #{run}"),
            )
            .await?;
            tracing::info!(
                variant = name,
                run,
                per_second = alone.per_second(),
                "stampede"
            );
            let (draft, poster_url) = api
                .draft_with_poster(&format!("Stampede {name} #{run}"), poster.clone())
                .await?;
            let (tx, rx) = watch::channel(None);
            let urls = targets(&draft.url, &draft.ap_id, &poster_url);
            let clients = spawn_clients(
                scale.clients,
                from,
                to,
                urls.clone(),
                scale.in_flight,
                rx,
                (v * 100 + run) as u64,
            )?;
            // The clock starts at the publishing request; no client comes before the review is
            // public (a server only learns of it from a delivery).
            let publish = async {
                let t0 = Instant::now();
                let published = api.publish_draft(&draft).await;
                let _ = tx.send(Some(t0));
                published
            };
            let fan = fanout::run_with(&pool, pid, sinks, &scale.case, publish).await?;
            let done = collect(clients).await?;
            let all = summary(done.iter());
            let during = summary(done.iter().filter(|r| r.start < fan.seconds));
            tracing::info!(
                per_second = fan.per_second(),
                p99_ms = all.p99_ms,
                errors = all.errors,
                during = during.requests,
                "stampede done"
            );
            let by_document = [0, 1, 2].map(|d| summary(done.iter().filter(|r| r.document == d)));
            variant.runs.push(Run {
                solo: alone,
                fanout: fan,
                all,
                during,
                by_document,
            });
            fanout::reset(&pool, sinks).await?;
            last_targets = Some(urls);
        }
        result.variants.push(variant);
    }
    if let Some(urls) = &last_targets {
        for (i, (url, accept)) in urls.iter().enumerate() {
            let bytes = reads::body_size(&reads::Endpoint {
                url: url.clone(),
                accept: *accept,
            })
            .await?;
            if let Some(slot) = result.bytes.get_mut(i) {
                *slot = bytes;
            }
        }
    }
    report.memory.rows.push((
        "after the stampede runs (aws-lc)".into(),
        proc::stats(pid)?.rss_kib,
        proc::postgres_pss_kib(&options.data_dir),
    ));
    report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(pid)?.peak_kib);
    fanout::reset_queue(&pool).await?;
    sqlx::query("DELETE FROM followers").execute(&pool).await?;
    pool.close().await;
    server.stop().await?;

    // The ceiling: the same pattern against the bare server, with bodies of the same sizes.
    let bare_port = proc::free_port()?;
    let mut sizes = result.bytes.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    let bare = reads::start_bare(bare_port, &sizes, "0,1").await?;
    let base = format!("http://127.0.0.1:{bare_port}");
    let [page, article, image] = result.bytes;
    let urls = targets(
        &format!("{base}/{page}"),
        &format!("{base}/{article}"),
        &format!("{base}/{image}"),
    );
    for (v, variant) in result.variants.iter_mut().enumerate() {
        for run in 0..runs {
            tracing::info!(variant = variant.name, run, "stampede: bare axum");
            let (tx, rx) = watch::channel(None);
            let clients = spawn_clients(
                scale.clients,
                variant.from,
                variant.to,
                urls.clone(),
                scale.in_flight,
                rx,
                (v * 100 + run) as u64,
            )?;
            tx.send(Some(Instant::now()))
                .context("the clients are gone")?;
            variant.bare.push(summary(collect(clients).await?.iter()));
        }
    }
    drop(bare);
    report.stampede = Some(result);
    Ok(())
}
