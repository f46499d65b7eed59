//! Scheduled reviews go live at `publish_at` through the background task.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};

#[tokio::test]
async fn a_scheduled_review_goes_live_at_its_time() {
    let app = TestApp::spawn().await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(3);
    let mut review = sample_review("Scheduled Review");
    review["status"] = json!("scheduled");
    review["publish_at"] = json!(at.to_rfc3339());
    let created = app.create_review(review).await;
    assert_eq!(created["status"], "scheduled");
    assert!(created["published_at"].is_null());
    assert_eq!(
        app.get("/reviews/scheduled-review").await.status().as_u16(),
        404
    );

    // The scheduler runs every second in tests; allow generous time on a loaded machine.
    let id = created["id"].as_str().expect("id");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let live = loop {
        let review: Value = app
            .api(Method::GET, &format!("/reviews/{id}"))
            .fetch_json()
            .await;
        if review["status"] == "published" {
            break review;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not published 30 s after its time: {review}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let published_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(live["published_at"].clone()).expect("published_at");
    assert_eq!(
        published_at.timestamp_millis(),
        at.timestamp_millis(),
        "dated at its scheduled time"
    );
    assert!(chrono::Utc::now() >= at, "not before its time");
    assert!(live["publish_at"].is_null());
    assert_eq!(
        app.get("/reviews/scheduled-review").await.status().as_u16(),
        200
    );
    let (_, feed) = app.get_text("/feed.xml").await;
    assert!(feed.contains("Scheduled Review"));
    app.stop().await;
}

#[tokio::test]
async fn rescheduling_and_unpublishing() {
    let app = TestApp::spawn().await;
    let created = app.create_review(sample_review("Back And Forth")).await;
    let id = created["id"].as_str().expect("id");
    let later = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let patched: Value = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "scheduled", "publish_at": later}))
        .fetch_json()
        .await;
    assert_eq!(patched["status"], "scheduled");
    assert_eq!(
        app.get("/reviews/back-and-forth").await.status().as_u16(),
        404
    );

    let draft: Value = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "draft"}))
        .fetch_json()
        .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["publish_at"], patched["publish_at"],
        "a draft keeps the time it was meant for"
    );
    let republished: Value = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "published", "publish_at": null}))
        .fetch_json()
        .await;
    assert_eq!(republished["status"], "published");
    assert_eq!(
        republished["published_at"], created["published_at"],
        "the first publication date is kept"
    );
    assert_eq!(
        app.get("/reviews/back-and-forth").await.status().as_u16(),
        200
    );

    let past = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "scheduled", "publish_at": "2001-01-01T00:00:00Z"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(past.status().as_u16(), 422);
    app.stop().await;
}
