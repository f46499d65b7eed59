//! Where JavaScript runs, the editor shows the page as the critic types and keeps what was
//! typed in the browser until it is saved.

use super::{set_password, sign_in_browser};
use crate::helpers::browser::Browser;
use crate::helpers::{eventually, TestApp};

async fn srcdoc(browser: &Browser) -> String {
    browser
        .find("iframe.preview")
        .await
        .attr("srcdoc")
        .await
        .expect("attribute")
        .unwrap_or_default()
}

#[tokio::test]
async fn the_preview_follows_the_typing_and_unsaved_text_is_offered_back() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let browser = Browser::start().await;
    sign_in_browser(&app, &browser).await;
    let new = app.url("/admin/reviews/new");
    browser.goto(&new).await;

    browser.fill("#title", "Thief (1981)").await;
    browser.fill("#film_title", "Thief").await;
    browser
        .fill("#body", "A *slow* burn with a Tangerine Dream score.")
        .await;
    let frame = eventually(
        "the live preview",
        std::time::Duration::from_secs(15),
        || async {
            let html = srcdoc(&browser).await;
            if html.contains("<em>slow</em>") && html.contains("Thief (1981)") {
                Ok(html)
            } else {
                Err(html.chars().take(200).collect())
            }
        },
    )
    .await;
    assert!(
        frame.contains("class=\"p-name\""),
        "the public page's own markup"
    );
    eventually(
        "kept in the browser",
        std::time::Duration::from_secs(10),
        || async {
            let said = browser.text("p.autosave").await;
            if said.contains("kept in this browser") {
                Ok(())
            } else {
                Err(said)
            }
        },
    )
    .await;

    // The tab is closed unsaved: coming back, the text is offered back.
    browser.goto(&app.url("/admin")).await;
    browser.goto(&new).await;
    browser
        .find("#restore_unsaved")
        .await
        .click()
        .await
        .expect("click");
    let title = browser
        .find("#title")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(title.as_deref(), Some("Thief (1981)"));
    let body = browser
        .find("#body")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        body.as_deref(),
        Some("A *slow* burn with a Tangerine Dream score.")
    );

    // Saved: nothing is offered any more, and the draft is stored.
    browser.click("button[value=draft]").await;
    browser.goto(&new).await;
    browser.find("form.editor").await;
    let offers = browser
        .client
        .find_all(fantoccini::Locator::Css("#restore_unsaved"))
        .await
        .expect("query");
    assert!(offers.is_empty(), "saved changes are not offered back");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM reviews WHERE title = 'Thief (1981)'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(stored, 1);

    // Without a session, the preview draws nothing.
    let anonymous = super::http_client()
        .post(app.url("/admin/preview"))
        .form(&[("title", "x")])
        .send()
        .await
        .expect("POST");
    assert!(
        matches!(anonymous.status().as_u16(), 303 | 403),
        "{}",
        anonymous.status()
    );
    browser.stop().await;
}
