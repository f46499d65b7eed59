//! Public pages: what they must contain, what they must hide, redirects.

use reqwest::Method;
use scraper::{Html, Selector};
use serde_json::{json, Value};

use crate::helpers::{drop_database, sample_review, TestApp};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).expect("valid selector");
    doc.select(&selector).collect()
}

fn attr(doc: &Html, css: &str, name: &str) -> Option<String> {
    select(doc, css)
        .first()
        .and_then(|e| e.value().attr(name))
        .map(str::to_string)
}

fn text(doc: &Html, css: &str) -> String {
    select(doc, css)
        .first()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
}

#[tokio::test]
async fn review_page_shows_everything_a_review_has() {
    let app = TestApp::spawn().await;
    let created = app
        .create_review(sample_review("Never Let Me Go (2010)"))
        .await;
    let (status, html) = app.get_text("/reviews/never-let-me-go-2010").await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);

    assert_eq!(text(&doc, "h1"), "Never Let Me Go (2010)");
    let credits = text(&doc, "dl.credits");
    for expected in [
        "Directed by",
        "Mark Romanek",
        "Alex Garland",
        "Carey Mulligan",
        "Music",
        "Rachel Portman",
        "103 minutes",
    ] {
        assert!(
            credits.contains(expected),
            "{expected} missing from credits: {credits}"
        );
    }
    assert_eq!(text(&doc, ".rating .stars"), "★★★★☆");
    assert!(text(&doc, ".rating").contains("4 out of 5"));
    assert_eq!(
        attr(&doc, "img.poster", "alt").as_deref(),
        Some("Three young people on a beach")
    );
    assert!(text(&doc, "header .meta").contains("Science Fiction"));
    assert_eq!(
        attr(&doc, "a.p-category", "href"),
        Some(app.url("/categories/science-fiction"))
    );
    assert!(html.contains("https://www.imdb.com/title/tt1334260/"));

    // The spoiler warning comes before the body.
    let warning_at = html
        .find("class=\"spoiler-warning\"")
        .expect("spoiler warning shown");
    let body_at = html.find("class=\"body e-content\"").expect("body shown");
    assert!(warning_at < body_at);
    assert!(text(&doc, ".body").contains("A second paragraph"));
    assert!(text(&doc, ".meta").contains("Posted on"));
    assert_eq!(
        text(&doc, "#comments h2"),
        "No Responses to “Never Let Me Go (2010)”"
    );
    assert_eq!(select(&doc, "ol.comment-list").len(), 1);

    // Head metadata: canonical, OpenGraph, Twitter card, feeds, fediverse credit, JSON-LD.
    let page_url = app.url("/reviews/never-let-me-go-2010");
    assert_eq!(
        attr(&doc, "link[rel=canonical]", "href"),
        Some(page_url.clone())
    );
    assert_eq!(
        attr(&doc, "meta[property='og:title']", "content").as_deref(),
        Some("Never Let Me Go (2010)")
    );
    assert_eq!(
        attr(&doc, "meta[property='og:type']", "content").as_deref(),
        Some("article")
    );
    assert_eq!(
        attr(&doc, "meta[property='og:url']", "content"),
        Some(page_url)
    );
    assert_eq!(
        attr(&doc, "meta[property='og:image']", "content").as_deref(),
        Some("https://images.example/never-let-me-go.jpg")
    );
    assert_eq!(
        attr(&doc, "meta[property='og:description']", "content").as_deref(),
        Some("The first paragraph, which becomes the teaser.")
    );
    assert_eq!(
        attr(&doc, "meta[name='twitter:card']", "content").as_deref(),
        Some("summary_large_image")
    );
    let creator =
        attr(&doc, "meta[name='fediverse:creator']", "content").expect("fediverse:creator");
    assert_eq!(
        creator,
        format!("@reviews@{}", app.base.trim_start_matches("http://"))
    );
    let feeds: Vec<String> = select(&doc, "link[rel=alternate][type='application/atom+xml']")
        .iter()
        .filter_map(|e| e.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        feeds.contains(&app.url("/feed.xml"))
            && feeds.contains(&app.url("/categories/science-fiction/feed.xml")),
        "{feeds:?}"
    );
    let json_ld: Value = serde_json::from_str(&text(&doc, "script[type='application/ld+json']"))
        .expect("JSON-LD parses");
    assert_eq!(json_ld["@type"], "Review");
    assert_eq!(json_ld["itemReviewed"]["name"], "Never Let Me Go");
    assert_eq!(json_ld["reviewRating"]["ratingValue"], 4.0);

    // The permanent id leads to the page.
    let by_id = app
        .get(&format!("/reviews/{}", created["id"].as_str().expect("id")))
        .await;
    assert_eq!(by_id.status().as_u16(), 303);
    assert_eq!(
        by_id.headers()["location"],
        app.url("/reviews/never-let-me-go-2010").as_str()
    );
    app.stop().await;
}

