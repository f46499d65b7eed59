//! Replies through the inbox: they show on the kept page and drop only what shows their review.

use serde_json::Value;

use super::{page, slug, AP};
use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn a_reply_through_the_inbox_shows_on_the_kept_page() {
    let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    page(&app, &path).await;
    let (_, cache, before) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert!(!before.contains("A reply from the fediverse"));
    let replies = format!(
        "/reviews/{}/replies?page=1",
        review["id"].as_str().expect("id")
    );
    let empty: Value = app
        .client
        .get(app.url(&replies))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(empty["totalItems"], 0);

    let note = peer.note(
        "n1",
        ap_id,
        "<p>A reply from the fediverse</p>",
        true,
        &app.url("/users/reviews"),
    );
    let status = peer
        .post(&app.url("/inbox"), &peer.activity("Create", "c1", note))
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202);

    let (status, cache, after) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(cache.as_deref(), Some("miss"));
    assert!(after.contains("A reply from the fediverse"), "{after}");
    let listed: Value = app
        .client
        .get(app.url(&replies))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(listed["totalItems"], 1);
    app.stop().await;
}

/// A reply drops only the pages of its review: the other review's page, the index and the
/// feeds stay kept (a burst of replies used to re-render everything).
#[tokio::test]
async fn a_reply_drops_only_what_shows_its_review() {
    let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
    let alice = Peer::start().await;
    let heat = app.create_review(sample_review("Heat (1995)")).await;
    let ran = app.create_review(sample_review("Ran (1985)")).await;
    let kept = [slug(&ran), "/".to_string(), "/feed.xml".to_string()];
    for path in kept.iter().chain([slug(&heat)].iter()) {
        page(&app, path).await;
        assert_eq!(page(&app, path).await.1.as_deref(), Some("hit"), "{path}");
    }
    let me = app.url("/users/reviews");
    let note = alice.note(
        "only-heat",
        heat["ap_id"].as_str().expect("ap_id"),
        "<p>Only Heat</p>",
        true,
        &me,
    );
    let status = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-only-heat", note),
        )
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202);
    let (_, cache, body) = page(&app, &slug(&heat)).await;
    assert_eq!(
        cache.as_deref(),
        Some("miss"),
        "the replied-to review is rendered afresh"
    );
    assert!(body.contains("Only Heat"));
    for path in &kept {
        assert_eq!(
            page(&app, path).await.1.as_deref(),
            Some("hit"),
            "{path} was dropped"
        );
    }
    app.stop().await;
}
