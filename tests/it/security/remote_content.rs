//! What remote servers send is cleaned: strings cleaned and capped, URLs http(s) only, domain
//! blocks whatever the spelling.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{free_port, sample_review, FetchJson, TestApp};
use crate::peer::Peer;

async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await
}

/// The one stored comment.
async fn only_comment(
    app: &TestApp,
) -> (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
) {
    sqlx::query_as(
        "SELECT author_name, author_handle, author_url, content_html, summary FROM comments",
    )
    .fetch_one(&app.pool)
    .await
    .expect("one comment")
}

/// NUL bytes and control characters in remote names, summaries, contents and reports gave
/// 500s that echoed PostgreSQL's error to the sender, and made the comment feed invalid XML; a
/// 200,000-character name and a huge comment were stored whole. Now every remote string is
/// cleaned on arrival and capped.
#[tokio::test]
async fn remote_strings_are_cleaned_and_capped() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Strings")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let long_name = format!("Alice\u{0}\u{1}\u{b}\u{fffe}{}", "x".repeat(200_000));
    alice.edit_actor(|actor| {
        actor["name"] = json!(long_name);
        actor["preferredUsername"] = json!("ali\u{0}ce\u{7}");
    });
    let huge = format!("<p>{}\u{0}\u{8}</p>", "word ".repeat(80_000));
    let mut note = alice.note("strings", ap_id, &huge, true, &me);
    note["summary"] = json!("spoilers\u{0}\u{1b}[31m ahead");
    let response = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-strings", note),
        )
        .await;
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    assert_eq!(status, 202, "{body}");
    let (name, handle, _, html, summary) = only_comment(&app).await;
    let all = format!("{name}{handle:?}{html}{summary:?}");
    assert!(
        !all.chars()
            .any(|c| c == '\0' || c == '\u{fffe}' || (c.is_control() && c != '\n')),
        "control characters stored"
    );
    assert!(
        name.starts_with("Alice") && name.chars().count() <= 100,
        "{} chars",
        name.chars().count()
    );
    assert_eq!(
        handle.as_deref(),
        Some(format!("@alice@{}", alice.base.trim_start_matches("http://")).as_str())
    );
    assert!(
        html.len() <= 60_000,
        "{} bytes of comment stored",
        html.len()
    );
    assert_eq!(summary.as_deref(), Some("spoilers[31m ahead"));

    // The comment feed is valid XML, and the page answers.
    let slug = review["slug"].as_str().expect("slug");
    let feed = app.get(&format!("/reviews/{slug}/comments.xml")).await;
    assert_eq!(feed.status().as_u16(), 200);
    let feed = feed_rs::parser::parse(&feed.bytes().await.expect("bytes")[..])
        .expect("the comment feed parses");
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        app.get(&format!("/reviews/{slug}")).await.status().as_u16(),
        200
    );

    // A report with a NUL: stored cleaned, 202.
    let flag = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": alice.id("flag"),
        "type": "Flag",
        "actor": alice.actor_id,
        "object": [ap_id, "not a url"],
        "content": "bad\u{0}review\u{1}",
    });
    let response = alice.post(&app.url("/inbox"), &flag).await;
    assert_eq!(response.status().as_u16(), 202);
    let (content, objects): (Option<String>, Vec<String>) =
        sqlx::query_as("SELECT content, objects FROM reports")
            .fetch_one(&app.pool)
            .await
            .expect("report");
    assert_eq!(content.as_deref(), Some("badreview"));
    assert_eq!(objects, vec![ap_id.to_string()]);
    app.stop().await;
}

