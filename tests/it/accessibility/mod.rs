//! Accessibility (issue 13): axe-core finds no WCAG 2.1 A/AA or best-practice violation on any
//! public or desk page, in the light and the dark colour scheme, in one browser.

mod blog;
mod screenshots;

use std::time::Instant;

use crate::desk::sign_in_browser;
use crate::helpers::browser::Browser;

/// The public pages of the seeded blog, by name and path.
fn public_pages(blog: &blog::Blog) -> Vec<(&'static str, String)> {
    let slug = blog.review["slug"].as_str().expect("slug");
    let ap_id = blog.review["ap_id"].as_str().expect("ap_id");
    let category = reviewpub::domain::slugify("Science Fiction");
    let tag = reviewpub::domain::slugify("Kazuo Ishiguro");
    vec![
        ("the index", "/".to_string()),
        ("a review with comments", format!("/reviews/{slug}")),
        ("about", "/about".to_string()),
        ("the categories", "/categories".to_string()),
        ("the tags", "/tags".to_string()),
        ("a category", format!("/categories/{category}")),
        ("a tag", format!("/tags/{tag}")),
        ("a page that is not there", "/no-such-page".to_string()),
        (
            "reply from your server",
            format!("/interact?uri={}", urlencoding(ap_id)),
        ),
    ]
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The desk's pages that are plain addresses (the editor's preview is reached by a click).
fn desk_pages(blog: &blog::Blog) -> Vec<(&'static str, String)> {
    let draft = blog.draft["id"].as_str().expect("id");
    vec![
        ("the desk's home", "/admin".to_string()),
        ("the reviews", "/admin/reviews".to_string()),
        ("a new review", "/admin/reviews/new".to_string()),
        ("the held comments", "/admin/comments".to_string()),
        (
            "the published comments",
            "/admin/comments?status=published".to_string(),
        ),
        (
            "the rejected comments",
            "/admin/comments?status=rejected".to_string(),
        ),
        ("the fediverse", "/admin/fediverse".to_string()),
        ("the API tokens", "/admin/tokens".to_string()),
        ("the notifications", "/admin/notifications".to_string()),
        (
            "a review's comments",
            format!(
                "/admin/reviews/{}/comments",
                blog.review["id"].as_str().expect("id")
            ),
        ),
        ("a draft's editor", format!("/admin/reviews/{draft}")),
    ]
}

/// The desk's pages in the states an action leaves them in (once: the dark pass sees the
/// results); how many were checked.
async fn after_actions(app: &crate::helpers::TestApp, browser: &Browser) -> usize {
    // The editor refusing what was typed, every problem named.
    browser.goto(&app.url("/admin/reviews/new")).await;
    browser.fill("#title", "Heat (1995)").await;
    browser.fill("#body", "Draft.").await;
    browser.fill("#film_year", "19x5").await;
    browser.click("button[value=draft]").await;
    browser.find("[role=alert]").await;
    browser
        .assert_accessible("the editor refusing a year")
        .await;
    // A new API token, shown once.
    browser.goto(&app.url("/admin/tokens")).await;
    browser.fill("#token-name", "laptop").await;
    browser.click("form[action='/admin/tokens'] button").await;
    browser.assert_accessible("a new API token").await;
    // The notification feed's new address, shown once.
    browser.goto(&app.url("/admin/notifications")).await;
    browser
        .click("form[action='/admin/notifications/regenerate'] button")
        .await;
    browser.assert_accessible("the feed's new address").await;
    // A review deleted: the list with its notice and the Undo.
    browser.goto(&app.url("/admin/reviews/new")).await;
    browser.fill("#title", "Collateral (2004)").await;
    browser.fill("#film_title", "Collateral").await;
    browser
        .fill("#body", "Cruise, grey-haired, in a taxi.")
        .await;
    browser.click("button[value=draft]").await;
    browser.click("#delete_review").await;
    browser.find("#trash-heading").await;
    browser
        .assert_accessible("the reviews after a deletion")
        .await;
    4
}

#[tokio::test]
async fn every_public_and_desk_page_passes_axe_in_light_and_dark() {
    let blog = blog::seed().await;
    let app = &blog.app;
    let browser = Browser::start().await;
    let started = Instant::now();
    let mut checked = 0;
    for scheme in ["light", "dark"] {
        browser.prefer_color_scheme(scheme).await;
        browser.goto(&app.url("/")).await;
        let dark = browser
            .client
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await
            .expect("matchMedia");
        assert_eq!(
            dark,
            serde_json::json!(scheme == "dark"),
            "the colour scheme is {scheme}"
        );
        let check = |name: &str| format!("{name} ({scheme})");
        for (name, path) in public_pages(&blog) {
            browser.goto(&app.url(&path)).await;
            browser.assert_accessible(&check(name)).await;
            checked += 1;
        }
        if scheme == "light" {
            // Once: signed in, the sign-in page leads to the desk.
            browser.goto(&app.url("/admin/sign-in")).await;
            browser.assert_accessible(&check("the sign-in page")).await;
            sign_in_browser(app, &browser).await;
            checked += 1;
        }
        for (name, path) in desk_pages(&blog) {
            browser.goto(&app.url(&path)).await;
            browser.assert_accessible(&check(name)).await;
            checked += 1;
        }
        // The editor with its preview, and the draft's private preview link.
        browser.click("button[value=preview]").await;
        browser.find("iframe.preview").await;
        browser
            .assert_accessible(&check("the editor with a preview"))
            .await;
        let link = browser.text("a.preview-link").await;
        browser.goto(&link).await;
        browser.assert_accessible(&check("a private preview")).await;
        checked += 2;
        if scheme == "light" {
            checked += after_actions(app, &browser).await;
        }
    }
    // axe sees what it should: an image without a text and grey on grey, added to the page
    // (styled through the CSSOM, which the pages' Content-Security-Policy allows).
    browser
        .client
        .execute(
            "const main = document.querySelector('main');
             main.insertAdjacentHTML('afterbegin', '<img src=\"/x.png\"><p>faint</p>');
             Object.assign(main.querySelector('p').style, {color: '#999', background: '#aaa'});",
            vec![],
        )
        .await
        .expect("spoil the page");
    let found: Vec<String> = browser.axe().await.into_iter().map(|v| v.id).collect();
    assert!(
        found.contains(&"image-alt".to_string()) && found.contains(&"color-contrast".to_string()),
        "{found:?}"
    );
    eprintln!(
        "axe: {checked} pages checked in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    browser.stop().await;
}
