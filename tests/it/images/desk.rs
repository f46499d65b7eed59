//! Uploading a poster at the desk, in a real headless Chromium: it shows in the editor with
//! its alt text, on the review's page and on the index.

use super::{png, ALT};
use crate::desk::{set_password, sign_in_browser};
use crate::helpers::browser::Browser;
use std::time::Duration;

use crate::helpers::{eventually, sample_review, shared_tmp, TestApp};

#[tokio::test]
async fn the_critic_uploads_a_poster_and_readers_see_it_on_the_page_and_the_index() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let review = app.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let dir = shared_tmp("reviewpub-upload-");
    let file = dir.path().join("poster.png");
    std::fs::write(&file, png(900, 1350)).unwrap();

    let browser = Browser::start().await;
    sign_in_browser(&app, &browser).await;
    browser
        .goto(&app.url(&format!("/admin/reviews/{id}")))
        .await;
    browser.fill("#image_alt", ALT).await;
    browser
        .find("#image_file")
        .await
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    browser.click("#upload_image").await;
    let notice = browser.text(".notice").await;
    assert!(notice.starts_with("Image added."), "{notice}");
    assert_eq!(browser.text(".images figure .alt").await, ALT);
    assert!(browser
        .text(".images figcaption")
        .await
        .contains("900×1350"));

    browser.goto(&app.url("/reviews/never-let-me-go")).await;
    let poster = browser.find("img.poster").await;
    let src = poster.attr("src").await.unwrap().unwrap();
    assert!(src.starts_with(&app.url("/media/")), "{src}");
    assert_eq!(poster.attr("alt").await.unwrap().as_deref(), Some(ALT));
    assert_eq!(poster.attr("width").await.unwrap().as_deref(), Some("900"));
    // The browser loads it: it has pixels.
    eventually("the poster to load", Duration::from_secs(10), || async {
        let width = browser
            .client
            .execute(
                "return document.querySelector('img.poster').naturalWidth;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        match width.as_u64() {
            Some(w) if w > 0 => Ok(()),
            _ => Err(format!("naturalWidth {width}")),
        }
    })
    .await;

    browser.goto(&app.url("/")).await;
    let thumb = browser.find(".card img.thumb").await;
    let thumb_src = thumb.attr("src").await.unwrap().unwrap();
    assert!(thumb_src.starts_with(&app.url("/media/")), "{thumb_src}");
    assert_eq!(thumb.attr("width").await.unwrap().as_deref(), Some("320"));
    browser.stop().await;
    app.stop().await;
}