#[tokio::test]
async fn drafts_and_future_scheduled_reviews_are_invisible() {
    let app = TestApp::spawn().await;
    let mut draft = sample_review("Secret Draft");
    draft["status"] = json!("draft");
    let draft = app.create_review(draft).await;
    let mut scheduled = sample_review("Future Review");
    scheduled["status"] = json!("scheduled");
    scheduled["publish_at"] = json!((chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339());
    let scheduled = app.create_review(scheduled).await;
    app.create_review(sample_review("Visible Review")).await;

    for review in [&draft, &scheduled] {
        let slug = review["slug"].as_str().expect("slug");
        assert_eq!(
            app.get(&format!("/reviews/{slug}")).await.status().as_u16(),
            404,
            "{slug}"
        );
        let id = review["id"].as_str().expect("id");
        assert_eq!(
            app.get(&format!("/reviews/{id}")).await.status().as_u16(),
            404,
            "{id}"
        );
    }
    for path in [
        "/",
        "/feed.xml",
        "/categories/science-fiction",
        "/categories/science-fiction/feed.xml",
        "/tags/clones",
    ] {
        let (status, body) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("Visible Review"), "{path}");
        assert!(
            !body.contains("Secret Draft") && !body.contains("Future Review"),
            "{path} leaks a hidden review"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn index_is_newest_first_and_paginated() {
    let app = TestApp::spawn_with(|f| f.merge(("site.page_size", 2))).await;
    for (i, day) in [1, 3, 2].iter().enumerate() {
        let mut review = sample_review(&format!("Review {i}"));
        review["publish_at"] = json!(format!("2020-01-0{day}T12:00:00Z"));
        app.create_review(review).await;
    }
    let (_, page1) = app.get_text("/").await;
    let doc = Html::parse_document(&page1);
    let titles: Vec<String> = select(&doc, "article.card h2")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(titles, vec!["Review 1", "Review 2"]);
    assert_eq!(attr(&doc, "a[rel=next]", "href"), Some(app.url("/?page=2")));
    let (status, page2) = app.get_text("/?page=2").await;
    assert_eq!(status, 200);
    assert!(page2.contains("Review 0") && page2.contains("rel=\"prev\""));
    assert_eq!(app.get("/?page=3").await.status().as_u16(), 404);
    assert_eq!(app.get("/?page=zero").await.status().as_u16(), 404);
    assert_eq!(
        app.get("/?page=9223372036854775807")
            .await
            .status()
            .as_u16(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn category_tag_and_about_pages() {
    let app = TestApp::spawn().await;
    app.create_review(sample_review("Tagged Review")).await;
    let (status, html) = app.get_text("/categories/science-fiction").await;
    assert_eq!(status, 200);
    assert!(html.contains("Reviews filed under Science Fiction") && html.contains("Tagged Review"));
    let (status, html) = app.get_text("/tags/kazuo-ishiguro").await;
    assert_eq!(status, 200);
    assert!(html.contains("Reviews tagged #Kazuo Ishiguro"));
    assert_eq!(app.get("/categories/westerns").await.status().as_u16(), 404);
    assert_eq!(
        app.get("/tags/nothing/feed.xml").await.status().as_u16(),
        404
    );
    let (status, html) = app.get_text("/about").await;
    assert_eq!(status, 200);
    assert!(html.contains("About Test Reviews") && html.contains("Test Critic"));
    let (status, html) = app.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Not found"));
    let css = app.get("/style.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    app.stop().await;
}

#[tokio::test]
async fn changed_slugs_redirect_permanently() {
    let app = TestApp::spawn().await;
    let created = app.create_review(sample_review("Old Title")).await;
    let id = created["id"].as_str().expect("id");
    for slug in ["middle-title", "new-title"] {
        let response = app
            .api(Method::PATCH, &format!("/reviews/{id}"))
            .json(&json!({"slug": slug}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(response.status().as_u16(), 200);
    }
    for old in ["old-title", "middle-title"] {
        let response = app.get(&format!("/reviews/{old}")).await;
        assert_eq!(response.status().as_u16(), 308, "{old}");
        assert_eq!(
            response.headers()["location"],
            app.url("/reviews/new-title").as_str()
        );
    }
    assert_eq!(app.get("/reviews/new-title").await.status().as_u16(), 200);

    // Another review may take a retired slug; then it is that review's page.
    app.create_review(sample_review("Old Title")).await;
    let (status, html) = app.get_text("/reviews/old-title").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1 class=\"p-name\">Old Title</h1>"));
    app.stop().await;
}

#[tokio::test]
async fn hostile_text_is_escaped_or_removed() {
    let app = TestApp::spawn().await;
    let mut review = sample_review("<script>alert('t')</script> Title");
    review["slug"] = json!("hostile");
    review["body"] = json!("Hello <script>alert(1)</script> <a href=\"javascript:alert(2)\">x</a> <img src=x onerror=alert(3)>");
    review["spoiler_warning"] = json!("<b onclick=x>bold</b>");
    review["categories"] = json!(["<i>Cat</i>"]);
    app.create_review(review).await;
    for path in ["/reviews/hostile", "/", "/feed.xml"] {
        let (status, body) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.contains("<script>alert"), "{path}: script survived");
        assert!(
            !body.contains("javascript:alert"),
            "{path}: javascript URL survived"
        );
        assert!(
            !body.contains("onerror=") && !body.contains("<b onclick"),
            "{path}: handler survived"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_text("/healthz").await, (200, "ok".to_string()));

    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.pool)
        .await
        .expect("database name");
    drop_database(&name).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, body) = app.get_text("/healthz").await;
        if status == 503 {
            assert_eq!(body, "database unavailable");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "/healthz still answers {status} {body} without a database"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
