//! Threads that complete themselves (issue 11, point 3): the Article and our comment Notes
//! name their conversation (FEP-7888 `context`), a collection of every public post of the
//! thread; `replies` embeds its first page, and pages hold 20.

use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

const AP: &str = "application/activity+json";

async fn get(app: &TestApp, url: &str) -> Value {
    app.client.get(url).header("accept", AP).fetch_json().await
}

#[tokio::test]
async fn the_article_and_our_notes_name_the_whole_conversation_and_embed_their_first_replies() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.inbox_per_minute", 0))
            .merge(("limits.pages_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let blog = app.url("/users/reviews");
    let review = app.create_review(sample_review("Talked About")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();

    // 25 answers to the review, and one answer to the first of them.
    for n in 0..25 {
        let note = alice.note(
            &format!("n{n}"),
            &ap_id,
            &format!("<p>reply {n}</p>"),
            true,
            &blog,
        );
        let create = alice.activity("Create", &format!("c{n}"), note);
        assert_eq!(
            alice
                .post(&app.url("/inbox"), &create)
                .await
                .status()
                .as_u16(),
            202
        );
    }
    let first_reply = format!("{}/objects/n0", alice.base);
    let deep = alice.note("deep", &first_reply, "<p>deeper</p>", true, &blog);
    let create = alice.activity("Create", "c-deep", deep);
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );

    let article = get(&app, &ap_id).await;
    let context_url = format!("{ap_id}/context");
    assert_eq!(article["context"], context_url.as_str());
    // `replies`: the direct answers, the first 20 embedded, the rest a page away.
    let replies = &article["replies"];
    assert_eq!(replies["totalItems"], 25);
    assert_eq!(
        replies["first"]["orderedItems"].as_array().map(Vec::len),
        Some(20)
    );
    assert_eq!(replies["first"]["orderedItems"][0], first_reply.as_str());
    assert_eq!(replies["first"]["next"], format!("{ap_id}/replies?page=2"));
    let second = get(&app, &format!("{ap_id}/replies?page=2")).await;
    assert_eq!(second["orderedItems"].as_array().map(Vec::len), Some(5));
    assert_eq!(second["prev"], format!("{ap_id}/replies?page=1"));
    assert_eq!(
        app.client
            .get(format!("{ap_id}/replies?page=3"))
            .header("accept", AP)
            .send()
            .await
            .expect("GET")
            .status()
            .as_u16(),
        404
    );

    // `context`: the review first, then every comment at any depth, 20 to a page.
    let context = get(&app, &context_url).await;
    assert_eq!(context["type"], "OrderedCollection");
    assert_eq!(context["totalItems"], 27);
    assert_eq!(context["first"]["orderedItems"][0], ap_id.as_str());
    assert_eq!(
        context["first"]["orderedItems"].as_array().map(Vec::len),
        Some(20)
    );
    let rest = get(&app, &format!("{context_url}?page=2")).await;
    let rest = rest["orderedItems"].as_array().expect("items").clone();
    assert_eq!(rest.len(), 7);
    assert!(rest.contains(&json!(format!("{}/objects/deep", alice.base))));

    // The critic's answer names the same conversation and embeds its own answers.
    let answered: uuid::Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE ap_id = $1")
        .bind(&first_reply)
        .fetch_one(&app.pool)
        .await
        .expect("the first reply");
    let path = format!("/reviews/{}/comments", review["id"].as_str().expect("id"));
    let answer: Value = app
        .api(reqwest::Method::POST, &path)
        .json(&json!({"body": "Thanks, all.", "in_reply_to": answered}))
        .fetch_json()
        .await;
    let note = get(&app, answer["ap_id"].as_str().expect("ap_id")).await;
    assert_eq!(note["context"], context_url.as_str());
    assert_eq!(note["replies"]["totalItems"], 0);
    assert_eq!(note["replies"]["first"]["orderedItems"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn a_thread_is_crawled_by_itself_after_publication_and_after_subthread_replies() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.inbox_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let bob = Peer::start().await;
    let me = app.url("/users/reviews");
    let review = app.create_review(sample_review("Crawled By Itself")).await;
    let review_id: uuid::Uuid = review["id"].as_str().expect("id").parse().expect("uuid");
    let due = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (chrono::DateTime<chrono::Utc>, i32)>(
                "SELECT due_at, runs FROM thread_crawls WHERE review_id = $1",
            )
            .bind(review_id)
            .fetch_one(&pool)
            .await
            .expect("a crawl is scheduled")
        }
    };
    // Publication schedules the first crawl, a quarter of an hour later.
    let (first_due, runs) = due(&app).await;
    assert_eq!(runs, 0);
    assert!(first_due > chrono::Utc::now() + chrono::Duration::minutes(10));

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
        &me,
    );
    let hidden_url = bob.serve_object("b", hidden);
    first["replies"] = json!({"id": format!("{}/replies", first["id"].as_str().expect("id")), "type": "Collection",
        "first": {"type": "CollectionPage", "items": [hidden_url]}});
    alice.serve_object("a", first.clone());
    let create = alice.activity("Create", "c", first.clone());
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );

    // The quarter of an hour passes.
    sqlx::query("UPDATE thread_crawls SET due_at = now()")
        .execute(&app.pool)
        .await
        .expect("due now");
    crate::helpers::eventually(
        "the crawl to find bob's reply",
        std::time::Duration::from_secs(20),
        || async {
            let found: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE ap_id = $1")
                .bind(&hidden_url)
                .fetch_one(&app.pool)
                .await
                .expect("count");
            if found == 1 {
                Ok(())
            } else {
                Err("not yet".to_string())
            }
        },
    )
    .await;
    // Then it is due again in an hour (the review is young).
    crate::helpers::eventually(
        "the next crawl to be scheduled",
        std::time::Duration::from_secs(20),
        || async {
            let (next, runs) = due(&app).await;
            if runs == 1 && next > chrono::Utc::now() + chrono::Duration::minutes(50) {
                Ok(())
            } else {
                Err(format!("runs {runs}, due {next}"))
            }
        },
    )
    .await;

    // A reply to a comment arriving brings the next crawl forward.
    let to_alice = alice.note(
        "c",
        first["id"].as_str().expect("id"),
        "<p>Answering myself</p>",
        true,
        &me,
    );
    let create = alice.activity("Create", "c2", to_alice);
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );
    let (next, _) = due(&app).await;
    assert!(
        next < chrono::Utc::now() + chrono::Duration::minutes(6),
        "due {next}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_crawl_follows_a_remote_context_collection() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.inbox_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let me = app.url("/users/reviews");
    let review = app.create_review(sample_review("Context Crawled")).await;
    // Alice's post names its thread's collection (as Mastodon 4.5 does); a reply on her server
    // that never reached us is listed only there, not in any `replies`.
    let mut first = alice.note(
        "a",
        review["ap_id"].as_str().expect("ap_id"),
        "<p>Alice</p>",
        true,
        &me,
    );
    let hidden = alice.note(
        "h",
        first["id"].as_str().expect("id"),
        "<p>Only in the context</p>",
        true,
        &me,
    );
    let hidden_url = alice.serve_object("h", hidden);
    let context_url = alice.serve_object(
        "ctx",
        json!({"id": format!("{}/objects/ctx", alice.base), "type": "OrderedCollection",
               "orderedItems": [first["id"].clone(), hidden_url]}),
    );
    first["context"] = json!(context_url);
    first.as_object_mut().expect("object").remove("replies");
    alice.serve_object("a", first.clone());
    let create = alice.activity("Create", "c", first);
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &create)
            .await
            .status()
            .as_u16(),
        202
    );

    let path = format!(
        "/reviews/{}/comments/refresh",
        review["id"].as_str().expect("id")
    );
    let refreshed: Value = app.api(reqwest::Method::POST, &path).fetch_json().await;
    assert_eq!(refreshed["found"], 1, "{refreshed}");
    let found: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE ap_id = $1")
        .bind(&hidden_url)
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(found, 1);
    app.stop().await;
}
