//! Two processes of one blog (issue 14): reviewpub A on its embedded PostgreSQL, and B on
//! another port using A's database, with A's public URL and signing backend. The same fan-out
//! with A alone, then with both: deliveries/s, every inbox exactly once, and the most requests
//! one sink host had in flight at once (the per-host limit is 4).

use std::time::Duration;

use anyhow::Result;
use reviewpub::federation::signatures::SigningBackend;

use crate::report::Report;
use crate::sink::Sinks;
use crate::{api, fanout, proc};

/// How long each sink holds a delivery before answering, so that requests to one host overlap
/// and a per-host limit that does not hold across processes shows.
pub const HOLD: Duration = Duration::from_millis(5);

/// reviewpub's default `federation.per_host_concurrency`.
pub const PER_HOST_LIMIT: usize = 4;

/// One case, with one process and with two.
#[derive(Debug, Clone)]
pub struct ProcessesResult {
    pub case: fanout::Case,
    /// A alone; `duplicates` counts those that came late too.
    pub one: Vec<fanout::Run>,
    /// A and B; `cpu_seconds` is both processes'.
    pub two: Vec<fanout::Run>,
}

/// Deliveries of the run's review still arriving after every inbox had it: each is a second
/// delivery to an inbox (no retry is due within a run).
async fn with_late_duplicates(sinks: &Sinks, mut run: fanout::Run) -> fanout::Run {
    run.duplicates += fanout::late_duplicates(sinks, &run.object, Duration::from_secs(2)).await;
    run
}

/// The cases in turn with A alone, then again with A and B.
pub async fn processes_part(
    report: &mut Report,
    cases: &[fanout::Case],
    runs: usize,
    options: &proc::Options,
    sinks: &Sinks,
) -> Result<()> {
    let a = proc::Reviewpub::start(proc::Options {
        port: proc::free_port()?,
        backend: SigningBackend::AwsLc,
        ..options.clone()
    })
    .await?;
    let database_url = a.database_url()?;
    let pool = sqlx::PgPool::connect(&database_url).await?;
    let api = api::Api::new(&a.base, &a.options.token);
    let blog_key: String =
        sqlx::query_scalar("SELECT public_key_pem FROM actor_keys WHERE actor = 'blog'")
            .fetch_one(&pool)
            .await?;
    sinks.set_blog_key(blog_key);
    sinks.set_hold(HOLD);
    let mut results: Vec<ProcessesResult> = cases
        .iter()
        .map(|case| ProcessesResult {
            case: case.clone(),
            one: Vec::new(),
            two: Vec::new(),
        })
        .collect();
    for result in results.iter_mut() {
        let case = &result.case;
        fanout::set_followers(&pool, sinks, case).await?;
        for run in 0..runs {
            tracing::info!(run, "two processes: A alone");
            let r = fanout::run(
                &api,
                &pool,
                a.pid(),
                sinks,
                case,
                &format!("one process, {} #{run}", case.name),
            )
            .await?;
            let r = with_late_duplicates(sinks, r).await;
            tracing::info!(
                per_second = r.per_second(),
                duplicates = r.duplicates,
                max_in_flight = r.max_host_in_flight,
                "one process done"
            );
            result.one.push(r);
            fanout::reset(&pool, sinks).await?;
        }
    }
    let b = proc::Reviewpub::start(proc::Options {
        port: proc::free_port()?,
        backend: SigningBackend::AwsLc,
        database_url: Some(database_url.clone()),
        public_url: Some(a.base.clone()),
        demo: false,
        ..options.clone()
    })
    .await?;
    for result in results.iter_mut() {
        let case = &result.case;
        fanout::set_followers(&pool, sinks, case).await?;
        for run in 0..runs {
            tracing::info!(run, "two processes: A and B");
            let before = proc::stats(b.pid())?;
            let mut r = fanout::run(
                &api,
                &pool,
                a.pid(),
                sinks,
                case,
                &format!("two processes, {} #{run}", case.name),
            )
            .await?;
            r.cpu_seconds += proc::stats(b.pid())?.cpu_seconds - before.cpu_seconds;
            let r = with_late_duplicates(sinks, r).await;
            tracing::info!(
                per_second = r.per_second(),
                duplicates = r.duplicates,
                max_in_flight = r.max_host_in_flight,
                "two processes done"
            );
            result.two.push(r);
            fanout::reset(&pool, sinks).await?;
        }
    }
    sinks.set_hold(Duration::ZERO);
    report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(a.pid())?.peak_kib);
    b.stop().await?;
    fanout::reset_queue(&pool).await?;
    sqlx::query("DELETE FROM followers").execute(&pool).await?;
    pool.close().await;
    a.stop().await?;
    report.processes = results;
    Ok(())
}
