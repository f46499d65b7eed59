//! The public pages' rough edges (issue 13, point 7): one `<h1>` on the index, machine times a
//! validator takes, categories with commas, a capital after "Spoiler warning.", stars read once,
//! inputs a reader can see, a Reply link on each comment, and the category and tag indexes.

use serde_json::json;

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.expect("HTML")
}

fn count(html: &str, selector: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    doc.select(&scraper::Selector::parse(selector).expect("selector"))
        .count()
}

fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    doc.select(&scraper::Selector::parse(selector).expect("selector"))
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn attrs(html: &str, selector: &str, attr: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    doc.select(&scraper::Selector::parse(selector).expect("selector"))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await
}

#[tokio::test]
async fn the_pages_have_one_h1_valid_times_commas_and_stars_read_once() {
    let app = open_app().await;
    let mut review = sample_review("Never Let Me Go");
    review["categories"] = json!(["Science Fiction", "Drama", "Romance"]);
    review["rating"] = json!({"value": 3.5, "best": 5});
    review["spoiler_warning"] = json!("the premise is discussed.");
    let created = app.create_review(review).await;
    let slug = created["slug"].as_str().expect("slug");

    let index = page(&app, "/").await;
    assert_eq!(count(&index, "h1"), 1, "one <h1> on the index");
    for path in ["/", &format!("/reviews/{slug}"), "/categories", "/tags"] {
        let html = page(&app, path).await;
        assert_eq!(count(&html, "h1"), 1, "one <h1> on {path}");
        for at in attrs(&html, "time", "datetime") {
            let parsed = chrono::DateTime::parse_from_rfc3339(&at).expect("RFC 3339");
            let fraction = at.split(['Z', '+']).next().and_then(|t| t.split_once('.'));
            assert!(fraction.is_none_or(|(_, f)| f.len() <= 3), "{at} on {path}");
            assert!(parsed.timestamp() > 0);
        }
    }

    let html = page(&app, &format!("/reviews/{slug}")).await;
    let meta = texts(&html, "p.meta").join(" ");
    assert!(meta.contains("Science Fiction, Drama, Romance"), "{meta}");
    let warning = texts(&html, ".spoiler-warning").join("");
    assert_eq!(warning, "Spoiler warning. The premise is discussed.");
    // The stars are drawn for the eye and hidden from screen readers, which read the text once.
    assert_eq!(attrs(&html, ".rating .stars", "aria-hidden"), ["true"]);
    assert_eq!(count(&html, ".rating [role=img]"), 0);
    assert_eq!(
        count(&html, ".rating .half-star"),
        1,
        "a half star, in the stars' font"
    );
    assert!(!html.contains('½'));
    let rating = texts(&html, "p.rating").join("");
    assert_eq!(rating.matches("3.5 out of 5").count(), 1, "{rating}");
    let card = texts(&index, ".card .rating .visually-hidden").join("");
    assert_eq!(card, "Rated 3.5 out of 5");

    // Inputs a reader can see: 16 px, with a border of 3:1 contrast at least.
    let css = page(&app, "/style.css").await;
    let rule = css
        .lines()
        .find(|l| l.starts_with(".interact input"))
        .expect("the input rule");
    assert!(
        rule.contains("font-size: 16px") && rule.contains("var(--rule-strong)"),
        "{rule}"
    );
    let strong = css
        .split("--rule-strong: #")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .expect("--rule-strong");
    let background = css
        .split("--bg: #")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .expect("--bg");
    let ratio = contrast(strong, background);
    assert!(ratio >= 3.0, "input border contrast {ratio:.2}");
}

/// WCAG's contrast ratio of two `rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[tokio::test]
async fn each_comment_has_a_reply_link_that_asks_for_the_readers_account() {
    let app = open_app().await;
    let created = app.create_review(sample_review("Heat (1995)")).await;
    let slug = created["slug"].as_str().expect("slug");
    let ap_id = created["ap_id"].as_str().expect("ap_id");
    let alice = Peer::start().await;
    alice
        .reply(&app, "c1", ap_id, "<p>The diner scene!</p>")
        .await;

    let html = page(&app, &format!("/reviews/{slug}")).await;
    let links = attrs(&html, ".comment a.comment-reply", "href");
    assert_eq!(links.len(), 1, "{html}");
    let comment_id = format!("{}/objects/c1", alice.base);
    let link = url::Url::parse(&links[0]).expect("an address");
    assert_eq!(link.path(), "/interact");
    let uri = link
        .query_pairs()
        .find(|(k, _)| k == "uri")
        .map(|(_, v)| v.to_string());
    assert_eq!(uri.as_deref(), Some(comment_id.as_str()));

    // Without a handle, the reader is asked for one, for that comment.
    let asked = page(
        &app,
        &format!("{}?{}", link.path(), link.query().unwrap_or_default()),
    )
    .await;
    assert_eq!(texts(&asked, "h1"), ["Reply to this comment"]);
    assert_eq!(
        attrs(&asked, "input[name=uri]", "value"),
        std::slice::from_ref(&comment_id)
    );
    assert_eq!(count(&asked, "input[name=handle]"), 1);
    // A comment the blog does not show is no one's business here.
    let other = app
        .get("/interact?uri=https%3A%2F%2Felsewhere.example%2Fnote%2F1")
        .await;
    assert_eq!(other.status().as_u16(), 400);
}

#[tokio::test]
async fn the_category_and_tag_indexes_list_every_term_with_its_count() {
    let app = TestApp::spawn().await;
    let mut first = sample_review("Heat (1995)");
    first["categories"] = json!(["Crime", "Drama"]);
    first["tags"] = json!(["Los Angeles"]);
    app.create_review(first).await;
    let mut second = sample_review("Thief (1981)");
    second["categories"] = json!(["Crime"]);
    second["tags"] = json!(["Chicago", "Los Angeles"]);
    app.create_review(second).await;
    let mut draft = sample_review("Collateral");
    draft["categories"] = json!(["Unpublished"]);
    draft["status"] = json!("draft");
    app.create_review(draft).await;

    let categories = page(&app, "/categories").await;
    assert_eq!(
        texts(&categories, ".terms li"),
        ["Crime (2 reviews)", "Drama (1 review)"]
    );
    assert_eq!(
        attrs(&categories, ".terms a", "href"),
        [app.url("/categories/crime"), app.url("/categories/drama")]
    );
    let tags = page(&app, "/tags").await;
    assert_eq!(
        texts(&tags, ".terms li"),
        ["#Los Angeles (2 reviews)", "#Chicago (1 review)"]
    );
    // Every page leads to them, and the sitemap names them.
    let index = page(&app, "/").await;
    assert!(attrs(&index, "footer a", "href").contains(&app.url("/categories")));
    let sitemap = page(&app, "/sitemap.xml").await;
    assert!(sitemap.contains(&format!("<loc>{}</loc>", app.url("/tags"))));
}
