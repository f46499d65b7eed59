//! `reviewpub-bench`: the benchmark suite (issue 5). `scripts/bench` builds and runs it.
//!
//! It starts reviewpub (a release build) on its embedded PostgreSQL, drives it from this
//! process over loopback, measures the machine's ceilings in the same run, and writes
//! `BENCHMARKS.md`. `--smoke` runs every part at a tiny size in seconds (the test suite does).

mod api;
mod ceilings;
mod environment;
mod fanout;
mod inbox;
mod parts;
mod proc;
mod processes;
mod read_part;
mod reads;
mod report;
mod scale;
mod sections;
mod sink;
mod stampede;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use scale::Scale;

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
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "fanout,inbox,reads,stampede,processes"
    )]
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
    let report = parts::run_suite(args, &scale, &repo, &binary, &work)
        .await
        .with_context(|| format!("the server's log and data are kept in {}", work.display()))?;
    let _ = std::fs::remove_dir_all(&work);
    std::fs::write(&args.out, report.markdown())
        .with_context(|| format!("writing {}", args.out.display()))?;
    tracing::info!(out = %args.out.display(), "report written");
    Ok(())
}
