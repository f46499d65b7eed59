//! The critic's side of a thread: answers, edits and deletions that federate, imported
//! comments, refreshing a thread.

use reqwest::Method;
use serde_json::{json, Value};

use super::{article, deliver, open_app, page, texts, AP};
use crate::helpers::{sample_review, FetchJson};
use crate::peer::Peer;

#[tokio::test]
async fn the_critic_answers_edits_and_deletes_and_it_federates() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Answered")).await;
    let review_id = review["id"].as_str().expect("id");
    let me = app.url("/users/reviews");
    let note = alice.note(
        "q",
        review["ap_id"].as_str().expect("ap_id"),
        "<p>Why four stars?</p>",
        true,
        &me,
    );
    deliver(&alice, &app, &alice.activity("Create", "c", note.clone())).await;
    let comments: Value = app
        .api(Method::GET, "/comments?status=published")
        .fetch_json()
        .await;
    let theirs = comments["items"][0]["id"].as_str().expect("id").to_string();

    let response = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments"))
        .json(&json!({"in_reply_to": theirs, "body": "Because of the **ending**."}))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 201);
    let mine: Value = response.json().await.expect("JSON");
    assert_eq!(mine["origin"], "local");
    let doc = page(&app, &review).await;
    let nested = texts(&doc, "#comments > ol > li > ol > li .comment-body");
    assert_eq!(nested, vec!["Because of the ending."]);
    assert_eq!(texts(&doc, ".badge"), vec!["author"]);

    // It reaches alice as a Create{Note} mentioning her, signed by the blog.
    let creates = alice
        .wait_for("the critic's Create", 1, |r| r.kind() == "Create")
        .await;
    let sent = &creates[0].body["object"];
    assert_eq!(sent["type"], "Note");
    assert_eq!(sent["inReplyTo"], note["id"]);
    assert_eq!(sent["attributedTo"], me);
    assert!(sent["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .any(|t| t["type"] == "Mention" && t["href"] == alice.actor_id));
    assert!(sent["cc"]
        .as_array()
        .expect("cc")
        .contains(&json!(alice.actor_id)));
    assert!(sent["content"]
        .as_str()
        .expect("content")
        .contains("<strong>ending</strong>"));
    // Its id answers with the same Note.
    let fetched: Value = app
        .client
        .get(mine["ap_id"].as_str().expect("ap_id"))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(fetched["id"], mine["ap_id"]);
    assert_eq!(fetched["inReplyTo"], note["id"]);

    let id = mine["id"].as_str().expect("id");
    let edited = app
        .api(Method::PATCH, &format!("/comments/{id}"))
        .json(&json!({"body": "Because of the ending, really."}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(edited.status().as_u16(), 200);
    alice
        .wait_for("the Update", 1, |r| r.kind() == "Update")
        .await;
    let not_mine = app
        .api(Method::PATCH, &format!("/comments/{theirs}"))
        .json(&json!({"body": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(not_mine.status().as_u16(), 400);
    let invalid = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments"))
        .json(&json!({"body": "  "}))
        .send()
        .await
        .expect("POST");
    assert_eq!(invalid.status().as_u16(), 422);
    let wrong_parent = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments"))
        .json(&json!({"body": "x", "in_reply_to": uuid::Uuid::now_v7()}))
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong_parent.status().as_u16(), 422);

    assert_eq!(
        app.api(Method::DELETE, &format!("/comments/{id}"))
            .send()
            .await
            .expect("DELETE")
            .status()
            .as_u16(),
        204
    );
    let deletes = alice
        .wait_for("the Delete", 1, |r| r.kind() == "Delete")
        .await;
    assert_eq!(deletes[0].body["object"]["type"], "Tombstone");
    let gone = app
        .client
        .get(mine["ap_id"].as_str().expect("ap_id"))
        .header("accept", AP)
        .send()
        .await
        .expect("GET");
    assert_eq!(gone.status().as_u16(), 410);
    app.stop().await;
}

#[tokio::test]
async fn imported_comments_are_shown_and_can_be_answered() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Imported")).await;
    let review_id = review["id"].as_str().expect("id");
    let first = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments/import"))
        .json(&json!({"author_name": "Mr. Subtlety", "author_url": "https://old.example/subtlety", "date": "2011-02-05T16:12:00Z", "content": "Good movie.\n\nBetter than the book."}))
        .send()
        .await
        .expect("POST");
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.expect("JSON");
    let answer = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments/import"))
        .json(&json!({"author_name": "Jareth", "date": "2011-02-05T17:00:00Z", "content": "<p>Agreed, <b>Subtlety</b>.</p>", "parent": first["id"]}))
        .send()
        .await
        .expect("POST");
    assert_eq!(answer.status().as_u16(), 201);
    let bad = app
        .api(
            Method::POST,
            &format!("/reviews/{review_id}/comments/import"),
        )
        .json(&json!({"author_name": "", "date": "2011-02-05T17:00:00Z", "content": ""}))
        .send()
        .await
        .expect("POST");
    let bad: Value = bad.json().await.expect("JSON");
    assert!(
        bad["details"]["author_name"].is_string() && bad["details"]["content"].is_string(),
        "{bad}"
    );

    // A fediverse user answers the imported comment by its id.
    let note: Value = app
        .client
        .get(first["ap_id"].as_str().expect("ap_id"))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], app.url("/users/reviews"));
    assert!(note["content"]
        .as_str()
        .expect("content")
        .contains("Mr. Subtlety"));
    let reply = alice.note(
        "to-old",
        first["ap_id"].as_str().expect("ap_id"),
        "<p>Years later: agreed.</p>",
        true,
        &app.url("/users/reviews"),
    );
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Create", "c", reply)).await,
        202
    );

    let doc = page(&app, &review).await;
    assert_eq!(
        texts(&doc, ".comment-author"),
        vec!["Mr. Subtlety", "Jareth", "Alice <script>"]
    );
    assert_eq!(
        texts(&doc, "#comments > ol > li > ol > li .comment-body"),
        vec!["Agreed, Subtlety.", "Years later: agreed."]
    );
    // `replies` holds the direct answers (one: the others answer it); the whole conversation
    // is the `context` collection: the review and its three comments.
    let a = article(&app, &review).await;
    assert_eq!(a["replies"]["totalItems"], 1);
    let context = crate::helpers::FetchJson::fetch_json(
        app.client
            .get(a["context"].as_str().expect("context"))
            .header("accept", "application/activity+json"),
    )
    .await;
    assert_eq!(context["totalItems"], 4);
    app.stop().await;
}

#[tokio::test]
async fn refreshing_a_thread_recovers_replies_that_never_arrived() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let bob = Peer::start().await;
    let review = app.create_review(sample_review("Crawled")).await;
    let me = app.url("/users/reviews");
    // Bob answered alice on her server without mentioning the blog: only her replies
    // collection knows it.
    let mut first = alice.note(
        "a",
        review["ap_id"].as_str().expect("ap_id"),
        "<p>Alice here</p>",
        true,
        &me,
    );
    let hidden = bob.note(
        "b",
        first["id"].as_str().expect("id"),
        "<p>Bob, never delivered</p>",
        true,
        &format!("{}/users/alice", alice.base),
    );
    let hidden_url = bob.serve_object("b", hidden);
    first["replies"] = json!({"id": format!("{}/replies", first["id"].as_str().expect("id")), "type": "Collection",
        "first": {"type": "CollectionPage", "items": [hidden_url]}});
    alice.serve_object("a", first.clone());
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Create", "c", first)).await,
        202
    );
    assert_eq!(
        texts(&page(&app, &review).await, ".comment-body"),
        vec!["Alice here"]
    );

    let id = review["id"].as_str().expect("id");
    let refreshed: Value = app
        .api(Method::POST, &format!("/reviews/{id}/comments/refresh"))
        .fetch_json()
        .await;
    assert_eq!(
        (refreshed["found"].as_i64(), refreshed["removed"].as_i64()),
        (Some(1), Some(0))
    );
    let doc = page(&app, &review).await;
    assert_eq!(
        texts(&doc, "#comments > ol > li > ol > li .comment-body"),
        vec!["Bob, never delivered"]
    );
    let again: Value = app
        .api(Method::POST, &format!("/reviews/{id}/comments/refresh"))
        .fetch_json()
        .await;
    assert_eq!(again["found"], 0, "nothing twice");

    // Bob deletes his note on his server (it now answers 404): the refresh removes it.
    bob.forget_object("b");
    let gone: Value = app
        .api(Method::POST, &format!("/reviews/{id}/comments/refresh"))
        .fetch_json()
        .await;
    assert_eq!(gone["removed"], 1);
    assert!(texts(&page(&app, &review).await, ".comment-body")
        .iter()
        .all(|t| !t.contains("Bob")));
    app.stop().await;
}
