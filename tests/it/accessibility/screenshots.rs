//! The README's pictures of the desk and a review: taken from the seeded blog, written to
//! `$REVIEWPUB_SCREENSHOTS` when set (`docs/screenshots` retakes the README's), else to a
//! temporary directory; each checked to be a PNG of the window's size.

use std::path::PathBuf;

use super::blog;
use crate::desk::sign_in_browser;
use crate::helpers::browser::Browser;

/// The PNG's width and height, from its signature and IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {:?}",
        &png[..png.len().min(8)]
    );
    assert_eq!(&png[12..16], b"IHDR", "the PNG starts with its header");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    (number(16), number(20))
}

struct Camera {
    dir: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

/// The page's size in the screenshots, in pixels.
const SIZE: (u32, u32) = (1200, 900);

/// The size of the window's page, in device pixels.
async fn viewport(browser: &Browser) -> (u32, u32) {
    let size = browser
        .client
        .execute(
            "return [Math.round(innerWidth * devicePixelRatio), \
             Math.round(innerHeight * devicePixelRatio)];",
            vec![],
        )
        .await
        .expect("the window's size");
    serde_json::from_value(size).expect("two numbers")
}

impl Camera {
    async fn new(browser: &Browser) -> Self {
        let (dir, temporary) = match std::env::var_os("REVIEWPUB_SCREENSHOTS") {
            Some(dir) => (PathBuf::from(dir), None),
            None => {
                let temporary = tempfile::tempdir().expect("temporary directory");
                (temporary.path().to_path_buf(), Some(temporary))
            }
        };
        std::fs::create_dir_all(&dir).expect("the screenshots' directory");
        // The window grown by what its frame takes, for a page of exactly SIZE.
        let (width, height) = browser.client.get_window_size().await.expect("window");
        let (inner_width, inner_height) = viewport(browser).await;
        let width = u32::try_from(width).expect("width") - inner_width + SIZE.0;
        let height = u32::try_from(height).expect("height") - inner_height + SIZE.1;
        browser
            .client
            .set_window_size(width, height)
            .await
            .expect("resize");
        assert_eq!(viewport(browser).await, SIZE);
        Self {
            dir,
            _temporary: temporary,
        }
    }

    async fn take(&self, browser: &Browser, name: &str) {
        let png = browser.screenshot().await;
        assert_eq!(png_size(&png), SIZE, "{name} is the window's size");
        let path = self.dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("write the screenshot");
        eprintln!("{}: {} bytes", path.display(), png.len());
    }
}

#[tokio::test]
async fn screenshots_of_the_desk_and_a_review() {
    let blog = blog::seed().await;
    let app = &blog.app;
    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/sign-in")).await;
    let camera = Camera::new(&browser).await;
    camera.take(&browser, "sign-in").await;

    sign_in_browser(app, &browser).await;
    camera.take(&browser, "desk-home").await;

    let draft = blog.draft["id"].as_str().expect("id");
    browser
        .goto(&app.url(&format!("/admin/reviews/{draft}")))
        .await;
    browser.click("button[value=preview]").await;
    browser
        .client
        .execute(
            "document.querySelector('iframe.preview').scrollIntoView({block: 'end'});",
            vec![],
        )
        .await
        .expect("scroll to the preview");
    camera.take(&browser, "editor-preview").await;

    browser.goto(&app.url("/admin/comments")).await;
    browser.find(".queued").await;
    camera.take(&browser, "comments-held").await;

    browser.goto(&app.url("/admin/fediverse")).await;
    camera.take(&browser, "fediverse").await;

    let slug = blog.review["slug"].as_str().expect("slug");
    browser.goto(&app.url(&format!("/reviews/{slug}"))).await;
    camera.take(&browser, "review").await;
    browser.stop().await;
}
