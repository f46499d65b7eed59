//! `reviewpub-bench`: the benchmark suite (issue 5). `scripts/bench` builds and runs it.
//!
//! It starts reviewpub (a release build) on its embedded PostgreSQL, drives it from this
//! process over loopback, measures the machine's ceilings in the same run, and writes
//! `BENCHMARKS.md`. `--smoke` runs every part at a tiny size in seconds (the test suite does).

mod api;
mod ceilings;
mod fanout;
mod inbox;
mod proc;
mod reads;
mod report;
mod sink;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use reviewpub::federation::signatures::SigningBackend;

use report::{FanoutResult, ReadResult, Report};

#[derive(Debug, Parser)]
#[command(name = "reviewpub-bench", about = "reviewpub's benchmark suite")]
struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Repetitions of every measurement (min / median / max are reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Tiny sizes, one repetition: checks that the suite works, in seconds.
    #[arg(long)]
    smoke: bool,
    /// Where the report goes.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// The reviewpub binary (default: the one next to this binary).
    #[arg(long)]
    reviewpub: Option<PathBuf>,
    /// The repository (for scripts/peers/snac-setup and the demo samples).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Which parts to run.
    #[arg(long, value_delimiter = ',', default_value = "fanout,inbox,reads")]
    only: Vec<String>,
    /// Only the fan-out cases whose name contains one of these (e.g. "shared", "no faults").
    #[arg(long, value_delimiter = ',')]
    cases: Vec<String>,
    /// Seconds of each wrk run.
    #[arg(long)]
    read_seconds: Option<u64>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// (internal) The bare axum server that is the ceiling of the read benchmarks.
    Bare {
        #[arg(long)]
        port: u16,
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
    },
}

/// Sizes of one suite run.
struct Scale {
    runs: usize,
    fanout: Vec<fanout::Case>,
    sink_hosts: usize,
    inbox: inbox::Scale,
    inbox_hosts: usize,
    read_seconds: u64,
    connections: usize,
    cpu_window: Duration,
    openssl_seconds: u64,
    pgbench_seconds: u64,
    pgbench_clients: usize,
}

fn case(
    name: &str,
    followers: usize,
    hosts: usize,
    shared_inboxes: bool,
    faults: bool,
) -> fanout::Case {
    fanout::Case {
        name: name.to_string(),
        followers,
        hosts,
        shared_inboxes,
        faults,
    }
}

impl Scale {
    fn new(args: &Args) -> Self {
        if args.smoke {
            return Self {
                runs: 1,
                fanout: vec![
                    case(
                        "40 followers on 20 hosts, shared inboxes, faults",
                        40,
                        20,
                        true,
                        true,
                    ),
                    case(
                        "20 personal inboxes on 20 hosts, faults",
                        20,
                        20,
                        false,
                        true,
                    ),
                ],
                sink_hosts: 20,
                inbox: inbox::Scale {
                    replies: 20,
                    actors: 5,
                    concurrency: 8,
                    duplicate_share: 0.1,
                    bad_share: 0.1,
                },
                inbox_hosts: 2,
                read_seconds: args.read_seconds.unwrap_or(1),
                connections: 8,
                cpu_window: Duration::from_millis(200),
                openssl_seconds: 1,
                pgbench_seconds: 1,
                pgbench_clients: 2,
            };
        }
        Self {
            runs: args.runs.max(1),
            fanout: vec![
                case(
                    "10,000 followers on 1,000 hosts, shared inboxes, faults",
                    10_000,
                    1_000,
                    true,
                    true,
                ),
                case(
                    "10,000 followers on 1,000 hosts, personal inboxes, faults",
                    10_000,
                    1_000,
                    false,
                    true,
                ),
                case(
                    "10,000 followers on 1,000 hosts, personal inboxes, no faults",
                    10_000,
                    1_000,
                    false,
                    false,
                ),
                case(
                    "2,000 personal inboxes on 2,000 hosts, faults",
                    2_000,
                    2_000,
                    false,
                    true,
                ),
            ],
            sink_hosts: 2_000,
            inbox: inbox::Scale {
                replies: 3_000,
                actors: 1_000,
                concurrency: 64,
                duplicate_share: 0.05,
                bad_share: 0.05,
            },
            inbox_hosts: 10,
            read_seconds: args.read_seconds.unwrap_or(5),
            connections: 64,
            cpu_window: Duration::from_secs(2),
            openssl_seconds: 3,
            pgbench_seconds: 5,
            pgbench_clients: 16,
        }
    }
}

