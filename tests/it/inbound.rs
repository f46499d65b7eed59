//! The inbox's handlers, one activity at a time, called directly as the library calls them
//! (`verify`, then `receive`) once it has verified a signature: what each stores, and what
//! each refuses, with the status a peer would get. Alice's actor and posts are served by a
//! real peer on loopback; the database is the test's own.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use reqwest::StatusCode;
use reviewpub::federation::protocol::InboxActivity;
use reviewpub::federation::{Context, FederationError};
use serde_json::{json, Value};

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

/// Parses and handles `doc` as the library would after verifying its signature.
async fn handle(data: &Data<Context>, doc: Value) -> Result<(), FederationError> {
    let activity = InboxActivity::from_value(doc)?;
    activity.verify(data).await?;
    activity.receive(data).await
}

/// What a peer would be answered.
fn status(result: Result<(), FederationError>) -> StatusCode {
    match result {
        Ok(()) => StatusCode::ACCEPTED,
        Err(e) => StatusCode::from_u16(e.status().as_u16()).expect("status"),
    }
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

struct World {
    app: TestApp,
    data: Data<Context>,
    alice: Peer,
    review: Value,
    blog: String,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
        let data = app.federation_data().await;
        let alice = Peer::start().await;
        let review = app.create_review(sample_review("Handled")).await;
        let blog = app.url("/users/reviews");
        Self {
            app,
            data,
            alice,
            review,
            blog,
        }
    }

    fn review_id(&self) -> &str {
        self.review["ap_id"].as_str().expect("ap_id")
    }

    fn reply(&self, name: &str, html: &str) -> Value {
        let note = self
            .alice
            .note(name, self.review_id(), html, true, &self.blog);
        self.alice
            .activity("Create", &format!("create-{name}"), note)
    }

    async fn send(&self, doc: Value) -> StatusCode {
        status(handle(&self.data, doc).await)
    }
}

#[tokio::test]
async fn follow_records_the_follower_and_queues_the_accept_once() {
    let w = World::new().await;
    let follow = w.alice.follow(&w.blog, "follow-1");
    assert_eq!(w.send(follow.clone()).await, StatusCode::ACCEPTED);
    assert_eq!(
        w.send(follow).await,
        StatusCode::ACCEPTED,
        "a repeat is fine"
    );
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) FROM followers WHERE status = 'accepted'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) FROM outgoing_activities WHERE kind = 'Accept'"
        )
        .await,
        1,
        "one Accept for one follow, however often it arrives"
    );
    // Someone else is not ours to be followed.
    let other = w.alice.follow("http://localhost:1/users/bob", "follow-2");
    assert_eq!(w.send(other).await, StatusCode::UNPROCESSABLE_ENTITY);
    w.app.stop().await;
}

#[tokio::test]
async fn undo_removes_the_follow_or_the_like_it_names_and_only_the_actors_own() {
    let w = World::new().await;
    w.send(w.alice.follow(&w.blog, "follow-1")).await;
    let like = w.alice.activity("Like", "like-1", json!(w.review_id()));
    assert_eq!(w.send(like.clone()).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, "SELECT count(*) FROM reactions").await, 1);

    // An undo of someone else's like is refused before anything changes.
    let mut foreign = like.clone();
    foreign["actor"] = json!(format!("{}/users/mallory", w.alice.base));
    let undo = w.alice.activity("Undo", "undo-0", foreign);
    assert_eq!(w.send(undo).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&w.app, "SELECT count(*) FROM reactions").await, 1);

    let undo_like = w.alice.activity("Undo", "undo-1", like);
    assert_eq!(w.send(undo_like).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, "SELECT count(*) FROM reactions").await, 0);

    // The follow, by its id alone.
    let undo_follow = w
        .alice
        .activity("Undo", "undo-2", json!(w.alice.id("follow-1")));
    assert_eq!(w.send(undo_follow).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, "SELECT count(*) FROM followers").await, 0);
    w.app.stop().await;
}

