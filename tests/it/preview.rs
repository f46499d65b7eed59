//! How a review previews on the fediverse (issue 11, point 4): the Article's short `summary`
//! (what Mastodon shows), its FEP-b2b8 `preview` Note, the poster as `attachment` and `image`,
//! and a teaser never taken from past the spoiler warning.

use serde_json::{json, Value};

use crate::helpers::{sample_review, TestApp};

const ACCEPT: &str = "application/activity+json";

async fn article_of(app: &TestApp, review: Value) -> Value {
    let created = app.create_review(review).await;
    let ap_id = created["ap_id"].as_str().expect("ap_id").to_string();
    let response = app
        .client
        .get(&ap_id)
        .header("accept", ACCEPT)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("JSON")
}

/// The visible text of an HTML fragment: tags dropped, paragraphs apart, whitespace folded.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.replace("</p>", "</p> ").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn an_article_reads_well_as_its_summary_its_preview_and_its_poster() {
    let app = TestApp::spawn().await;
    let mut review = sample_review("Never Let Me Go (2010)");
    review["body"] = json!(
        "A quiet film that *earns* its tears.\n\n<!-- spoilers -->\n\nThe children are clones, raised as organ donors."
    );
    let a = article_of(&app, review).await;

    let summary = a["summary"].as_str().expect("summary");
    for part in [
        "★★★★☆",
        "Never Let Me Go (2010)",
        "Mark Romanek",
        "A quiet film that <em>earns</em> its tears.",
        "The premise is discussed.",
    ] {
        assert!(summary.contains(part), "{part:?} missing from {summary}");
    }
    assert!(
        !summary.contains("clones,") && !summary.contains("donors"),
        "text past the spoiler marker: {summary}"
    );
    // The hashtags, linked as `tag` links them (Mastodon shows the summary, not `content`).
    for (href, name) in [
        (app.url("/categories/science-fiction"), "ScienceFiction"),
        (app.url("/tags/clones"), "Clones"),
        (app.url("/tags/kazuo-ishiguro"), "KazuoIshiguro"),
    ] {
        assert!(
            summary.contains(&format!(
                "<a href=\"{href}\" class=\"mention hashtag\" rel=\"tag\">#<span>{name}</span></a>"
            )),
            "hashtag {name} missing from {summary}"
        );
        assert!(a["tag"]
            .as_array()
            .expect("tags")
            .contains(&json!({"type": "Hashtag", "name": format!("#{name}"), "href": href})));
    }
    assert!(text_of(summary).chars().count() <= 500, "{summary}");
    // The full text stays in `content`, for servers that show it.
    assert!(a["content"]
        .as_str()
        .expect("content")
        .contains("organ donors"));

    let poster = json!({
        "type": "Image",
        "url": "https://images.example/never-let-me-go.jpg",
        "mediaType": "image/jpeg",
        "name": "Three young people on a beach",
    });
    assert_eq!(a["image"], poster);
    assert_eq!(a["attachment"], json!([poster]));
    assert_eq!(a["sensitive"], true);

    let preview = &a["preview"];
    assert_eq!(preview["type"], "Note");
    assert_eq!(preview["attributedTo"], a["attributedTo"]);
    assert_eq!(preview["summary"], "The premise is discussed.");
    assert_eq!(preview["sensitive"], true);
    assert_eq!(preview["attachment"], json!([poster]));
    // The preview carries the hashtags; the film's catalog item (for NeoDB) is the Article's.
    let hashtags: Vec<&Value> = a["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter(|t| t["type"] == "Hashtag")
        .collect();
    assert_eq!(preview["tag"], json!(hashtags));
    assert_eq!(preview["published"], a["published"]);
    let content = preview["content"].as_str().expect("preview content");
    let url = a["url"].as_str().expect("url");
    for part in [
        "<p><strong>Never Let Me Go (2010)</strong></p>",
        "★★★★☆",
        "A quiet film that <em>earns</em> its tears.",
        "class=\"mention hashtag\"",
        &format!("<a href=\"{url}\">{url}</a>"),
    ] {
        assert!(content.contains(part), "{part:?} missing from {content}");
    }
    assert!(!content.contains("donors"), "{content}");
}

#[tokio::test]
async fn no_teaser_comes_from_past_the_spoiler_warning() {
    let app = TestApp::spawn().await;

    // A warning and no marker: the warning stands before the whole body.
    let mut warned = sample_review("Warned without a marker");
    warned["body"] = json!("Ruth dies on the table.\n\nThe rest of the review.");
    warned["spoiler_warning"] = json!("Everything about the ending.");
    let a = article_of(&app, warned).await;
    let summary = a["summary"].as_str().expect("summary");
    assert!(!summary.contains("Ruth dies"), "{summary}");
    assert!(
        summary.contains("Everything about the ending."),
        "{summary}"
    );
    assert!(!a["preview"]["content"]
        .as_str()
        .expect("content")
        .contains("Ruth dies"));
    assert_eq!(a["preview"]["summary"], "Everything about the ending.");

    // The marker first: the first paragraph is past it.
    let mut marked = sample_review("Marker first");
    marked["body"] = json!("<!-- spoilers -->\n\nTommy's rage was love.\n\nMore.");
    let a = article_of(&app, marked).await;
    let summary = a["summary"].as_str().expect("summary");
    assert!(!summary.contains("Tommy"), "{summary}");

    // The page and the feeds use the same teaser.
    let page = app
        .get("/reviews/marker-first")
        .await
        .text()
        .await
        .expect("page");
    assert!(
        !page.contains("content=\"Tommy"),
        "a spoiler in the page's description"
    );

    // No warning: the first paragraph is the teaser, and the preview has no content warning.
    let mut plain = sample_review("No spoilers at all");
    plain
        .as_object_mut()
        .expect("object")
        .remove("spoiler_warning");
    plain["body"] = json!("Mulligan is luminous.\n\nSecond paragraph.");
    let a = article_of(&app, plain).await;
    assert!(a["summary"]
        .as_str()
        .expect("summary")
        .contains("Mulligan is luminous."));
    assert_eq!(a["sensitive"], false);
    assert_eq!(a["preview"]["sensitive"], false);
    assert!(a["preview"].get("summary").is_none(), "{}", a["preview"]);
}

#[tokio::test]
async fn a_long_summary_and_many_tags_are_cut_to_a_short_summary() {
    let app = TestApp::spawn().await;
    let mut review = sample_review("A very long teaser");
    review["summary"] = json!("Words and words. ".repeat(110));
    review["tags"] = json!((0..30)
        .map(|i| format!("tag number {i}"))
        .collect::<Vec<_>>());
    let a = article_of(&app, review).await;
    let summary = a["summary"].as_str().expect("summary");
    let text = text_of(summary);
    assert!(
        text.chars().count() <= 500,
        "{} chars: {text}",
        text.chars().count()
    );
    assert!(text.starts_with("★★★★☆"), "{text}");
    assert!(text.contains("Words and words."), "{text}");
    assert!(text.contains("#ScienceFiction"), "{text}");
    // Every tag is still a `tag`, even those the summary has no room for (31 hashtags and the
    // film as NeoDB's catalog item).
    assert_eq!(a["tag"].as_array().map(Vec::len), Some(32));
}
