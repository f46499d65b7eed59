//! `fetch_media`: the posts' images downloaded, stored under content-hash names and served
//! for good.

use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;

use super::{body_html, import, reviews, FIXTURE};
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
    let html = body_html(&all, "never-let-me-go");
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
    let other = body_html(&all, "never-let-me-go-2010");
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

/// A server on `addr` that counts the requests it gets; `None` when it cannot listen there
/// (no IPv6 on this machine).
async fn counting(addr: &str) -> Option<(u16, std::sync::Arc<std::sync::atomic::AtomicUsize>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind(addr).await.ok()?;
    let port = listener.local_addr().expect("addr").port();
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            ([(header::CONTENT_TYPE, "image/jpeg")], "JPEG bytes").into_response()
        }
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    Some((port, hits))
}

#[tokio::test]
async fn fetch_media_never_reaches_into_the_operators_network_unless_allowed() {
    let data = shared_tmp("reviewpub-media-");
    let data_dir = data.path().to_path_buf();
    let app = TestApp::spawn_with(|f| {
        f.merge(("data_dir", data_dir.clone()))
            .merge(("allow_private_networks", false))
    })
    .await;
    let (v4, v4_hits) = counting("127.0.0.1:0").await.expect("loopback");
    let v6 = counting("[::1]:0").await;
    let v6_port = v6.as_ref().map_or(9, |(port, _)| *port);
    let targets = [
        (
            "2011/02/tn_neverletmego.jpg",
            format!("http://127.0.0.1:{v4}/a.jpg"),
        ),
        (
            "2011/02/mp_neverletmego.jpg",
            format!("http://[::1]:{v6_port}/b.jpg"),
        ),
        (
            "2011/03/never_let_me_go_ver5_xlg.jpg",
            "http://169.254.169.254/latest/meta-data/c.jpg".to_string(),
        ),
        (
            "2011/03/nlmg_004313480.jpg",
            format!("http://localhost:{v4}/d.jpg"),
        ),
        (
            "2011/03/nlmg_002143268.jpg",
            format!("http://127.1:{v4}/e.jpg"),
        ),
    ];
    let mut export = FIXTURE.to_string();
    for (old, new) in &targets {
        let old = format!("https://oldblog.example/wp-content/uploads/{old}");
        assert!(export.contains(&old), "{old}");
        export = export.replace(&old, new);
    }
    let (status, report) = import(&app, "?fetch_media=true", &export).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["media_fetched"], 0, "{report}");
    let failed = report["media_failed"].as_array().expect("failed");
    assert_eq!(failed.len(), targets.len(), "{report}");
    for failure in failed {
        let failure = failure.as_str().expect("text");
        assert!(failure.contains("refused"), "{failure}");
    }
    use std::sync::atomic::Ordering;
    assert_eq!(
        v4_hits.load(Ordering::SeqCst),
        0,
        "nothing asked of 127.0.0.1"
    );
    if let Some((_, hits)) = v6 {
        assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing asked of [::1]");
    }
    // The store's directory is made at start-up; nothing is in it.
    assert!(
        std::fs::read_dir(data_dir.join("media")).map_or(true, |mut d| d.next().is_none()),
        "nothing stored"
    );
    // The images stay links to where they were.
    let all = reviews(&app).await;
    let html = body_html(&all, "never-let-me-go");
    assert!(
        html.contains(&format!("http://127.0.0.1:{v4}/a.jpg")),
        "{html}"
    );
    app.stop().await;
}