#[tokio::test]
async fn create_stores_a_reply_to_a_review_and_nothing_else() {
    let w = World::new().await;
    assert_eq!(
        w.send(w.reply("r1", "<p>Good call</p>")).await,
        StatusCode::ACCEPTED
    );
    let (html, status): (String, String) =
        sqlx::query_as("SELECT content_html, status FROM comments")
            .fetch_one(&w.app.pool)
            .await
            .expect("the reply");
    assert_eq!(
        (html.as_str(), status.as_str()),
        ("<p>Good call</p>", "published")
    );

    // A post written by someone else than the sender: 422, nothing stored.
    let mut forged = w.reply("r2", "<p>not mine</p>");
    forged["object"]["attributedTo"] = json!(format!("{}/users/bob", w.alice.base));
    assert_eq!(w.send(forged).await, StatusCode::UNPROCESSABLE_ENTITY);
    // A post given by id only: 422.
    let by_id = w
        .alice
        .activity("Create", "create-r3", json!(w.alice.id("r3")));
    assert_eq!(w.send(by_id).await, StatusCode::UNPROCESSABLE_ENTITY);
    // An id that is not http(s): 400, the document is malformed.
    let mut bad = w.reply("r4", "<p>x</p>");
    bad["object"]["id"] = json!("javascript:alert(1)");
    assert_eq!(w.send(bad).await, StatusCode::BAD_REQUEST);
    // A reply to a post elsewhere (unreachable here): accepted, ignored.
    let elsewhere = w.alice.note(
        "r5",
        "http://localhost:1/objects/nope",
        "<p>x</p>",
        true,
        &w.blog,
    );
    let create = w.alice.activity("Create", "create-r5", elsewhere);
    assert_eq!(w.send(create).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, "SELECT count(*) FROM comments").await, 1);
    w.app.stop().await;
}

#[tokio::test]
async fn update_edits_a_reply_for_its_author_and_refetches_a_profile() {
    let w = World::new().await;
    w.send(w.reply("r1", "<p>first</p>")).await;
    let mut edited = w
        .alice
        .note("r1", w.review_id(), "<p>second</p>", true, &w.blog);
    edited["updated"] = json!("2026-11-21T10:00:00Z");
    let update = w.alice.activity("Update", "update-1", edited);
    assert_eq!(w.send(update).await, StatusCode::ACCEPTED);
    let html: String = sqlx::query_scalar("SELECT content_html FROM comments")
        .fetch_one(&w.app.pool)
        .await
        .expect("reply");
    assert_eq!(html, "<p>second</p>");

    // Another account on the same server may not edit alice's reply.
    let mut bobs = w
        .alice
        .note("r1", w.review_id(), "<p>hijacked</p>", true, &w.blog);
    let bob = format!("{}/users/bob", w.alice.base);
    bobs["attributedTo"] = json!(bob);
    let mut update = w.alice.activity("Update", "update-2", bobs);
    update["actor"] = json!(bob);
    assert_eq!(w.send(update).await, StatusCode::UNPROCESSABLE_ENTITY);

    // A profile update: the actor is fetched again, nothing in the activity is trusted.
    w.alice
        .edit_actor(|actor| actor["name"] = json!("Alice Renamed"));
    let profile = w.alice.activity(
        "Update",
        "update-3",
        json!({"id": w.alice.actor_id, "type": "Person", "name": "Not This"}),
    );
    assert_eq!(w.send(profile).await, StatusCode::ACCEPTED);
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM remote_actors WHERE id = $1")
        .bind(&w.alice.actor_id)
        .fetch_one(&w.app.pool)
        .await
        .expect("actor");
    assert_eq!(name.as_deref(), Some("Alice Renamed"));
    w.app.stop().await;
}