/// 2 % of hosts answer 503, 1 % never answer (when faults are on).
fn behaviour(i: usize) -> sink::Behaviour {
    if i % 50 == 7 {
        sink::Behaviour::Unavailable
    } else if i % 100 == 13 {
        sink::Behaviour::Hang
    } else {
        sink::Behaviour::Accept
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    reviewpub::federation::install_crypto_provider();
    let result = match &args.command {
        Some(Sub::Bare { port, sizes }) => reads::serve_bare(*port, sizes.clone()).await,
        None => suite(&args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "benchmark failed");
            ExitCode::FAILURE
        }
    }
}

fn wants(args: &Args, part: &str) -> bool {
    args.only.iter().any(|p| p == part)
}

async fn suite(args: &Args) -> Result<()> {
    let mut programs = vec!["openssl", "pgbench", "psql"];
    if wants(args, "reads") {
        programs.extend(["wrk", "taskset"]);
    }
    proc::require_programs(&programs)?;
    let scale = Scale::new(args);
    let open_files = proc::raise_open_files()?;
    tracing::info!(open_files, "open-file limit raised");
    let repo = std::fs::canonicalize(&args.repo).context("--repo")?;
    let binary = match &args.reviewpub {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("binary directory")?
            .join("reviewpub"),
    };
    let work = std::env::temp_dir().join(format!("reviewpub-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let report = run_suite(args, &scale, &repo, &binary, &work)
        .await
        .with_context(|| format!("the server's log and data are kept in {}", work.display()))?;
    let _ = std::fs::remove_dir_all(&work);
    std::fs::write(&args.out, report.markdown())
        .with_context(|| format!("writing {}", args.out.display()))?;
    tracing::info!(out = %args.out.display(), "report written");
    Ok(())
}

async fn run_suite(
    args: &Args,
    scale: &Scale,
    repo: &std::path::Path,
    binary: &std::path::Path,
    work: &std::path::Path,
) -> Result<Report> {
    let mut report = Report {
        smoke: args.smoke,
        runs: scale.runs,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        environment: environment(binary),
        read_seconds: scale.read_seconds,
        connections: scale.connections,
        inbox_scale: Some(scale.inbox.clone()),
        ..Report::default()
    };
    report.ceilings.pg_clients = scale.pgbench_clients;
    let data_dir = work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let options = |backend, cpu| proc::Options {
        binary: binary.to_path_buf(),
        data_dir: data_dir.clone(),
        samples: repo.join("../shared/samples"),
        backend,
        cpu,
        port: 0,
        token: "bench-admin-token".into(),
    };

    tracing::info!("generating key pairs for the remote actors");
    let keys = inbox::keys(4)?;

    // Ceilings that need no server.
    for run in 0..scale.runs {
        tracing::info!(run, "ceilings: RSA");
        let (sign, verify) = ceilings::openssl(scale.openssl_seconds)?;
        report.ceilings.openssl_sign.push(sign);
        report.ceilings.openssl_verify.push(verify);
        let (rsa_sign, ring_sign, rsa_verify) =
            ceilings::in_process(keys.first().context("no key pair")?, scale.cpu_window)?;
        report.ceilings.rsa_sign.push(rsa_sign);
        report.ceilings.ring_sign.push(ring_sign);
        report.ceilings.rsa_verify.push(rsa_verify);
    }

    let sinks = sink::Sinks::start(scale.sink_hosts, behaviour).await?;
    sinks.set_verify_every(if args.smoke { 1 } else { 50 });
    for backend in [SigningBackend::Rsa, SigningBackend::Ring] {
        let server = proc::Reviewpub::start(proc::Options {
            // Chosen just before each start: thousands of sinks take ports meanwhile.
            port: proc::free_port()?,
            ..options(backend, None)
        })
        .await?;
        let pid = server.pid();
        let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
        let api = api::Api::new(&server.base, &server.options.token);
        if backend == SigningBackend::Rsa {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let idle = proc::stats(pid)?;
            report.memory.rows.push((
                "idle, 3 s after start (demo loaded)".into(),
                idle.rss_kib,
                proc::postgres_pss_kib(&data_dir),
            ));
        }
        let blog_key: String =
            sqlx::query_scalar("SELECT public_key_pem FROM actor_keys WHERE actor = 'blog'")
                .fetch_one(&pool)
                .await?;
        sinks.set_blog_key(blog_key);
        let label = match backend {
            SigningBackend::Rsa => "rsa crate",
            SigningBackend::Ring => "ring",
        };
        if wants(args, "fanout") {
            let chosen = scale.fanout.iter().filter(|c| {
                args.cases.is_empty() || args.cases.iter().any(|n| c.name.contains(n.as_str()))
            });
            for case in chosen {
                fanout::set_followers(&pool, &sinks, case).await?;
                let mut runs = Vec::new();
                for run in 0..scale.runs {
                    tracing::info!(case = case.name, backend = label, run, "fan-out");
                    let r = fanout::run(
                        &api,
                        &pool,
                        pid,
                        &sinks,
                        case,
                        &format!("{label} {} #{run}", case.name),
                    )
                    .await?;
                    tracing::info!(
                        per_second = r.per_second(),
                        seconds = r.seconds,
                        cpu = r.cpu_seconds,
                        "fan-out run done"
                    );
                    runs.push(r);
                    fanout::reset(&pool, &sinks).await?;
                }
                report.fanout.push(FanoutResult {
                    case: case.clone(),
                    backend: label,
                    runs,
                });
            }
            let after = proc::stats(pid)?;
            report.memory.rows.push((
                format!("after the fan-out runs ({label})"),
                after.rss_kib,
                proc::postgres_pss_kib(&data_dir),
            ));
        }
        if backend == SigningBackend::Ring {
            for run in 0..scale.runs {
                tracing::info!(run, "ceilings: pgbench");
                report.ceilings.pg_inserts.push(ceilings::pgbench(
                    &server.database_url()?,
                    work,
                    scale.pgbench_clients,
                    scale.pgbench_seconds,
                )?);
            }
            if wants(args, "inbox") {
                // No followers: the target review's own fan-out must not run during the load.
                fanout::reset(&pool, &sinks).await?;
                sqlx::query("DELETE FROM followers").execute(&pool).await?;
                let actors =
                    sink::Sinks::start(scale.inbox_hosts, |_| sink::Behaviour::Accept).await?;
                let review = api.publish("Inbox benchmark target").await?;
                for run in 0..scale.runs {
                    tracing::info!(run, "inbox");
                    let r = inbox::run(
                        &server.base,
                        pid,
                        &pool,
                        &review,
                        &actors,
                        &keys,
                        &scale.inbox,
                        run,
                    )
                    .await?;
                    tracing::info!(
                        stored_per_second = r.stored_per_second,
                        p99_ms = r.p99_ms,
                        "inbox run done"
                    );
                    report.inbox.push(r);
                }
                let after = proc::stats(pid)?;
                report.memory.rows.push((
                    "after the inbox runs".into(),
                    after.rss_kib,
                    proc::postgres_pss_kib(&data_dir),
                ));
            }
        }
        fanout::reset_queue(&pool).await?;
        sqlx::query("DELETE FROM followers").execute(&pool).await?;
        report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(pid)?.peak_kib);
        pool.close().await;
        server.stop().await?;
    }
    drop(sinks);

    if wants(args, "reads") {
        reads_part(
            &mut report,
            scale,
            repo,
            &options(SigningBackend::Ring, Some(0)),
            work,
        )
        .await?;
    }
    Ok(report)
}

async fn reads_part(
    report: &mut Report,
    scale: &Scale,
    repo: &std::path::Path,
    options: &proc::Options,
    work: &std::path::Path,
) -> Result<()> {
    let server = proc::Reviewpub::start(proc::Options {
        port: proc::free_port()?,
        ..options.clone()
    })
    .await?;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = proc::stats(pid)?;
    report.memory.rows.push((
        "idle, pinned instance for the reads, 2 s after start".into(),
        idle.rss_kib,
        proc::postgres_pss_kib(&options.data_dir),
    ));
    let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
    let review = api::busiest_review(&pool, &server.base).await?;
    pool.close().await;
    let base = &server.base;
    let host = base.trim_start_matches("http://");
    let endpoints = [
        (
            "actor (JSON)",
            format!("{base}/users/reviews"),
            Some(reads::MASTODON_ACCEPT),
            Some("actor"),
        ),
        (
            "Article (JSON)",
            review.ap_id.clone(),
            Some(reads::MASTODON_ACCEPT),
            Some("note"),
        ),
        (
            "review page (HTML, 31 comments)",
            format!("{base}/reviews/{}", review.slug),
            None,
            None,
        ),
        ("index (HTML)", format!("{base}/"), None, None),
        (
            "WebFinger",
            format!("{base}/.well-known/webfinger?resource=acct:reviews@{host}"),
            None,
            Some("webfinger"),
        ),
        ("Atom feed", format!("{base}/feed.xml"), None, None),
    ];
    let bare_port = proc::free_port()?;
    let snac_port = proc::free_port()?;
    let mut sizes = Vec::new();
    let mut rows = Vec::new();
    for (name, url, accept, snac_what) in &endpoints {
        let endpoint = reads::Endpoint {
            url: url.clone(),
            accept: *accept,
        };
        let bytes = reads::body_size(&endpoint).await?;
        sizes.push(bytes);
        rows.push(ReadResult {
            endpoint: name,
            bytes,
            reviewpub: vec![],
            bare: vec![],
            snac: vec![],
            snac_what: *snac_what,
        });
    }
    let load = |endpoint: &reads::Endpoint| -> Result<reads::Load> {
        let l = reads::wrk(endpoint, scale.connections, scale.read_seconds, 1)?;
        if l.errors > 0 {
            anyhow::bail!("{}: {} failed requests under load", endpoint.url, l.errors);
        }
        Ok(l)
    };
    for _ in 0..scale.runs {
        for (row, (name, url, accept, _)) in rows.iter_mut().zip(&endpoints) {
            tracing::info!(endpoint = name, "reads: reviewpub");
            row.reviewpub.push(load(&reads::Endpoint {
                url: url.clone(),
                accept: *accept,
            })?);
        }
    }
    report.memory.rows.push((
        "after the read runs".into(),
        proc::stats(pid)?.rss_kib,
        proc::postgres_pss_kib(&options.data_dir),
    ));
    report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(pid)?.peak_kib);
    server.stop().await?;

    let bare = reads::start_bare(bare_port, &sizes, 0).await?;
    for _ in 0..scale.runs {
        for row in rows.iter_mut() {
            tracing::info!(bytes = row.bytes, "reads: bare axum");
            let url = format!("http://127.0.0.1:{bare_port}/{}", row.bytes);
            row.bare.push(load(&reads::Endpoint { url, accept: None })?);
        }
    }
    drop(bare);

    let snac = reads::Snac::start(repo, work, snac_port, 0).await?;
    report
        .environment
        .push(("snac2".into(), snac.version.clone()));
    for _ in 0..scale.runs {
        for row in rows.iter_mut() {
            let (url, accept) = match row.snac_what {
                Some("actor") => (
                    format!("{}/{}", snac.base, snac.user),
                    Some(reads::MASTODON_ACCEPT),
                ),
                Some("note") => (snac.note.clone(), Some(reads::MASTODON_ACCEPT)),
                Some("webfinger") => (
                    format!(
                        "{}/.well-known/webfinger?resource=acct:{}@localhost:{snac_port}",
                        snac.base, snac.user
                    ),
                    None,
                ),
                _ => continue,
            };
            tracing::info!(url, "reads: snac2");
            // snac2's own failures under load (it refuses connections beyond its backlog) are
            // its figure, reported beside it, not a reason to stop.
            row.snac.push(reads::wrk(
                &reads::Endpoint { url, accept },
                scale.connections,
                scale.read_seconds,
                1,
            )?);
        }
    }
    drop(snac);
    report.reads = rows;
    Ok(())
}

/// What the figures were measured on.
fn environment(binary: &std::path::Path) -> Vec<(String, String)> {
    let run = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("MemTotal:")
        .trim()
        .to_string();
    vec![
        (
            "date".into(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        (
            "commit".into(),
            run("git", &["rev-parse", "--short", "HEAD"]),
        ),
        (
            "CPU".into(),
            format!(
                "{model}, {} cores",
                std::thread::available_parallelism().map_or(0, |n| n.get())
            ),
        ),
        ("memory".into(), memory),
        ("kernel".into(), run("uname", &["-r"])),
        (
            "reviewpub".into(),
            run(&binary.display().to_string(), &["--version"]),
        ),
        ("PostgreSQL".into(), run("postgres", &["--version"])),
        ("OpenSSL".into(), run("openssl", &["version"])),
        (
            "wrk".into(),
            run("sh", &["-c", "wrk --version 2>&1 | head -1"]),
        ),
    ]
}
