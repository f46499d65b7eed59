//! The machine's ceilings, measured in the same run as the figures they bound: RSA-2048 sign
//! and verify rates (reviewpub's code paths and OpenSSL), and PostgreSQL's single-row insert rate.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;
use reviewpub::federation::signatures::{Signer, SigningBackend};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use url::Url;

const SIGNING_STRING: &str = "(request-target): post /inbox\nhost: mastodon.example\n\
date: Sat, 21 Nov 2026 10:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
content-type: application/activity+json";

/// Signs (or verifies) for `window`, one thread, and returns operations per second.
fn rate(window: Duration, mut op: impl FnMut() -> Result<()>) -> Result<f64> {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < window {
        op()?;
        n += 1;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// What [`in_process`] measured: operations per second on one core.
pub struct InProcess {
    pub rsa_sign: f64,
    pub ring_sign: f64,
    pub aws_lc_sign: f64,
    pub rsa_verify: f64,
    pub ring_verify: f64,
    pub aws_lc_verify: f64,
}

/// reviewpub's signers (every backend) and the verifier the inbox uses (the `rsa` crate, as
/// `activitypub_federation` calls it), one core each.
pub fn in_process(keypair: &(String, String), window: Duration) -> Result<InProcess> {
    let actor = Url::parse("https://reviews.example/users/reviews")?;
    let rsa_signer = Signer::new(&actor, &keypair.0, SigningBackend::Rsa)?;
    let ring_signer = Signer::new(&actor, &keypair.0, SigningBackend::Ring)?;
    let aws_lc_signer = Signer::new(&actor, &keypair.0, SigningBackend::AwsLc)?;
    let aws_lc_sign = rate(window, || {
        aws_lc_signer
            .sign_string(SIGNING_STRING)
            .map(drop)
            .map_err(Into::into)
    })?;
    let rsa_sign = rate(window, || {
        rsa_signer
            .sign_string(SIGNING_STRING)
            .map(drop)
            .map_err(Into::into)
    })?;
    let ring_sign = rate(window, || {
        ring_signer
            .sign_string(SIGNING_STRING)
            .map(drop)
            .map_err(Into::into)
    })?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(ring_signer.sign_string(SIGNING_STRING)?)?;
    let public = rsa::RsaPublicKey::from_public_key_pem(&keypair.1)?;
    let hashed = Sha256::digest(SIGNING_STRING.as_bytes());
    let verify = rate(window, || {
        public
            .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed, &signature)
            .context("verification failed")
    })?;
    // ring and AWS-LC verify the same signature with the same key (PKCS#1 DER), directly:
    // reviewpub's verifier has no backend switch yet.
    use rsa::pkcs1::EncodeRsaPublicKey;
    let der = public.to_pkcs1_der()?;
    let ring_key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        der.as_bytes(),
    );
    let ring_verify = rate(window, || {
        ring_key
            .verify(SIGNING_STRING.as_bytes(), &signature)
            .map_err(|_| anyhow::anyhow!("ring: verification failed"))
    })?;
    let aws_lc_key = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        der.as_bytes(),
    );
    let aws_lc_verify = rate(window, || {
        aws_lc_key
            .verify(SIGNING_STRING.as_bytes(), &signature)
            .map_err(|_| anyhow::anyhow!("aws-lc: verification failed"))
    })?;
    Ok(InProcess {
        rsa_sign,
        ring_sign,
        aws_lc_sign,
        rsa_verify: verify,
        ring_verify,
        aws_lc_verify,
    })
}

/// `openssl speed rsa2048`: (sign/s, verify/s) on one core.
pub fn openssl(seconds: u64) -> Result<(f64, f64)> {
    let output = Command::new("openssl")
        .args(["speed", "-seconds", &seconds.to_string(), "rsa2048"])
        .output()
        .context("running openssl speed (is openssl installed?)")?;
    if !output.status.success() {
        bail!(
            "openssl speed failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_openssl(&String::from_utf8_lossy(&output.stdout))
}

/// Reads the `sign/s` and `verify/s` columns of `openssl speed`'s summary table.
pub fn parse_openssl(text: &str) -> Result<(f64, f64)> {
    let header = text
        .lines()
        .find(|l| l.contains("sign/s") && l.contains("verify/s"))
        .context("no sign/s column in openssl's output")?;
    let columns: Vec<&str> = header.split_whitespace().collect();
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("rsa") && l.contains("2048"))
        .context("no rsa 2048 row in openssl's output")?;
    let values: Vec<&str> = row
        .split_whitespace()
        .skip_while(|t| *t != "bits")
        .skip(1)
        .collect();
    let at = |name: &str| -> Result<f64> {
        let i = columns.iter().position(|c| *c == name).context("column")?;
        values
            .get(i)
            .and_then(|v| v.trim_end_matches('s').parse().ok())
            .with_context(|| format!("no {name} value in {row:?}"))
    };
    Ok((at("sign/s")?, at("verify/s")?))
}

/// PostgreSQL single-row inserts per second on the embedded cluster: `pgbench` with a custom
/// script into a scratch database, `clients` connections, for `seconds`.
pub fn pgbench(database_url: &str, work_dir: &Path, clients: usize, seconds: u64) -> Result<f64> {
    let url = Url::parse(database_url)?;
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.to_string())
    };
    let host = query("host").unwrap_or_else(|| url.host_str().unwrap_or("localhost").to_string());
    let port = query("port").unwrap_or_else(|| url.port().unwrap_or(5432).to_string());
    let user = url.username().to_string();
    let psql = |db: &str, sql: &str| -> Result<()> {
        let out = Command::new("psql")
            .args([
                "-h",
                &host,
                "-p",
                &port,
                "-U",
                &user,
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql,
            ])
            .output()
            .context("running psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    };
    psql("postgres", "DROP DATABASE IF EXISTS bench_ceiling")?;
    psql("postgres", "CREATE DATABASE bench_ceiling")?;
    psql(
        "bench_ceiling",
        "CREATE TABLE replies (id bigserial PRIMARY KEY, actor text NOT NULL, body text NOT NULL, \
         created_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let script = work_dir.join("insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO replies (actor, body) VALUES ('https://mastodon.example/users/' || :client_id, repeat('reply ', 60));\n",
    )?;
    let out = Command::new("pgbench")
        .args(["-n", "-h", &host, "-p", &port, "-U", &user])
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
        ])
        .arg("-f")
        .arg(&script)
        .arg("bench_ceiling")
        .output()
        .context("running pgbench")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let _ = psql("postgres", "DROP DATABASE IF EXISTS bench_ceiling");
    if !out.status.success() {
        bail!("pgbench: {}", String::from_utf8_lossy(&out.stderr));
    }
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench's output: {text}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn openssl_3_output_is_read() {
        let text = "Doing 2048 bits private rsa's for 2s\n\
                      sign    verify    sign/s verify/s\n\
                    rsa 2048 bits 0.000958s 0.000028s   1043.6  35419.1\n";
        let (sign, verify) = super::parse_openssl(text).expect("parsed");
        assert_eq!((sign, verify), (1043.6, 35419.1));
    }
}
