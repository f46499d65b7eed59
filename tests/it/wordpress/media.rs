//! `fetch_media`: the posts' images downloaded, stored under content-hash names and served
//! for good.

use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;

use super::{by_slug, import, reviews, FIXTURE};
use crate::helpers::{shared_tmp, TestApp};

/// The old blog's uploads on loopback: every `.jpg` is an image (its bytes name its path),
/// except one that answers HTML.
async fn uploads() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = axum::Router::new().fallback(|uri: Uri| async move {
        let path = uri.path().to_string();
        if path.contains("nlmg_002143268") {
            return (
                [(header::CONTENT_TYPE, "text/html")],
                "<html>not an image</html>",
            )
                .into_response();
        }
        if !path.ends_with(".jpg") {
            return StatusCode::NOT_FOUND.into_response();
        }
        (
            [(header::CONTENT_TYPE, "image/jpeg")],
            format!("JPEG bytes of {path}"),
        )
            .into_response()
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    format!("http://localhost:{port}/uploads")
}

#[tokio::test]
async fn fetch_media_stores_the_posts_images_and_serves_them_for_good() {
    let data = shared_tmp("reviewpub-media-");
    let data_dir = data.path().to_path_buf();
    let app = TestApp::spawn_with(|f| f.merge(("data_dir", data_dir))).await;
    let uploads = uploads().await;
    let export = FIXTURE.replace("https://oldblog.example/wp-content/uploads", &uploads);
    let (status, report) = import(&app, "?fetch_media=true", &export).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["media_fetched"], 4, "{report}");
    let failed = report["media_failed"].as_array().expect("failed");
    assert_eq!(failed.len(), 1, "{report}");
    assert!(
        failed[0].as_str().unwrap().contains("text/html"),
        "{report}"
    );

    let all = reviews(&app).await;
    let html = by_slug(&all, "never-let-me-go")["body_html"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !html.contains(&uploads),
        "every image of this post is served from here: {html}"
    );
    let media = app.url("/media/");
    let at = html.find(&format!("src=\"{media}")).expect("a local image");
    let src: String = html[at + 5..].chars().take_while(|&c| c != '"').collect();
    let response = app.client.get(&src).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let body = response.text().await.expect("body");
    assert!(
        body.starts_with("JPEG bytes of /uploads/2011/02/"),
        "{body}"
    );
    // The image that was not one stays a link to where it was.
    let other = by_slug(&all, "never-let-me-go-2010")["body_html"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        other.contains(&format!("{uploads}/2011/03/nlmg_002143268.jpg")),
        "{other}"
    );
    assert_eq!(
        app.get("/media/..%2F..%2Fetc%2Fpasswd")
            .await
            .status()
            .as_u16(),
        404
    );
    app.stop().await;
}
