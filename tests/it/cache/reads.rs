//! Reads in one process: hits, edits through the API shown at once, the Article and the page
//! of one URL kept apart, signatures checked before the cache answers, the cache off.

use reqwest::Method;
use serde_json::{json, Value};

use super::{fetch, page, slug, AP};
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn a_second_read_is_a_hit_and_an_edit_through_the_api_shows_at_once() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);

    let (status, first_cache, first) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(first_cache.as_deref(), Some("miss"));
    let (status, second_cache, second) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(second_cache.as_deref(), Some("hit"));
    assert_eq!(first, second, "a hit is the same page");

    let id = review["id"].as_str().expect("id");
    let response = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Heat, revisited"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    let (status, cache, edited) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(cache.as_deref(), Some("miss"), "the edit invalidated it");
    assert!(edited.contains("Heat, revisited"), "the new title is shown");

    // Listings, feeds and discovery documents are kept too.
    let webfinger = format!(
        "/.well-known/webfinger?resource=acct:reviews@{}",
        app.base.trim_start_matches("http://")
    );
    for path in [
        "/",
        "/feed.xml",
        "/about",
        "/categories/science-fiction",
        "/tags/clones",
        webfinger.as_str(),
    ] {
        let (status, _, first) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        let (_, cache, again) = page(&app, path).await;
        assert_eq!(cache.as_deref(), Some("hit"), "{path}");
        assert_eq!(first, again, "{path}");
    }
    // Another WebFinger resource is another entry: an unknown one is not found, not a hit.
    let (status, cache, _) = page(&app, "/.well-known/webfinger?resource=acct:nobody@x").await;
    assert_eq!((status, cache.as_deref()), (404, Some("miss")));
    // Nothing under the admin API is looked up.
    let response = app
        .api(Method::GET, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("GET");
    assert!(response.headers().get("x-cache").is_none());
    app.stop().await;
}

#[tokio::test]
async fn the_article_and_the_page_of_one_url_are_kept_apart() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);

    let (_, cache, html) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    let (_, cache, json) = fetch(&app, &path, AP).await;
    assert_eq!(cache.as_deref(), Some("miss"), "JSON is not the HTML entry");
    let article: Value = serde_json::from_str(&json).expect("Article JSON");
    assert_eq!(article["type"], "Article");

    let (_, cache, html_again) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert_eq!(html, html_again);
    assert!(html_again.starts_with("<!DOCTYPE html>") || html_again.contains("<html"));
    let response = app
        .client
        .get(app.url(&path))
        .header("accept", AP)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.headers()["x-cache"], "hit");
    assert_eq!(response.headers()["content-type"], AP);
    assert_eq!(response.text().await.expect("body"), json);
    app.stop().await;
}

#[tokio::test]
async fn secure_mode_checks_signatures_before_the_cache_answers() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.authorized_fetch", true))).await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Secure")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");

    let first = peer.get_signed(ap_id, AP).await;
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(first.headers()["x-cache"], "miss");
    let second = peer.get_signed(ap_id, AP).await;
    assert_eq!(second.status().as_u16(), 200);
    assert_eq!(second.headers()["x-cache"], "hit");

    let unsigned = app
        .client
        .get(ap_id)
        .header("accept", AP)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        unsigned.status().as_u16(),
        401,
        "a kept Article needs a signature too"
    );
    app.stop().await;
}

#[tokio::test]
async fn with_the_cache_off_every_answer_is_rendered() {
    let app = TestApp::spawn_with(|f| f.merge(("cache.enabled", false))).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    for _ in 0..3 {
        for accept in ["", AP] {
            let (status, cache, _) = fetch(&app, &path, accept).await;
            assert_eq!(status, 200);
            assert_ne!(cache.as_deref(), Some("hit"));
        }
    }
    app.stop().await;
}
