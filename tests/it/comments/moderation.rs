//! Moderation: the policies that hold and release comments, blocked senders, odd and hostile
//! notes.

use reqwest::Method;
use serde_json::{json, Value};

use super::{comment_count, deliver, open_app, page, texts};
use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn moderation_policies_hold_and_release_comments() {
    let app = TestApp::spawn().await; // first_time is the default
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Moderated")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    deliver(
        &alice,
        &app,
        &alice.activity(
            "Create",
            "c1",
            alice.note("one", ap_id, "<p>First time here</p>", true, &me),
        ),
    )
    .await;
    assert!(
        texts(&page(&app, &review).await, ".comment").is_empty(),
        "a first comment waits"
    );
    let pending: Value = app
        .api(Method::GET, "/comments?status=pending")
        .fetch_json()
        .await;
    assert_eq!(pending["total"], 1);
    let id = pending["items"][0]["id"].as_str().expect("id");
    let approved: Value = app
        .api(Method::POST, &format!("/comments/{id}/approve"))
        .fetch_json()
        .await;
    assert_eq!(approved["status"], "published");
    deliver(
        &alice,
        &app,
        &alice.activity(
            "Create",
            "c2",
            alice.note("two", ap_id, "<p>Back again</p>", true, &me),
        ),
    )
    .await;
    assert_eq!(
        texts(&page(&app, &review).await, ".comment-body"),
        vec!["First time here", "Back again"],
        "an approved author publishes at once"
    );

    let rejected: Value = app
        .api(Method::POST, &format!("/comments/{id}/reject"))
        .fetch_json()
        .await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        texts(&page(&app, &review).await, ".comment-body"),
        vec!["Back again"]
    );
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/comments/{}", approved["id"].as_str().expect("id")),
        )
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status().as_u16(), 204);
    let bad = app
        .api(Method::GET, "/comments?status=hidden")
        .send()
        .await
        .expect("GET");
    assert_eq!(bad.status().as_u16(), 422);
    app.stop().await;

    let closed = TestApp::spawn_with(|f| f.merge(("comments.moderation", "closed"))).await;
    let review = closed.create_review(sample_review("Closed")).await;
    let me = closed.url("/users/reviews");
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    for n in 0..2 {
        let note = alice.note(&format!("closed-{n}"), ap_id, "<p>Held</p>", true, &me);
        deliver(
            &alice,
            &closed,
            &alice.activity("Create", &format!("cc-{n}"), note),
        )
        .await;
    }
    let pending: Value = closed
        .api(Method::GET, "/comments?status=pending")
        .fetch_json()
        .await;
    assert_eq!(pending["total"], 2, "closed holds every comment");
    closed.stop().await;
}

#[tokio::test]
async fn blocked_senders_are_refused_and_their_comments_hidden() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Blocks")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    deliver(
        &alice,
        &app,
        &alice.activity(
            "Create",
            "c1",
            alice.note("a", ap_id, "<p>Before the block</p>", true, &me),
        ),
    )
    .await;
    let domain = alice.base.trim_start_matches("http://");
    let block = app
        .api(Method::POST, "/blocks")
        .json(&json!({"domain": domain, "reason": "spam"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(block.status().as_u16(), 201);
    let block: Value = block.json().await.expect("JSON");
    assert!(
        texts(&page(&app, &review).await, ".comment").is_empty(),
        "existing comments hidden"
    );
    let refused = deliver(
        &alice,
        &app,
        &alice.activity(
            "Create",
            "c2",
            alice.note("b", ap_id, "<p>After</p>", true, &me),
        ),
    )
    .await;
    assert_eq!(refused, 403);
    assert_eq!(comment_count(&app).await, 1);
    let bad = app
        .api(Method::POST, "/blocks")
        .json(&json!({"actor": "not a url"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(bad.status().as_u16(), 422);
    let list: Value = app.api(Method::GET, "/blocks").fetch_json().await;
    assert_eq!(list[0]["value"], domain);
    let id = block["id"].as_str().expect("id");
    assert_eq!(
        app.api(Method::DELETE, &format!("/blocks/{id}"))
            .send()
            .await
            .expect("DELETE")
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        texts(&page(&app, &review).await, ".comment-body"),
        vec!["Before the block"]
    );

    // A report from another server.
    let flag = json!({"id": alice.id("flag"), "type": "Flag", "actor": alice.actor_id, "content": "Spoilers without warning", "object": [ap_id]});
    assert_eq!(deliver(&alice, &app, &flag).await, 202);
    let reports: Value = app.api(Method::GET, "/reports").fetch_json().await;
    assert_eq!(reports[0]["content"], "Spoilers without warning");
    assert_eq!(reports[0]["objects"], json!([ap_id]));
    app.stop().await;
}

#[tokio::test]
async fn odd_and_hostile_notes_change_nothing() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Hostile")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");

    let mut no_parent = alice.note("np", ap_id, "<p>x</p>", true, &me);
    no_parent
        .as_object_mut()
        .expect("object")
        .remove("inReplyTo");
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Create", "c1", no_parent)).await,
        422
    );

    let mut elsewhere = alice.note("el", ap_id, "<p>x</p>", true, &me);
    elsewhere["id"] = json!("http://elsewhere.example/notes/1");
    assert!(
        deliver(&alice, &app, &alice.activity("Create", "c2", elsewhere)).await >= 400,
        "object host differs from actor host"
    );

    let mut not_hers = alice.note("nh", ap_id, "<p>x</p>", true, &me);
    not_hers["attributedTo"] = json!(format!("{}/users/bob", alice.base));
    assert!(deliver(&alice, &app, &alice.activity("Create", "c3", not_hers)).await >= 400);

    assert_eq!(comment_count(&app).await, 0);
    app.stop().await;
}
