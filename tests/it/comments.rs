//! The comment thread: replies from the fediverse in the shapes real servers send, threading,
//! edits, deletions, reactions, moderation, blocks, reports, the critic's answers, imports.

use reqwest::Method;
use scraper::{Html, Selector};
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

const AP: &str = "application/activity+json";

async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await
}

async fn page(app: &TestApp, review: &Value) -> Html {
    let (status, html) = app
        .get_text(&format!(
            "/reviews/{}",
            review["slug"].as_str().expect("slug")
        ))
        .await;
    assert_eq!(status, 200);
    Html::parse_document(&html)
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).expect("selector"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

async fn article(app: &TestApp, review: &Value) -> Value {
    app.client
        .get(review["ap_id"].as_str().expect("ap_id"))
        .header("accept", AP)
        .fetch_json()
        .await
}

async fn deliver(peer: &Peer, app: &TestApp, activity: &Value) -> u16 {
    peer.post(&app.url("/inbox"), activity)
        .await
        .status()
        .as_u16()
}

async fn comment_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_reply_becomes_a_comment_on_the_page_and_in_replies() {
    let app = open_app().await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let html = "<p><span class=\"h-card\"><a href=\"http://x/@reviews\" class=\"u-url mention\">@<span>reviews</span></a></span> Great <em>review</em>! <script>alert(1)</script><img src=x onerror=alert(2)></p>";
    let note = peer.note("n1", ap_id, html, true, &app.url("/users/reviews"));
    assert_eq!(
        deliver(&peer, &app, &peer.activity("Create", "c1", note.clone())).await,
        202
    );

    let doc = page(&app, &review).await;
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec!["One Response to “Heat (1995)”"]
    );
    assert_eq!(
        texts(&doc, ".comment-author"),
        vec!["Alice <script>"],
        "the name is shown as text"
    );
    let handle = format!("@alice@{}", peer.base.trim_start_matches("http://"));
    assert_eq!(texts(&doc, ".comment-meta .handle"), vec![handle]);
    let body = doc
        .select(&Selector::parse(".comment-body").expect("s"))
        .next()
        .expect("body")
        .inner_html();
    assert!(body.contains("Great <em>review</em>!"), "{body}");
    assert!(
        !body.contains("script") && !body.contains("<img") && !body.contains("onerror"),
        "{body}"
    );
    let avatar = doc
        .select(&Selector::parse(".comment img.avatar").expect("s"))
        .next()
        .expect("avatar");
    assert_eq!(
        avatar.value().attr("src"),
        Some(format!("{}/alice.png", peer.base).as_str())
    );
    assert_eq!(avatar.value().attr("width"), Some("48"));
    let time_link = doc
        .select(&Selector::parse(".comment-time").expect("s"))
        .next()
        .expect("time");
    assert_eq!(
        time_link.value().attr("href"),
        Some(format!("{}/@alice/n1", peer.base).as_str()),
        "links to the original"
    );
    let profile = doc
        .select(&Selector::parse("a.comment-author").expect("s"))
        .next()
        .expect("author");
    assert_eq!(
        profile.value().attr("href"),
        Some(format!("{}/@alice", peer.base).as_str())
    );
    assert_eq!(profile.value().attr("rel"), Some("nofollow noopener ugc"));

    let a = article(&app, &review).await;
    assert_eq!(a["replies"]["totalItems"], 1);
    let replies: Value = app
        .client
        .get(format!(
            "{}?page=1",
            a["replies"]["id"].as_str().expect("id")
        ))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(replies["orderedItems"], json!([note["id"]]));

    // The same delivery again, or the same note in another Create: no duplicate.
    assert_eq!(
        deliver(&peer, &app, &peer.activity("Create", "c1", note.clone())).await,
        202
    );
    assert_eq!(
        deliver(&peer, &app, &peer.activity("Create", "c1-again", note)).await,
        202
    );
    assert_eq!(comment_count(&app).await, 1);

    // The per-review comment feed.
    let feed = app
        .get(&format!(
            "/reviews/{}/comments.xml",
            review["slug"].as_str().expect("slug")
        ))
        .await;
    let feed =
        feed_rs::parser::parse(&feed.bytes().await.expect("bytes")[..]).expect("feed parses");
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.entries[0].id, format!("{}/objects/n1", peer.base));
    app.stop().await;
}

