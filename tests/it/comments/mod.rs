//! The comment thread: replies from the fediverse in the shapes real servers send, threading,
//! edits, deletions, reactions, moderation, blocks, reports, the critic's answers, imports.

mod critic;
mod moderation;
mod readers;
mod replies;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::{FetchJson, TestApp};
use crate::peer::Peer;

const AP: &str = "application/activity+json";

async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await
}

async fn page(app: &TestApp, review: &Value) -> Html {
    let (status, html) = app
        .get_text(&format!(
            "/reviews/{}",
            review["slug"].as_str().expect("slug")
        ))
        .await;
    assert_eq!(status, 200);
    Html::parse_document(&html)
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).expect("selector"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

async fn article(app: &TestApp, review: &Value) -> Value {
    app.client
        .get(review["ap_id"].as_str().expect("ap_id"))
        .header("accept", AP)
        .fetch_json()
        .await
}

async fn deliver(peer: &Peer, app: &TestApp, activity: &Value) -> u16 {
    peer.post(&app.url("/inbox"), activity)
        .await
        .status()
        .as_u16()
}

async fn comment_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}
