//! How readers take part from their own servers: likes and boosts, the reply box.

use scraper::Selector;
use serde_json::{json, Value};

use super::{article, deliver, open_app, page, texts, AP};
use crate::helpers::{sample_review, FetchJson};
use crate::peer::Peer;

#[tokio::test]
async fn likes_and_boosts_count_and_can_be_undone() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let bob = Peer::start().await;
    let review = app.create_review(sample_review("Liked")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let like = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": alice.id("like"), "type": "Like", "actor": alice.actor_id, "object": ap_id});
    assert_eq!(deliver(&alice, &app, &like).await, 202);
    let like_b = json!({"id": bob.id("like"), "type": "Like", "actor": bob.actor_id, "object": ap_id, "_misskey_reaction": "⭐"});
    assert_eq!(deliver(&bob, &app, &like_b).await, 202);
    let boost = alice.activity("Announce", "boost", json!(ap_id));
    assert_eq!(deliver(&alice, &app, &boost).await, 202);

    let a = article(&app, &review).await;
    assert_eq!(
        (
            a["likes"]["totalItems"].as_i64(),
            a["shares"]["totalItems"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let doc = page(&app, &review).await;
    assert_eq!(texts(&doc, ".reactions .likes"), vec!["♥ 2 likes"]);
    assert_eq!(texts(&doc, ".reactions .shares"), vec!["↻ 1 boost"]);

    // Undo with the activity embedded, and with a bare id.
    let undo_like = json!({"id": alice.id("undo-like"), "type": "Undo", "actor": alice.actor_id, "object": like});
    assert_eq!(deliver(&alice, &app, &undo_like).await, 202);
    let undo_boost = json!({"id": alice.id("undo-boost"), "type": "Undo", "actor": alice.actor_id, "object": alice.id("boost")});
    assert_eq!(deliver(&alice, &app, &undo_boost).await, 202);
    let a = article(&app, &review).await;
    assert_eq!(
        (
            a["likes"]["totalItems"].as_i64(),
            a["shares"]["totalItems"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let likes: Value = app
        .client
        .get(a["likes"]["id"].as_str().expect("id"))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(likes["totalItems"], 1);
    app.stop().await;
}

#[tokio::test]
async fn the_reply_box_sends_readers_to_their_server() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Interact")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let doc = page(&app, &review).await;
    assert_eq!(
        doc.select(&Selector::parse("form.interact").expect("s"))
            .count(),
        2,
        "reply and follow boxes"
    );

    let handle = format!("@alice@{}", alice.base.trim_start_matches("http://"));
    let url = format!(
        "/interact?handle={}&uri={}",
        urlencode(&handle),
        urlencode(ap_id)
    );
    let response = app.get(&url).await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(
        location,
        format!(
            "{}/authorize_interaction?uri={}",
            alice.base,
            urlencode(ap_id)
        )
    );

    let (status, body) = app
        .get_text(&format!("/interact?handle=nobody&uri={}", urlencode(ap_id)))
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("@you@your.server"));
    let (status, _) = app
        .get_text(&format!(
            "/interact?handle={}&uri={}",
            urlencode(&handle),
            urlencode("https://evil.example/x")
        ))
        .await;
    assert_eq!(status, 400);
    let (status, body) = app
        .get_text(&format!(
            "/interact?handle={}&uri={}",
            urlencode("@bob@localhost:1"),
            urlencode(ap_id)
        ))
        .await;
    assert_eq!(status, 502);
    assert!(body.contains("could not be reached"));
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
