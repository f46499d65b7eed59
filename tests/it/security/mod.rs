//! Hostile input and secrets: what anyone on the network can send must not crash, exhaust,
//! fool or read reviewpub.

mod endless;
mod interact;
mod remote_content;
mod secrets_and_headers;
mod signatures;

use std::time::{Duration, Instant};

use crate::helpers::TestApp;

/// Polls `check` until it holds, at most `within`.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn interact_url(app: &TestApp, uri: &str, handle: &str) -> String {
    url::Url::parse_with_params(&app.url("/interact"), &[("uri", uri), ("handle", handle)])
        .expect("URL")
        .to_string()
}