#[tokio::test]
async fn replies_nest_and_unseen_parents_are_fetched() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let bob = Peer::start().await;
    let review = app.create_review(sample_review("Threads")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let first = alice.note("first", ap_id, "<p>First!</p>", true, &me);
    assert_eq!(
        deliver(
            &alice,
            &app,
            &alice.activity("Create", "c-first", first.clone())
        )
        .await,
        202
    );
    let answer = bob.note(
        "answer",
        first["id"].as_str().expect("id"),
        "<p>Answering alice</p>",
        true,
        &me,
    );
    assert_eq!(
        deliver(
            &bob,
            &app,
            &bob.activity("Create", "c-answer", answer.clone())
        )
        .await,
        202
    );

    // A reply to a note we never got: alice's middle note is fetched from her server.
    let middle = alice.note(
        "middle",
        answer["id"].as_str().expect("id"),
        "<p>The middle one</p>",
        true,
        &me,
    );
    let middle_url = alice.serve_object("middle", middle);
    let late = bob.note("late", &middle_url, "<p>Late to the party</p>", true, &me);
    assert_eq!(
        deliver(&bob, &app, &bob.activity("Create", "c-late", late)).await,
        202
    );

    let doc = page(&app, &review).await;
    let nested = texts(
        &doc,
        "#comments > ol > li > ol > li > ol > li > ol > li .comment-body",
    );
    assert_eq!(nested, vec!["Late to the party"], "four levels deep");
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec!["4 Responses to “Threads”"]
    );

    // A reply to something that is nobody's here is ignored.
    let stray = alice.note(
        "stray",
        "http://elsewhere.invalid/notes/1",
        "<p>?</p>",
        true,
        &me,
    );
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Create", "c-stray", stray)).await,
        202
    );
    assert_eq!(comment_count(&app).await, 4);
    app.stop().await;
}