#[tokio::test]
async fn delete_removes_a_reply_or_all_of_a_deleted_actors() {
    let w = World::new().await;
    w.send(w.reply("r1", "<p>one</p>")).await;
    w.send(w.reply("r2", "<p>two</p>")).await;
    let live = "SELECT count(*) FROM comments WHERE deleted_at IS NULL";
    assert_eq!(count(&w.app, live).await, 2);

    // Deleting something on another server: refused.
    let foreign = w
        .alice
        .activity("Delete", "delete-0", json!("http://localhost:1/objects/r1"));
    assert_eq!(w.send(foreign).await, StatusCode::UNPROCESSABLE_ENTITY);

    let tombstone = json!({"id": format!("{}/objects/r1", w.alice.base), "type": "Tombstone"});
    let delete = w.alice.activity("Delete", "delete-1", tombstone);
    assert_eq!(w.send(delete).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, live).await, 1);

    let gone = w
        .alice
        .activity("Delete", "delete-2", json!(w.alice.actor_id));
    assert_eq!(w.send(gone).await, StatusCode::ACCEPTED);
    assert_eq!(count(&w.app, live).await, 0);
    w.app.stop().await;
}

#[tokio::test]
async fn likes_and_boosts_of_a_review_count_and_other_reactions_do_not() {
    let w = World::new().await;
    let like = w.alice.activity("Like", "like-1", json!(w.review_id()));
    let boost = w
        .alice
        .activity("Announce", "boost-1", json!(w.review_id()));
    let elsewhere = w
        .alice
        .activity("Like", "like-2", json!("http://localhost:1/objects/x"));
    let mut emoji = w
        .alice
        .activity("EmojiReact", "react-1", json!(w.review_id()));
    emoji["content"] = json!("🍿");
    for doc in [like, boost, elsewhere, emoji] {
        assert_eq!(w.send(doc).await, StatusCode::ACCEPTED);
    }
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM reactions ORDER BY kind")
        .fetch_all(&w.app.pool)
        .await
        .expect("reactions");
    assert_eq!(kinds, ["announce", "like"]);
    w.app.stop().await;
}

#[tokio::test]
async fn a_report_is_kept_with_its_readable_parts() {
    let w = World::new().await;
    let mut flag = w.alice.activity(
        "Flag",
        "flag-1",
        json!([w.review_id(), "not a url", {"id": w.alice.actor_id}]),
    );
    flag["content"] = json!("spam\u{0}!");
    assert_eq!(w.send(flag).await, StatusCode::ACCEPTED);
    let (content, objects): (Option<String>, Vec<String>) =
        sqlx::query_as("SELECT content, objects FROM reports")
            .fetch_one(&w.app.pool)
            .await
            .expect("report");
    assert_eq!(content.as_deref(), Some("spam!"));
    assert_eq!(objects, [w.review_id(), w.alice.actor_id.as_str()]);
    w.app.stop().await;
}

#[tokio::test]
async fn answers_moves_and_unknown_types_are_acknowledged_and_change_nothing() {
    let w = World::new().await;
    let accept = w
        .alice
        .activity("Accept", "accept-1", json!(w.alice.id("whatever")));
    let mut moved = w.alice.activity("Move", "move-1", json!(w.alice.actor_id));
    moved["target"] = json!(format!("{}/users/alice2", w.alice.base));
    let unknown = w.alice.activity("Listen", "listen-1", json!(w.review_id()));
    for doc in [accept, moved, unknown] {
        assert_eq!(w.send(doc).await, StatusCode::ACCEPTED);
    }
    // A Move of another account is refused.
    let mut hijack = w
        .alice
        .activity("Move", "move-2", json!("http://localhost:1/users/x"));
    hijack["target"] = json!(w.alice.actor_id);
    assert_eq!(w.send(hijack).await, StatusCode::UNPROCESSABLE_ENTITY);
    for sql in [
        "SELECT count(*) FROM followers",
        "SELECT count(*) FROM comments",
        "SELECT count(*) FROM reactions",
        "SELECT count(*) FROM reports",
    ] {
        assert_eq!(count(&w.app, sql).await, 0, "{sql}");
    }
    w.app.stop().await;
}
