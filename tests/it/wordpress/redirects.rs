//! The old blog's addresses answer 301 to the new pages.

use super::{import, FIXTURE};
use crate::helpers::TestApp;

async fn location(app: &TestApp, path: &str) -> (u16, Option<String>) {
    let response = app.get(path).await;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    (response.status().as_u16(), location)
}

#[tokio::test]
async fn old_wordpress_permalinks_answer_301_to_the_new_page() {
    let app = TestApp::spawn().await;
    let old = "/2011/02/04/never-let-me-go/";
    assert_eq!(
        location(&app, old).await.0,
        404,
        "nothing there before the import"
    );
    let (status, report) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{report}");

    let page = Some(app.url("/reviews/never-let-me-go"));
    for path in [old, "/2011/02/04/never-let-me-go", "/?p=123"] {
        assert_eq!(location(&app, path).await, (301, page.clone()), "{path}");
    }
    assert_eq!(
        location(&app, "/2011/03/12/never-let-me-go-2010/").await,
        (301, Some(app.url("/reviews/never-let-me-go-2010")))
    );
    assert_eq!(
        location(&app, "/2011/02/04/never-let-me-go/feed/").await,
        (301, Some(app.url("/reviews/never-let-me-go/comments.xml")))
    );
    assert_eq!(
        location(&app, "/feed/").await,
        (301, Some(app.url("/feed.xml")))
    );
    // A draft's old link says nothing of it; unknown addresses stay 404.
    for path in ["/?p=125", "/?p=999", "/2011/02/04/unknown/"] {
        assert_eq!(location(&app, path).await.0, 404, "{path}");
    }
    // The old blog's page that did not come over: our own page of that name (addresses of
    // ours take no trailing slash).
    assert_eq!(
        location(&app, "/about/").await,
        (301, Some(app.url("/about")))
    );
    // The index is still the index.
    assert_eq!(location(&app, "/?page=1").await.0, 200);

    // A new slug is followed at once (the 301 is not kept by the cache).
    let id = sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT id FROM reviews WHERE slug = 'never-let-me-go'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("id");
    let patched = app
        .api(reqwest::Method::PATCH, &format!("/reviews/{id}"))
        .json(&serde_json::json!({"slug": "never-let-me-go-vern"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(patched.status().as_u16(), 200);
    assert_eq!(
        location(&app, old).await,
        (301, Some(app.url("/reviews/never-let-me-go-vern")))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_blog_in_a_subdirectory_keeps_its_plain_links_under_that_directory() {
    let app = TestApp::spawn().await;
    let export = FIXTURE.replace("https://oldblog.example", "https://oldblog.example/blog");
    let (status, report) = import(&app, "", &export).await;
    assert_eq!(status, 200, "{report}");
    let page = Some(app.url("/reviews/never-let-me-go"));
    for path in [
        "/blog/?p=123",
        "/blog?p=123",
        "/blog/2011/02/04/never-let-me-go/",
    ] {
        assert_eq!(location(&app, path).await, (301, page.clone()), "{path}");
    }
    // The root's plain links are another blog's.
    assert_eq!(location(&app, "/?p=123").await.0, 404);
    app.stop().await;
}
