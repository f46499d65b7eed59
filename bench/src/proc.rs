//! The processes under test: starting and stopping reviewpub, pinning to a core, and reading
//! CPU time and memory from `/proc`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reviewpub::federation::signatures::SigningBackend;

/// Fails at once, naming every program of `names` that is not on PATH (rather than halfway
/// through a run, as `taskset: failed to execute wrk`).
pub fn require_programs(names: &[&str]) -> Result<()> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        .collect();
    if !missing.is_empty() {
        bail!(
            "not found on PATH: {} (scripts/install-test-deps installs them)",
            missing.join(", ")
        );
    }
    Ok(())
}

/// How to start one reviewpub instance.
#[derive(Debug, Clone)]
pub struct Options {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    pub samples: PathBuf,
    pub backend: SigningBackend,
    /// Pin every thread to this CPU (`taskset -c`), for the read benchmarks.
    pub cpu: Option<usize>,
    pub port: u16,
    pub token: String,
    /// Another process's PostgreSQL (`REVIEWPUB_DATABASE_URL`) instead of the embedded one.
    pub database_url: Option<String>,
    /// The public URL, when it is not this process's own address (a second process of a blog).
    pub public_url: Option<String>,
    /// `serve --demo` (loads the samples into an empty database).
    pub demo: bool,
}

/// A running reviewpub, stopped with SIGTERM when dropped.
pub struct Reviewpub {
    child: Option<Child>,
    pub base: String,
    pub options: Options,
}

impl Reviewpub {
    #[tracing::instrument(skip_all, fields(backend = ?options.backend, cpu = ?options.cpu))]
    pub async fn start(options: Options) -> Result<Self> {
        let base = format!("http://127.0.0.1:{}", options.port);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(options.data_dir.join("reviewpub.log"))
            .context("opening the server log")?;
        let mut command = match options.cpu {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpu.to_string()).arg(&options.binary);
                c
            }
            None => Command::new(&options.binary),
        };
        command.arg("serve");
        if options.demo {
            command.arg("--demo");
        }
        command
            .arg("--samples")
            .arg(&options.samples)
            .envs(env(&options, &base))
            .env_remove("DATABASE_URL")
            .env_remove("REVIEWPUB_CONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = command.spawn().context("starting reviewpub")?;
        let server = Self {
            child: Some(child),
            base,
            options,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "reviewpub did not answer at {} (see {})",
            self.base,
            self.options.data_dir.join("reviewpub.log").display()
        )
    }

    /// The process id of reviewpub itself (`taskset` execs it, so the pid is the same).
    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    /// The embedded cluster's connection URL, from `reviewpub db url`.
    pub fn database_url(&self) -> Result<String> {
        let output = Command::new(&self.options.binary)
            .args(["db", "url"])
            .envs(env(&self.options, &self.base))
            .env_remove("DATABASE_URL")
            .env_remove("REVIEWPUB_CONFIG")
            .output()
            .context("running reviewpub db url")?;
        if !output.status.success() {
            bail!(
                "reviewpub db url failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// SIGTERM, then wait (the server stops its embedded PostgreSQL on the way out).
    pub async fn stop(mut self) -> Result<()> {
        self.terminate().await
    }

    async fn terminate(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill()?;
        child.wait()?;
        bail!("reviewpub did not stop within 60 s of SIGTERM")
    }
}

impl Drop for Reviewpub {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let _ = child.wait();
        }
    }
}

fn env(options: &Options, base: &str) -> Vec<(String, String)> {
    let backend = match options.backend {
        SigningBackend::Ring => "ring",
        SigningBackend::AwsLc => "aws-lc",
        SigningBackend::Rsa => "rsa",
    };
    let mut vars = vec![
        (
            "REVIEWPUB_PUBLIC_URL",
            options
                .public_url
                .clone()
                .unwrap_or_else(|| base.to_string()),
        ),
        ("REVIEWPUB_LISTEN", format!("127.0.0.1:{}", options.port)),
        ("REVIEWPUB_DATA_DIR", options.data_dir.display().to_string()),
        ("REVIEWPUB_ADMIN_TOKEN", options.token.clone()),
        ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".into()),
        ("REVIEWPUB_FEDERATION__SIGNING_BACKEND", backend.into()),
        // Failed deliveries are not retried within a benchmark run.
        ("REVIEWPUB_FEDERATION__RETRY_BASE_SECONDS", "3600".into()),
        ("REVIEWPUB_LOG_FORMAT", "text".into()),
        // Every request comes from one address here: measure the server, not its per-client
        // limits (which would answer most of the load 429).
        ("REVIEWPUB_LIMITS__PAGES_PER_MINUTE", "0".into()),
        ("REVIEWPUB_LIMITS__INBOX_PER_MINUTE", "0".into()),
    ];
    if let Some(url) = &options.database_url {
        vars.push(("REVIEWPUB_DATABASE_URL", url.clone()));
    }
    vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// CPU time and memory of one process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// User + system CPU seconds since the process started.
    pub cpu_seconds: f64,
    /// Resident set size now, in KiB.
    pub rss_kib: u64,
    /// The largest resident set size so far (`VmHWM`), in KiB.
    pub peak_kib: u64,
}

pub fn stats(pid: i32) -> Result<Stats> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("unexpected /proc/pid/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    let utime: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let stime: f64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok(Stats {
        cpu_seconds: (utime + stime) / ticks,
        rss_kib: kib("VmRSS:"),
        peak_kib: kib("VmHWM:"),
    })
}

/// Samples a process's RSS every 20 ms until dropped; `peak()` is the largest seen.
pub struct RssSampler {
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    pub fn start(pid: i32) -> Self {
        use std::sync::atomic::Ordering;
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = peak.clone();
        let task = tokio::spawn(async move {
            loop {
                if let Ok(s) = stats(pid) {
                    seen.fetch_max(s.rss_kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        Self { peak, task }
    }

    pub fn peak_kib(&self) -> u64 {
        self.peak.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Proportional set size of the embedded PostgreSQL: the postmaster and its children.
pub fn postgres_pss_kib(data_dir: &Path) -> Option<u64> {
    let pidfile = data_dir.join("postgres/data/postmaster.pid");
    let postmaster: i32 = std::fs::read_to_string(pidfile)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()?;
    let mut total = pss_kib(postmaster)?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let parent = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .and_then(|(_, r)| r.split_whitespace().nth(1).and_then(|p| p.parse().ok()))
            });
        if parent == Some(postmaster) {
            total += pss_kib(pid).unwrap_or(0);
        }
    }
    Some(total)
}

fn pss_kib(pid: i32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Pins every thread of a running process to one CPU.
pub fn pin(pid: u32, cpu: usize) -> Result<()> {
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])
        .stdout(Stdio::null())
        .status()
        .context("running taskset")?;
    if !status.success() {
        bail!("taskset could not pin {pid}");
    }
    Ok(())
}

/// Raises this process's open-file limit to the hard limit (thousands of sinks and sockets);
/// children inherit it.
pub fn raise_open_files() -> Result<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    Ok(hard)
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
