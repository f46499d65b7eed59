//! Reads: `wrk` against reviewpub's public documents, against a bare axum handler returning a
//! fixed body of the same size (the ceiling), and against snac2 serving the same kinds of
//! documents. Servers are pinned to CPU 0, wrk to CPU 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use axum::http::header::CONTENT_TYPE;

pub const AP_JSON: &str = "application/activity+json";
pub const MASTODON_ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// One endpoint to load.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub accept: Option<&'static str>,
}

/// What one wrk run reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx/3xx answers and socket errors: a run with any is refused.
    pub errors: u64,
}

/// `taskset -c CPU wrk -t1 -cCONNECTIONS -dSECONDS --latency [-H Accept] URL`.
#[tracing::instrument]
pub fn wrk(endpoint: &Endpoint, connections: usize, seconds: u64, cpu: usize) -> Result<Load> {
    let mut command = Command::new("taskset");
    command
        .args(["-c", &cpu.to_string(), "wrk", "-t1"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency");
    if let Some(accept) = endpoint.accept {
        command.arg("-H").arg(format!("Accept: {accept}"));
    }
    let output = command
        .arg(&endpoint.url)
        .output()
        .context("running wrk (scripts/install-test-deps installs it)")?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        bail!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_wrk(&text)
}

pub fn parse_wrk(text: &str) -> Result<Load> {
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output: {text}"))?;
    let latency = |pct: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(pct))
            .map(str::trim)
            .and_then(duration_ms)
            .unwrap_or(0.0)
    };
    let non_2xx: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    // `read` errors are not counted: snac2 closes the connection after every answer (no
    // keep-alive), which wrk reports as a read error before it reconnects.
    let socket: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Socket errors:"))
        .map(|v| {
            v.split(',')
                .filter(|p| p.contains("connect") || p.contains("timeout"))
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Ok(Load {
        requests_per_second: rps,
        p50_ms: latency("50%"),
        p99_ms: latency("99%"),
        errors: non_2xx + socket,
    })
}

fn duration_ms(v: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// The body size of an endpoint (and a check that it answers 200), which also warms any cache.
pub async fn body_size(endpoint: &Endpoint) -> Result<usize> {
    let client = reqwest::Client::new();
    let mut request = client.get(&endpoint.url);
    if let Some(accept) = endpoint.accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        bail!("{} answered {status}", endpoint.url);
    }
    Ok(body.len())
}

/// The ceiling server: `reviewpub-bench bare` serving `/{n}` as `n` bytes of JSON.
pub async fn serve_bare(port: u16, sizes: Vec<usize>) -> Result<()> {
    let mut app = axum::Router::new();
    for size in sizes {
        let body = axum::body::Bytes::from(fixed_body(size));
        app = app.route(
            &format!("/{size}"),
            axum::routing::get(move || {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, AP_JSON)], body) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn fixed_body(size: usize) -> Vec<u8> {
    let mut body = b"{\"padding\":\"".to_vec();
    body.resize(size.saturating_sub(2).max(body.len()), b'x');
    body.extend_from_slice(b"\"}");
    body.truncate(size.max(2));
    body
}

/// A child process that is killed when dropped.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the bare server pinned to `cpus` (a `taskset -c` list; `worker_threads` follows the
/// affinity).
pub async fn start_bare(port: u16, sizes: &[usize], cpus: &str) -> Result<Child> {
    let exe = std::env::current_exe()?;
    let sizes: Vec<String> = sizes.iter().map(ToString::to_string).collect();
    let child = Command::new("taskset")
        .args(["-c", cpus])
        .arg(exe)
        .arg("bare")
        .arg("--port")
        .arg(port.to_string())
        .arg("--sizes")
        .arg(sizes.join(","))
        .stdin(Stdio::null())
        .spawn()
        .context("starting the bare server")?;
    let child = Child(child);
    wait_http(&format!("http://127.0.0.1:{port}/2")).await?;
    Ok(child)
}

async fn wait_http(url: &str) -> Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(url).send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("nothing answers at {url}")
}

/// snac2 from the interop tests, with one public note, pinned to `cpu`.
pub struct Snac {
    pub base: String,
    pub user: String,
    pub note: String,
    pub version: String,
    data: PathBuf,
    setup: PathBuf,
}

impl Snac {
    #[tracing::instrument(skip_all)]
    pub async fn start(repo: &Path, work: &Path, port: u16, cpu: usize) -> Result<Self> {
        let setup = repo.join("scripts/peers/snac-setup");
        let data = work.join("snac");
        let output = Command::new(&setup)
            .arg(&data)
            .arg(port.to_string())
            .env("SNAC_DBGLEVEL", "0")
            .output()
            .context("running scripts/peers/snac-setup (run scripts/peers/install first)")?;
        if !output.status.success() {
            bail!("snac-setup: {}", String::from_utf8_lossy(&output.stderr));
        }
        let vars = String::from_utf8_lossy(&output.stdout).to_string();
        let var = |key: &str| {
            vars.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .map(str::to_string)
                .with_context(|| format!("snac-setup printed no {key}"))
        };
        let pid: u32 = var("SNAC_PID")?.parse()?;
        let mut snac = Self {
            base: format!("http://127.0.0.1:{port}"),
            user: "critic".into(),
            note: String::new(),
            version: snac_version(),
            data: data.clone(),
            setup,
        };
        crate::proc::pin(pid, cpu)?;
        let bin = peers_bin("snac");
        let out = Command::new(&bin)
            .arg("note")
            .arg(&data)
            .arg("critic")
            .arg("Never Let Me Go: a quiet film about the shortness of everything. ★★★★☆")
            .stdin(Stdio::null())
            .output()
            .context("snac note")?;
        if !out.status.success() {
            bail!("snac note: {}", String::from_utf8_lossy(&out.stderr));
        }
        snac.note = snac.find_note().await?;
        Ok(snac)
    }

    /// The id of the newest note in the user's outbox.
    async fn find_note(&self) -> Result<String> {
        let client = reqwest::Client::new();
        for _ in 0..50 {
            let outbox: serde_json::Value = client
                .get(format!("{}/{}/outbox", self.base, self.user))
                .header("accept", AP_JSON)
                .send()
                .await?
                .json()
                .await
                .unwrap_or_default();
            let item = outbox.get("orderedItems").and_then(|items| items.get(0));
            let object = item.and_then(|item| item.get("object"));
            let id = object
                .and_then(|object| object.get("id"))
                .and_then(serde_json::Value::as_str)
                .or_else(|| object.and_then(serde_json::Value::as_str))
                .or_else(|| item.and_then(|item| item.get("id")?.as_str()));
            if let Some(id) = id {
                // snac builds ids from its host name (localhost:PORT); wrk goes to 127.0.0.1.
                let url = url::Url::parse(id)?;
                return Ok(format!("{}{}", self.base, url.path()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("snac's outbox shows no note")
    }
}

impl Drop for Snac {
    fn drop(&mut self) {
        let _ = Command::new(&self.setup)
            .arg("--stop")
            .arg(&self.data)
            .status();
    }
}

pub fn peers_bin(name: &str) -> PathBuf {
    std::env::var_os("REVIEWPUB_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/reviewpub-peers")
        })
        .join("bin")
        .join(name)
}

fn snac_version() -> String {
    Command::new(peers_bin("snac"))
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            text.lines()
                .find_map(|l| l.strip_prefix("snac "))
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or("?")
                .to_string()
        })
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrk_output_is_read() {
        let text = "Running 2s test @ http://127.0.0.1:8080/\n  1 threads and 64 connections\n\
  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     1.02ms  200.00us   5.00ms   90.00%\n\
  Latency Distribution\n     50%  812.00us\n     75%    1.10ms\n     90%    1.50ms\n     99%    2.50ms\n\
  40000 requests in 2.00s, 80.00MB read\n  Non-2xx or 3xx responses: 3\n\
Requests/sec:  20000.50\nTransfer/sec:     40.00MB\n";
        let load = super::parse_wrk(text).expect("parsed");
        assert_eq!(load.requests_per_second, 20000.50);
        assert!((load.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(load.p99_ms, 2.5);
        assert_eq!(load.errors, 3);
        assert_eq!(super::fixed_body(2048).len(), 2048);
    }
}