#[tokio::test]
async fn edits_and_deletions_by_the_author_only() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let mallory = Peer::start().await;
    let review = app.create_review(sample_review("Edits")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let note = alice.note("n", ap_id, "<p>Original</p>", true, &me);
    deliver(&alice, &app, &alice.activity("Create", "c", note.clone())).await;
    let reply = alice.note(
        "r",
        note["id"].as_str().expect("id"),
        "<p>A reply to myself</p>",
        true,
        &me,
    );
    deliver(&alice, &app, &alice.activity("Create", "c2", reply)).await;

    let mut edited = note.clone();
    edited["content"] = json!("<p>Edited text</p>");
    edited["updated"] = json!("2026-11-20T11:00:00Z");
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Update", "u", edited.clone())).await,
        202
    );
    let doc = page(&app, &review).await;
    assert!(texts(&doc, ".comment-body").contains(&"Edited text".to_string()));
    assert_eq!(texts(&doc, ".edited"), vec!["edited"]);

    // Someone else cannot edit or delete it, even claiming it as theirs.
    let mut forged = edited.clone();
    forged["content"] = json!("<p>Forged</p>");
    forged["attributedTo"] = json!(mallory.actor_id);
    assert!(deliver(&mallory, &app, &mallory.activity("Update", "u2", forged)).await >= 400);
    let delete_other = mallory.activity("Delete", "d-other", json!(note["id"]));
    assert!(deliver(&mallory, &app, &delete_other).await >= 400);
    assert!(texts(&page(&app, &review).await, ".comment-body").contains(&"Edited text".to_string()));

    // Deleted with a Tombstone: its place stays, marked, because it has a reply.
    let tombstone = json!({"id": note["id"], "type": "Tombstone", "atomUri": note["id"]});
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Delete", "d", tombstone)).await,
        202
    );
    let doc = page(&app, &review).await;
    assert_eq!(
        texts(&doc, ".comment-deleted"),
        vec!["This comment was deleted."]
    );
    assert!(!texts(&doc, ".comment-body")
        .iter()
        .any(|t| t.contains("Edited")));
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec!["One Response to “Edits”"]
    );

    // The actor deleted by its server: all of theirs go.
    let actor_gone = alice.activity("Delete", "d-actor", json!(alice.actor_id));
    assert_eq!(deliver(&alice, &app, &actor_gone).await, 202);
    let doc = page(&app, &review).await;
    assert!(texts(&doc, ".comment").is_empty(), "nothing left");
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec!["No Responses to “Edits”"]
    );
    app.stop().await;
}

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
async fn only_public_replies_become_public_comments() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Private")).await;
    let me = app.url("/users/reviews");
    let private = alice.note(
        "dm",
        review["ap_id"].as_str().expect("ap_id"),
        "<p>Just for you</p>",
        false,
        &me,
    );
    assert_eq!(
        deliver(&alice, &app, &alice.activity("Create", "c", private)).await,
        202
    );
    let doc = page(&app, &review).await;
    assert!(texts(&doc, ".comment").is_empty());
    assert_eq!(article(&app, &review).await["replies"]["totalItems"], 0);
    let held: Value = app
        .api(Method::GET, "/comments?status=private")
        .fetch_json()
        .await;
    assert_eq!(held["total"], 1);
    assert!(held["items"][0]["content_html"]
        .as_str()
        .expect("html")
        .contains("Just for you"));
    let private_id = held_private(&app).await;
    let answer = app
        .api(
            Method::POST,
            &format!("/reviews/{}/comments", review["id"].as_str().expect("id")),
        )
        .json(&json!({"in_reply_to": private_id, "body": "A public answer would expose it"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        answer.status().as_u16(),
        422,
        "a private comment cannot be answered publicly"
    );
    app.stop().await;
}

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

#[tokio::test]
async fn shapes_from_misskey_pleroma_gotosocial_and_friendica() {
    let app = open_app().await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Shapes")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let actor = peer.actor_id.clone();
    let base = peer.base.clone();
    let public = "https://www.w3.org/ns/activitystreams#Public";
    // Misskey: `_misskey_content`, Public as the short form, a quote field, tag as an object.
    let misskey = json!({"id": format!("{base}/notes/mk"), "type": "Note", "attributedTo": actor, "inReplyTo": ap_id,
        "content": "<p>From Misskey</p>", "_misskey_content": "From Misskey", "_misskey_quote": null, "quoteUrl": null,
        "published": "2026-11-20T10:00:00.000Z", "to": ["as:Public"], "cc": [format!("{actor}/followers")],
        "tag": {"type": "Mention", "href": app.url("/users/reviews"), "name": "@reviews"}, "sensitive": false});
    // Pleroma/Akkoma: `context`, `conversation`, inReplyTo as an embedded object, a CW.
    let pleroma = json!({"id": format!("{base}/objects/pl"), "type": "Note", "actor": actor, "attributedTo": actor,
        "inReplyTo": {"id": ap_id, "type": "Article"}, "content": "From Pleroma", "summary": "film talk",
        "context": format!("{base}/contexts/1"), "conversation": format!("{base}/contexts/1"),
        "published": "2026-11-20T10:01:00Z", "to": [public], "cc": []});
    // GoToSocial: `Public` as a string, url as a list of Links.
    let gts = json!({"id": format!("{base}/users/alice/statuses/01GTS"), "type": "Note", "attributedTo": actor, "inReplyTo": ap_id,
        "content": "<p>From GoToSocial</p>", "published": "2026-11-20T10:02:00Z", "to": public, "cc": format!("{actor}/followers"),
        "url": [{"type": "Link", "mediaType": "text/html", "href": format!("{base}/@alice/statuses/01GTS")}]});
    // Friendica: contentMap only, no `content`.
    let friendica = json!({"id": format!("{base}/objects/fr"), "type": "Note", "attributedTo": actor, "inReplyTo": ap_id,
        "contentMap": {"de": "<p>Aus Friendica</p>"}, "published": "2026-11-20T10:03:00Z", "to": [public]});
    for (n, note) in [misskey, pleroma, gts, friendica].into_iter().enumerate() {
        let status = deliver(
            &peer,
            &app,
            &peer.activity("Create", &format!("shape-{n}"), note),
        )
        .await;
        assert_eq!(status, 202, "shape {n}");
    }
    let doc = page(&app, &review).await;
    let bodies = texts(&doc, ".comment-body");
    assert_eq!(
        bodies,
        vec![
            "From Misskey",
            "From Pleroma",
            "From GoToSocial",
            "Aus Friendica"
        ]
    );
    assert_eq!(
        texts(&doc, ".comment-cw summary"),
        vec!["film talk"],
        "a content warning folds the text"
    );
    let links: Vec<String> = doc
        .select(&Selector::parse(".comment-time").expect("s"))
        .filter_map(|e| e.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        links.contains(&format!("{base}/@alice/statuses/01GTS")),
        "{links:?}"
    );
    app.stop().await;
}

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
    let a = article(&app, &review).await;
    assert_eq!(a["replies"]["totalItems"], 3);
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

async fn held_private(app: &TestApp) -> String {
    let held: Value = app
        .api(Method::GET, "/comments?status=private")
        .fetch_json()
        .await;
    held["items"][0]["id"].as_str().expect("id").to_string()
}
