//! Real third-party fediverse software on loopback: snac2 (a C server) and a peer built on
//! Fedify (the TypeScript framework under Ghost's ActivityPub). Both are installed by
//! `scripts/install-test-deps` (through `scripts/peers/install`), which the README's test
//! command (`scripts/test`) runs first.
//! Outcomes are read from what the peers stored or logged, never from our own logs.

mod fedify;
mod json_ld;
mod snac;
mod snac_moving;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{FetchJson, TestApp};

fn peers_dir() -> PathBuf {
    let dir = std::env::var_os("REVIEWPUB_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/reviewpub-peers")
        });
    for tool in ["bin/snac", "bin/node"] {
        assert!(
            dir.join(tool).exists(),
            "{} is missing: run `scripts/install-test-deps` (the README's test command, scripts/test, does)",
            dir.join(tool).display()
        );
    }
    dir
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/peers")
        .join(name)
}

/// Waits (bounded) until `check` holds.
async fn eventually<T>(what: &str, seconds: u64, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "waited {seconds} s for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn followers(app: &TestApp) -> Value {
    app.api(Method::GET, "/followers").fetch_json().await
}
