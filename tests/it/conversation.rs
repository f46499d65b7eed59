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
