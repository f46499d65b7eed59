//! Reply control (issue 11, point 2): the critic closes a review to replies, or replies close
//! some days after publication by default; closed reviews say so (`interactionPolicy.canReply`)
//! and keep new replies for the critic alone.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

async fn can_reply(app: &TestApp, review: &Value) -> Value {
    let article = app
        .client
        .get(review["ap_id"].as_str().expect("ap_id"))
        .header("accept", "application/activity+json")
        .fetch_json()
        .await;
    article["interactionPolicy"]["canReply"]["automaticApproval"].clone()
}

async fn reply(app: &TestApp, alice: &Peer, review: &Value, name: &str) -> (String, String) {
    let note = alice.note(
        name,
        review["ap_id"].as_str().expect("ap_id"),
        &format!("<p>{name}</p>"),
        true,
        &app.url("/users/reviews"),
    );
    let create = alice.activity("Create", &format!("c-{name}"), note);
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );
    sqlx::query_as("SELECT visibility, status FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/{name}", alice.base))
        .fetch_one(&app.pool)
        .await
        .expect("the reply is kept")
}

#[tokio::test]
async fn a_closed_review_says_so_and_keeps_new_replies_private() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.pages_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Closing Time")).await;
    let id = review["id"].as_str().expect("id");
    let public = json!(["https://www.w3.org/ns/activitystreams#Public"]);
    assert_eq!(can_reply(&app, &review).await, public);
    assert_eq!(
        reply(&app, &alice, &review, "open").await,
        ("public".into(), "published".into())
    );

    let status = app
        .api(Method::POST, &format!("/reviews/{id}/replies/close"))
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(status.as_u16(), 204);
    assert_eq!(
        can_reply(&app, &review).await,
        json!([app.url("/users/reviews")])
    );
    assert_eq!(
        reply(&app, &alice, &review, "closed").await.0,
        "private",
        "kept for the critic, not shown"
    );
    let page = app
        .get(&format!(
            "/reviews/{}",
            review["slug"].as_str().expect("slug")
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("<p>open</p>") && !page.contains("<p>closed</p>"));

    let status = app
        .api(Method::POST, &format!("/reviews/{id}/replies/open"))
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(status.as_u16(), 204);
    assert_eq!(can_reply(&app, &review).await, public);
    assert_eq!(reply(&app, &alice, &review, "reopened").await.0, "public");
    let unknown = app
        .api(Method::POST, &format!("/reviews/{id}/replies/sometimes"))
        .send()
        .await
        .expect("POST");
    assert_eq!(unknown.status().as_u16(), 404);
    app.stop().await;
}

#[tokio::test]
async fn replies_close_by_default_some_days_after_publication() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("comments.close_after_days", 7))
    })
    .await;
    let alice = Peer::start().await;
    let mut old = sample_review("Long Ago");
    old["publish_at"] = json!((chrono::Utc::now() - chrono::Duration::days(8)).to_rfc3339());
    let old = app.create_review(old).await;
    let recent = app.create_review(sample_review("Just Now")).await;
    assert_eq!(
        can_reply(&app, &old).await,
        json!([app.url("/users/reviews")])
    );
    assert_eq!(reply(&app, &alice, &old, "late").await.0, "private");
    assert_eq!(reply(&app, &alice, &recent, "timely").await.0, "public");
    // The critic can open an old review again.
    let id = old["id"].as_str().expect("id");
    app.api(Method::POST, &format!("/reviews/{id}/replies/open"))
        .send()
        .await
        .expect("POST");
    assert_eq!(reply(&app, &alice, &old, "welcome").await.0, "public");
    app.stop().await;
}
