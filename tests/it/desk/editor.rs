//! Writing at the desk, in the browser: a review with its film, credits and half-star rating,
//! previewed as its page will look, refused with every problem named, scheduled in the site's
//! time zone, then published to a follower.

use super::{set_password, sign_in_browser};
use crate::helpers::browser::Browser;
use crate::helpers::TestApp;
use crate::peer::Peer;

#[tokio::test]
async fn a_review_is_written_previewed_scheduled_and_published_from_the_browser() {
    let app = TestApp::spawn_with(|f| f.merge(("site.time_zone", "Europe/Paris"))).await;
    set_password(&app).await;
    let alice = Peer::start().await;
    alice.follow_blog(&app).await;

    let browser = Browser::start().await;
    sign_in_browser(&app, &browser).await;
    browser.click("nav a[href='/admin/reviews']").await;
    browser.click("a[href='/admin/reviews/new']").await;
    assert_eq!(browser.text("h1").await, "New review");

    // Every problem is named at once, and what was typed stays.
    browser.fill("#title", "Heat (1995)").await;
    browser.fill("#body", "Draft.").await;
    browser.fill("#film_year", "19x5").await;
    browser.fill("#poster_url", "not an address").await;
    browser.click("button[value=draft]").await;
    let alert = browser.text("[role=alert]").await;
    assert!(
        alert.contains("Year") && alert.contains("Poster"),
        "{alert}"
    );
    assert_eq!(
        browser
            .find("#title")
            .await
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("Heat (1995)")
    );

    browser.fill("#poster_url", "").await;
    browser.fill("#film_title", "Heat").await;
    browser.fill("#film_year", "1995").await;
    browser.fill("#directors", "Michael Mann").await;
    browser.fill("#cast", "Al Pacino, Robert De Niro").await;
    browser.fill("input[name=credit_role]", "Music").await;
    browser
        .fill("input[name=credit_name]", "Elliot Goldenthal")
        .await;
    browser
        .find("#rating option[value='3.5']")
        .await
        .click()
        .await
        .expect("select");
    browser.fill("#categories", "Crime").await;
    browser
        .fill(
            "#body",
            "De Niro and Pacino, *finally* in one scene.\n\n<!-- spoilers -->\n\nThe airport.",
        )
        .await;

    // The preview is the public page, rendered by the server.
    browser.click("button[value=preview]").await;
    let frame = browser.find("iframe.preview").await;
    let srcdoc = frame.attr("srcdoc").await.expect("attr").expect("srcdoc");
    assert!(
        srcdoc.contains("<h1") && srcdoc.contains("Heat (1995)"),
        "{srcdoc}"
    );
    assert!(srcdoc.contains("Elliot Goldenthal") && srcdoc.contains("noindex"));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(stored, 0, "a preview stores nothing");

    // Scheduled for an evening in Paris: stored in UTC, shown in the site's time.
    browser.set_value("#publish_at", "2031-01-01T20:00").await;
    browser.click("button[value=schedule]").await;
    assert_eq!(browser.text("[role=status]").await, "Scheduled.");
    assert_eq!(browser.text("strong.status").await, "scheduled");
    let at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT publish_at FROM reviews")
        .fetch_one(&app.pool)
        .await
        .expect("publish_at");
    assert_eq!(at.to_rfc3339(), "2031-01-01T19:00:00+00:00");
    assert_eq!(
        browser
            .find("#publish_at")
            .await
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("2031-01-01T20:00")
    );

    // A private link shows the scheduled review to whoever has it, and to nobody else.
    let link = browser.text("a.preview-link").await;
    assert!(link.starts_with(&app.url("/preview/")), "{link}");
    let shared = app.client.get(&link).send().await.expect("GET");
    assert_eq!(shared.status().as_u16(), 200);
    assert_eq!(shared.headers()["x-robots-tag"], "noindex");
    assert!(shared
        .text()
        .await
        .expect("body")
        .contains("Elliot Goldenthal"));
    assert_eq!(app.get_text("/reviews/heat-1995").await.0, 404);
    let guessed = format!("/preview/{}", "0".repeat(64));
    assert_eq!(app.get_text(&guessed).await.0, 404);

    // Published now: the follower gets it, the page shows it.
    browser.click("button[value=publish]").await;
    assert!(browser.text("[role=status]").await.starts_with("Published"));
    let created = alice.wait_for("Create", 1, |r| r.kind() == "Create").await;
    assert_eq!(created[0].body["object"]["name"], "Heat (1995)");
    let (status, page) = app.get_text("/reviews/heat-1995").await;
    assert_eq!(status, 200);
    assert!(page.contains("Elliot Goldenthal") && page.contains("<em>finally</em>"));
    browser.stop().await;
}
