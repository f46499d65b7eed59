//! A blog as a critic has it after some weeks: reviews with ratings (a half star among them),
//! categories, tags and a spoiler warning, a draft, a comment thread (a published reply and its
//! author's follow-up, a held reply, a rejected one), a follow request and a report.

use serde_json::{json, Value};

use crate::desk::set_password;
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

pub struct Blog {
    pub app: TestApp,
    /// The published review with the comment thread.
    pub review: Value,
    pub draft: Value,
    /// The readers (kept running: their actors are fetched again).
    _peers: Vec<Peer>,
}

/// Approves or rejects the peer's comment `name` through the admin API.
async fn moderate(app: &TestApp, peer: &Peer, name: &str, verdict: &str) {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/{name}", peer.base))
        .fetch_one(&app.pool)
        .await
        .expect("the comment");
    let response = app
        .api(reqwest::Method::POST, &format!("/comments/{id}/{verdict}"))
        .send()
        .await
        .expect("POST");
    assert!(response.status().is_success(), "{verdict} {name}");
}

/// A reader on a server of their own, named.
async fn reader(name: &str, user: &str) -> Peer {
    let peer = Peer::start().await;
    peer.edit_actor(|actor| {
        actor["name"] = json!(name);
        actor["preferredUsername"] = json!(user);
    });
    peer
}

pub async fn seed() -> Blog {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "first_time"))
            .merge(("federation.manually_approves_followers", true))
            .merge(("site.description", "Films, seen and weighed."))
    })
    .await;
    set_password(&app).await;
    // A poster on one review only (elsewhere in the screenshots, its image would not load).
    let mut never = sample_review("Never Let Me Go (2010)");
    never["film"]["poster_url"] = Value::Null;
    never["film"]["poster_alt"] = Value::Null;
    never["body"] = json!(
        "Romanek films Ishiguro's boarding school in the colours of a \
        faded photograph, and lets Carey Mulligan carry the whole of it.\n\n<!-- spoilers -->\n\n\
        The donations are never argued with; that is *the point*."
    );
    let review = app.create_review(never).await;
    let mut heat = sample_review("Heat (1995)");
    heat["film"] = json!({"title": "Heat", "year": 1995, "directors": ["Michael Mann"],
        "cast": ["Al Pacino", "Robert De Niro"], "runtime_minutes": 170,
        "poster_url": "https://images.example/heat.jpg", "poster_alt": "Two men at a diner table"});
    heat["rating"] = json!({"value": 3.5, "best": 5});
    heat["categories"] = json!(["Crime"]);
    heat["tags"] = json!(["heist", "Los Angeles"]);
    heat["spoiler_warning"] = Value::Null;
    heat["body"] = json!("De Niro and Pacino, *finally* in one scene.\n\nThe diner.");
    app.create_review(heat).await;
    let mut draft = sample_review("Thief (1981)");
    draft["film"] = json!({"title": "Thief", "year": 1981, "directors": ["Michael Mann"],
        "writers": ["Michael Mann"], "cast": ["James Caan", "Tuesday Weld"], "runtime_minutes": 123,
        "credits": [{"role": "Music", "name": "Tangerine Dream"}], "imdb_id": "tt0083190"});
    draft["categories"] = json!(["Crime"]);
    draft["tags"] = json!(["heist", "Chicago"]);
    draft["spoiler_warning"] = Value::Null;
    draft["body"] =
        json!("Caan's safecracker wants one thing: *out*.\n\nThe score is Tangerine Dream's.");
    draft["status"] = json!("draft");
    draft["rating"] = json!({"value": 4.5, "best": 5});
    let draft = app.create_review(draft).await;

    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();
    let alice = reader("Alice Liddell", "alice").await;
    let bob = reader("Bob Harris", "bob").await;
    let carol = reader("Carol White", "carol").await;
    // Alice's first reply is held, then approved; her answer to herself appears at once.
    alice
        .reply(
            &app,
            "reply-1",
            &ap_id,
            "<p>Is the ending as quiet as the book's?</p>",
        )
        .await;
    moderate(&app, &alice, "reply-1", "approve").await;
    let first = format!("{}/objects/reply-1", alice.base);
    alice
        .reply(
            &app,
            "reply-2",
            &first,
            "<p>Answering myself: <em>quieter</em>.</p>",
        )
        .await;
    // Bob's waits in the queue; Carol's is rejected.
    bob.reply(
        &app,
        "reply-1",
        &ap_id,
        "<p>Mulligan carries the whole film.</p>",
    )
    .await;
    carol
        .reply(&app, "spam-1", &ap_id, "<p>Buy cheap watches</p>")
        .await;
    moderate(&app, &carol, "spam-1", "reject").await;

    // Bob asks to follow; Carol reports the blog.
    let blog = app.url("/users/reviews");
    let follow = bob.follow(&blog, "follow-1");
    assert_eq!(
        bob.post(&format!("{blog}/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let flag = json!({"id": carol.id("flag"), "type": "Flag", "actor": carol.actor_id,
        "content": "Spoilers without warning", "object": [blog]});
    assert_eq!(
        carol
            .post(&app.url("/inbox"), &flag)
            .await
            .status()
            .as_u16(),
        202
    );
    Blog {
        app,
        review,
        draft,
        _peers: vec![alice, bob, carol],
    }
}
