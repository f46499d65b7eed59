//! Replies becoming comments: on the page and in `replies`, nesting and unseen parents,
//! edits and deletions by their author, public and private replies, other servers' shapes.

use reqwest::Method;
use scraper::Selector;
use serde_json::{json, Value};

use super::{article, comment_count, deliver, open_app, page, texts, AP};
use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

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

async fn held_private(app: &TestApp) -> String {
    let held: Value = app
        .api(Method::GET, "/comments?status=private")
        .fetch_json()
        .await;
    held["items"][0]["id"].as_str().expect("id").to_string()
}