/// A remote actor's `url` of `javascript:…` reached the comment feed's `<author><uri>` and the
/// critic's own answer Note. Only http(s) URLs are taken from remote documents.
#[tokio::test]
async fn remote_urls_are_http_only() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Schemes")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let id = review["id"].as_str().expect("id");
    let me = app.url("/users/reviews");
    alice.edit_actor(|actor| {
        actor["url"] = json!("javascript:alert(document.cookie)");
        actor["icon"] = json!({"type": "Image", "url": "javascript:alert(2)"});
    });
    let mut note = alice.note("schemes", ap_id, "<p>Hello</p>", true, &me);
    note["url"] = json!("javascript:alert(3)");
    let response = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-schemes", note),
        )
        .await;
    assert_eq!(response.status().as_u16(), 202);
    let (_, _, author_url, _, _) = only_comment(&app).await;
    assert_eq!(author_url.as_deref(), Some(alice.actor_id.as_str()));
    let stored: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT url, author_avatar FROM comments")
            .fetch_one(&app.pool)
            .await
            .expect("comment");
    assert_eq!(
        stored.0.as_deref(),
        Some(
            alice
                .id("schemes")
                .replace("/activities/", "/objects/")
                .as_str()
        )
    );
    assert_eq!(stored.1, None);

    let comment_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let answer = app
        .api(Method::POST, &format!("/reviews/{id}/comments"))
        .json(&json!({"in_reply_to": comment_id, "body": "Thanks!"}))
        .fetch_json()
        .await;
    let answer_ap = answer["ap_id"].as_str().expect("ap_id");
    let note = app
        .client
        .get(answer_ap)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let slug = review["slug"].as_str().expect("slug");
    let (_, feed) = app.get_text(&format!("/reviews/{slug}/comments.xml")).await;
    let (_, page) = app.get_text(&format!("/reviews/{slug}")).await;
    for (what, text) in [
        ("answer Note", note),
        ("comment feed", feed),
        ("page", page),
    ] {
        assert!(
            !text.contains("javascript:"),
            "{what} holds a javascript: URL"
        );
    }
    app.stop().await;
}

/// `evil.example.` got round a block of `evil.example`. Hosts are normalized in one place
/// (lowercase, IDNA, no trailing dot, no default port) and a domain block covers subdomains.
#[tokio::test]
async fn domain_blocks_hold_whatever_the_spelling() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Spelling")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let (host, port) = alice
        .base
        .trim_start_matches("http://")
        .split_once(':')
        .expect("host:port");
    // Typed with capitals and a trailing dot, as a critic may paste it.
    let block = app
        .api(Method::POST, "/blocks")
        .json(&json!({"domain": format!("{}.:{port}", host.to_uppercase())}))
        .fetch_json()
        .await;
    assert_eq!(block["value"], format!("{host}:{port}"), "{block}");
    let refused = alice
        .post(
            &app.url("/inbox"),
            &alice.activity(
                "Create",
                "c-blocked",
                alice.note("blocked", ap_id, "<p>x</p>", true, &me),
            ),
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);

    // The rule itself, against the database's function, for every spelling.
    app.api(Method::POST, "/blocks")
        .json(&json!({"domain": "Evil.Example."}))
        .send()
        .await
        .expect("POST");
    for (actor, blocked) in [
        ("https://evil.example/users/x", true),
        ("https://evil.example./users/x", true),
        ("https://EVIL.example:443/users/x", true),
        ("https://evil.example:8443/users/x", true),
        ("https://sub.evil.example./users/x", true),
        ("https://user@evil.example/users/x", true),
        ("https://notevil.example/users/x", false),
        ("https://evil.example.org/users/x", false),
        (&format!("http://{host}:{}/users/x", free_port()), false),
    ] {
        let is: bool = sqlx::query_scalar("SELECT actor_is_blocked($1)")
            .bind(actor)
            .fetch_one(&app.pool)
            .await
            .expect("query");
        assert_eq!(is, blocked, "{actor}");
    }
    // A comment stored from a trailing-dot spelling is hidden like the others.
    sqlx::query(
        "INSERT INTO remote_actors (id, inbox, public_key_pem, kind, fetched_at) \
         VALUES ('https://evil.example./users/x', 'https://evil.example./inbox', 'none', 'Person', now())",
    )
    .execute(&app.pool)
    .await
    .expect("actor");
    sqlx::query(
        "INSERT INTO comments (id, ap_id, review_id, origin, author_actor, author_name, content_html, \
         visibility, status, published_at) \
         VALUES ($1, 'https://evil.example./notes/1', $2, 'remote', 'https://evil.example./users/x', 'Evil', \
         '<p>visible?</p>', 'public', 'published', now())",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(uuid::Uuid::parse_str(review["id"].as_str().expect("id")).expect("uuid"))
    .execute(&app.pool)
    .await
    .expect("insert");
    let slug = review["slug"].as_str().expect("slug");
    let (_, page) = app.get_text(&format!("/reviews/{slug}")).await;
    assert!(
        !page.contains("visible?"),
        "a blocked server's comment is shown"
    );
    app.stop().await;
}
