//! A review withdrawn from the fediverse (back to draft) and published again: servers keep a
//! tombstone for the id they were told was deleted, so it comes back under a new id; the old
//! ids answer 410, the page URL stays.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

const ACTIVITY_JSON: &str = "application/activity+json";

async fn fetch(app: &TestApp, url: &str) -> (u16, Value) {
    let response = app
        .client
        .get(url)
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn set_status(app: &TestApp, id: &str, status: &str) -> Value {
    let response = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": status}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn a_review_published_again_comes_back_under_a_new_id() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.pages_per_minute", 0))
            .merge(("comments.moderation", "open"))
    })
    .await;
    let alice = Peer::start().await;
    let follow = alice.follow(&app.url("/users/reviews"), "follow-1");
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let review = app.create_review(sample_review("Twice")).await;
    let id = review["id"].as_str().expect("id");
    let first = review["ap_id"].as_str().expect("ap_id").to_string();
    alice
        .wait_for("the Create", 1, |r| {
            r.kind() == "Create" && r.body["object"]["id"] == first.as_str()
        })
        .await;

    set_status(&app, id, "draft").await;
    alice
        .wait_for("the Delete", 1, |r| {
            r.kind() == "Delete" && r.body["object"]["id"] == first.as_str()
        })
        .await;

    let again = set_status(&app, id, "published").await;
    let second = again["ap_id"].as_str().expect("ap_id").to_string();
    assert_eq!(second, format!("{first}/v1"));
    assert_eq!(again["url"], review["url"], "the page stays where it was");
    let creates = alice
        .wait_for("the second Create", 1, |r| {
            r.kind() == "Create" && r.body["object"]["id"] == second.as_str()
        })
        .await;
    assert_eq!(creates[0].body["object"]["url"], review["url"]);

    // The first id is gone for good; the new one is the Article.
    let (status, tombstone) = fetch(&app, &first).await;
    assert_eq!(status, 410);
    assert_eq!(tombstone["id"], first.as_str());
    assert_eq!(tombstone["type"], "Tombstone");
    let (status, article) = fetch(&app, &second).await;
    assert_eq!(status, 200);
    assert_eq!(article["id"], second.as_str());
    let (status, by_page) = fetch(&app, review["url"].as_str().expect("url")).await;
    assert_eq!((status, &by_page["id"]), (200, &json!(second)));
    // An id it never had.
    assert_eq!(fetch(&app, &format!("{first}/v7")).await.0, 404);
    // A browser at the new id goes to the page.
    let browser = app.client.get(&second).send().await.expect("GET");
    assert_eq!(browser.status().as_u16(), 303);

    // Replies to the new id land in the thread.
    let note = alice.note(
        "r1",
        &second,
        "<p>Welcome back</p>",
        true,
        &app.url("/users/reviews"),
    );
    let create = alice.activity("Create", "create-r1", note);
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );
    let comments: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(comments, 1);

    // Withdrawn again: that id is gone too, and the next comes after it.
    set_status(&app, id, "draft").await;
    assert_eq!(fetch(&app, &second).await.0, 410);
    let third = set_status(&app, id, "published").await;
    assert_eq!(third["ap_id"], format!("{first}/v2"));
    app.stop().await;
}

#[tokio::test]
async fn a_hidden_review_stays_on_the_fediverse_and_returns_as_an_update() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.pages_per_minute", 0))).await;
    let alice = Peer::start().await;
    let follow = alice.follow(&app.url("/users/reviews"), "follow-1");
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let review = app.create_review(sample_review("Hidden")).await;
    let id = review["id"].as_str().expect("id");
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();
    alice
        .wait_for("the Create", 1, |r| r.kind() == "Create")
        .await;

    let hidden: Value = app
        .api(Method::POST, &format!("/reviews/{id}/hide"))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON");
    assert_eq!(hidden["status"], "draft");
    crate::helpers::deliveries_idle(&app.pool).await;
    assert!(
        !alice.received().iter().any(|r| r.kind() == "Delete"),
        "no Delete goes out for a hidden review"
    );
    // Off the blog: not found (not gone), so servers keep their copy.
    assert_eq!(fetch(&app, &ap_id).await.0, 404);
    assert_eq!(
        app.get(&format!(
            "/reviews/{}",
            review["slug"].as_str().expect("slug")
        ))
        .await
        .status()
        .as_u16(),
        404
    );

    // Back: an Update of the same id.
    let back = set_status(&app, id, "published").await;
    assert_eq!(back["ap_id"], ap_id.as_str());
    alice
        .wait_for("the Update", 1, |r| {
            r.kind() == "Update" && r.body["object"]["id"] == ap_id.as_str()
        })
        .await;
    assert_eq!(
        alice
            .received()
            .iter()
            .filter(|r| r.kind() == "Create")
            .count(),
        1,
        "no second Create"
    );
    // Hiding a draft is nothing to hide: going back to draft by PATCH still deletes.
    set_status(&app, id, "draft").await;
    alice
        .wait_for("the Delete", 1, |r| r.kind() == "Delete")
        .await;
    app.stop().await;
}
