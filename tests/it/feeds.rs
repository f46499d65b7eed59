//! Atom feeds, parsed with an independent feed library.

use serde_json::json;

use crate::helpers::{sample_review, TestApp};

async fn parse(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let bytes = response.bytes().await.expect("body");
    feed_rs::parser::parse(&bytes[..]).expect("the feed parses")
}

#[tokio::test]
async fn site_feed_is_valid_atom_with_every_published_review() {
    let app = TestApp::spawn().await;
    let older = {
        let mut r = sample_review("Older");
        r["publish_at"] = json!("2011-02-04T02:54:00Z");
        app.create_review(r).await
    };
    let newer = app.create_review(sample_review("Newer & Better")).await;

    let feed = parse(&app, "/feed.xml").await;
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(
        feed.title.as_ref().map(|t| t.content.as_str()),
        Some("Test Reviews")
    );
    assert_eq!(feed.id, app.url("/feed.xml"));
    assert!(feed
        .links
        .iter()
        .any(|l| l.rel.as_deref() == Some("self") && l.href == app.url("/feed.xml")));
    assert_eq!(feed.entries.len(), 2);

    let first = &feed.entries[0];
    assert_eq!(
        first.title.as_ref().map(|t| t.content.as_str()),
        Some("Newer & Better")
    );
    assert_eq!(
        first.id,
        newer["ap_id"].as_str().expect("ap_id"),
        "entry ids are the permanent ids"
    );
    assert_eq!(first.links[0].href, newer["url"].as_str().expect("url"));
    assert_eq!(first.authors[0].name, "Test Critic");
    assert_eq!(
        first.summary.as_ref().map(|s| s.content.as_str()),
        Some("The first paragraph, which becomes the teaser.")
    );
    let content = first
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .expect("content");
    assert!(
        content.contains("★★★★☆")
            && content.contains("Spoiler warning")
            && content.contains("<em>emphasis</em>"),
        "{content}"
    );
    let terms: Vec<&str> = first.categories.iter().map(|c| c.term.as_str()).collect();
    assert!(
        terms.contains(&"science-fiction") && terms.contains(&"clones"),
        "{terms:?}"
    );

    let second = &feed.entries[1];
    assert_eq!(second.id, older["ap_id"].as_str().expect("ap_id"));
    assert_eq!(
        second.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2011-02-04T02:54:00+00:00")
    );
    app.stop().await;
}

#[tokio::test]
async fn category_and_tag_feeds_hold_only_their_reviews() {
    let app = TestApp::spawn().await;
    app.create_review(sample_review("Science Fiction One"))
        .await;
    let mut other = sample_review("A Western");
    other["categories"] = json!(["Westerns"]);
    other["tags"] = json!([]);
    app.create_review(other).await;

    let feed = parse(&app, "/categories/westerns/feed.xml").await;
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].title.as_ref().map(|t| t.content.as_str()),
        Some("A Western")
    );
    assert!(feed
        .title
        .as_ref()
        .map(|t| t.content.contains("Westerns"))
        .unwrap_or(false));
    let feed = parse(&app, "/tags/clones/feed.xml").await;
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].title.as_ref().map(|t| t.content.as_str()),
        Some("Science Fiction One")
    );
    assert_eq!(
        app.get("/categories/none/feed.xml").await.status().as_u16(),
        404
    );

    let empty = TestApp::spawn().await;
    let feed = parse(&empty, "/feed.xml").await;
    assert!(feed.entries.is_empty());
    empty.stop().await;
    app.stop().await;
}
