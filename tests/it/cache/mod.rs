//! The response cache: repeated reads are answered from memory, and every change (through the
//! API, the inbox, another process writing to the database) shows at once or within moments.

mod processes;
mod reads;
mod replies;

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::TestApp;

const AP: &str = "application/activity+json";

/// Status, `x-cache` and body of a GET with the given `Accept` (none when empty).
async fn fetch(app: &TestApp, path: &str, accept: &str) -> (u16, Option<String>, String) {
    let mut request = app.client.get(app.url(path));
    if !accept.is_empty() {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("GET");
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, cache, response.text().await.expect("body"))
}

async fn page(app: &TestApp, path: &str) -> (u16, Option<String>, String) {
    fetch(app, path, "").await
}

/// Fetches `path` until its body contains `needle` (at most five seconds); returns the body.
async fn until_shown(app: &TestApp, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, body) = page(app, path).await;
        if status == 200 && body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} not on {path} within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn slug(review: &Value) -> String {
    format!("/reviews/{}", review["slug"].as_str().expect("slug"))
}
