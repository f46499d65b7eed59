//! Export everything, import it elsewhere (issue 12, point 2): `reviewpub export` and
//! `reviewpub import archive` between two running instances with databases of their own.

mod imported_and_moved;
mod keys;
mod refusals;
mod round_trip;
mod settings;

use std::io::Read;

use reqwest::Method;
use reviewpub::archive::{self, ArchiveError, Imported};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::peer::Peer;

/// What servers send for ActivityPub documents.
const AP_ACCEPT: &str = "application/activity+json";

/// The key slots of an instance that is not `TestApp::spawn`'s (whose keys are slots 0 and 1).
const OTHER_KEYS: [usize; 2] = [6, 7];

/// `app`'s archive, as `reviewpub export` writes it.
async fn export(app: &TestApp, with_keys: bool) -> Vec<u8> {
    archive::export(
        &app.pool,
        app.settings(),
        with_keys,
        chrono::Utc::now(),
        Vec::new(),
    )
    .await
    .expect("export")
    .out
}

/// Reads and restores an archive into `app`, as `reviewpub import archive` does.
async fn import(app: &TestApp, bytes: &[u8]) -> Result<Imported, ArchiveError> {
    let unpacked = archive::unpack(bytes, archive::DEFAULT_MAX_BYTES)?;
    archive::import(&app.pool, app.settings(), unpacked.archive).await
}

/// The tar inside an archive.
fn unzipped(bytes: &[u8]) -> Vec<u8> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut tar)
        .expect("gunzip");
    tar
}

/// A fresh instance at `a`'s public URL (it listens elsewhere), with keys of its own.
async fn successor(a: &TestApp) -> TestApp {
    let public_url = a.settings().public_url.as_str().to_string();
    TestApp::spawn_keyed(OTHER_KEYS, |f| f.merge(("public_url", public_url))).await
}

/// Alice follows the blog, and the `Accept` reaches her.
async fn follow(app: &TestApp, peer: &Peer) {
    let follow = peer.follow(&app.url("/users/reviews"), "follow-1");
    let status = peer
        .post(&app.url("/users/reviews/inbox"), &follow)
        .await
        .status();
    assert_eq!(status.as_u16(), 202);
    peer.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
}

async fn api_json(app: &TestApp, path: &str) -> Value {
    let response = app.api(Method::GET, path).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.expect("JSON")
}

async fn actor(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/users/reviews"))
        .header("accept", AP_ACCEPT)
        .send()
        .await
        .expect("GET");
    response.json().await.expect("actor JSON")
}

/// A published review through the API.
async fn publish(app: &TestApp, title: &str) -> Value {
    app.create_review(json!({
        "title": title,
        "body": "A body.",
        "film": {"title": title},
        "status": "published"
    }))
    .await
}
