//! Secure mode (`federation.authorized_fetch`) decides by route, not by how a path looks: the
//! ActivityPub objects and collections need a signature, the admin API needs its token only,
//! HTML pages are public whatever their slug.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

const ACTIVITY_JSON: &str = "application/activity+json";

/// The path endings of our collections: pages named like them once needed a signature.
const SUFFIXES: [&str; 7] = [
    "likes",
    "shares",
    "replies",
    "followers",
    "following",
    "outbox",
    "featured",
];

async fn secure_app() -> TestApp {
    TestApp::spawn_with(|f| {
        f.merge(("federation.authorized_fetch", true))
            .merge(("federation.manually_approves_followers", true))
            .merge(("limits.pages_per_minute", 0))
    })
    .await
}

#[tokio::test]
async fn every_admin_get_works_with_the_token_alone_in_secure_mode() {
    let app = secure_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Guarded")).await;
    let id = review["id"].as_str().expect("id");
    // A follow request waiting for the critic.
    let follow = alice.follow(&app.url("/users/reviews"), "follow-1");
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );

    for path in [
        "/reviews".to_string(),
        format!("/reviews/{id}"),
        "/followers".into(),
        "/followers?status=pending".into(),
        "/deliveries".into(),
        "/comments".into(),
        "/blocks".into(),
        "/reports".into(),
        "/openapi.json".into(),
    ] {
        let response = app.api(Method::GET, &path).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200, "GET /api/v1{path}");
        if path == "/followers?status=pending" {
            let body: serde_json::Value = response.json().await.expect("JSON");
            assert!(
                body.to_string().contains(&alice.actor_id),
                "the pending follow is listed: {body}"
            );
        }
    }
    // The token is still required.
    let anonymous = app
        .client
        .get(app.url("/api/v1/followers"))
        .send()
        .await
        .expect("GET");
    assert_eq!(anonymous.status().as_u16(), 401);
    app.stop().await;
}

#[tokio::test]
async fn pages_named_like_collections_are_public_and_only_their_activitypub_form_is_signed() {
    let app = secure_app().await;
    let alice = Peer::start().await;
    for name in SUFFIXES {
        let mut body = sample_review(name);
        body["categories"] = json!([name]);
        body["tags"] = json!([name]);
        let review = app.create_review(body).await;
        assert_eq!(review["slug"], name, "the review's slug");
    }
    for name in SUFFIXES {
        for path in [
            format!("/reviews/{name}"),
            format!("/tags/{name}"),
            format!("/categories/{name}"),
        ] {
            // A browser, and a client that says nothing.
            let html = app
                .client
                .get(app.url(&path))
                .header("accept", "text/html")
                .send()
                .await
                .expect("GET");
            assert_eq!(html.status().as_u16(), 200, "{path} as HTML");
            assert_eq!(
                app.get(&path).await.status().as_u16(),
                200,
                "{path} without Accept"
            );
        }
        // The review also has an ActivityPub form: that one is signed.
        let url = app.url(&format!("/reviews/{name}"));
        let unsigned = app
            .client
            .get(&url)
            .header("accept", ACTIVITY_JSON)
            .send()
            .await
            .expect("GET");
        assert_eq!(unsigned.status().as_u16(), 401, "{url} unsigned as JSON");
        let signed = alice.get_signed(&url, ACTIVITY_JSON).await;
        assert_eq!(signed.status().as_u16(), 200, "{url} signed as JSON");
        let article: serde_json::Value = signed.json().await.expect("JSON");
        assert_eq!(article["type"], "Article");
    }
    // The real collections still need a signature, with or without Accept.
    let review = app.create_review(sample_review("Collected")).await;
    let id = review["id"].as_str().expect("id");
    for path in [
        format!("/reviews/{id}/likes"),
        format!("/reviews/{id}/replies"),
        "/users/reviews/followers".into(),
        "/users/reviews/outbox".into(),
    ] {
        assert_eq!(app.get(&path).await.status().as_u16(), 401, "{path}");
        let signed = alice.get_signed(&app.url(&path), ACTIVITY_JSON).await;
        assert_eq!(signed.status().as_u16(), 200, "{path} signed");
    }
    app.stop().await;
}
