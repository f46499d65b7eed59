//! What is refused, with a clear answer and nothing kept: not an image, too many bytes, too
//! many pixels, no alt text, a form without the session's CSRF token.

use super::{api_get, flat_png, png, query, upload, ALT};
use crate::desk::{http_client, set_password, sign_in};
use crate::helpers::{sample_review, shared_tmp, TestApp};

async fn nothing_stored(app: &TestApp, media: &std::path::Path, id: &str) {
    assert_eq!(reviewpub::db::images::count(&app.pool).await.unwrap(), 0);
    let files: Vec<_> = std::fs::read_dir(media)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(files.is_empty(), "{files:?}");
    let stored: serde_json::Value = api_get(app, &format!("/reviews/{id}")).await;
    assert_eq!(
        stored["film"]["poster_url"],
        "https://images.example/never-let-me-go.jpg"
    );
}

#[tokio::test]
async fn refused_uploads_keep_nothing() {
    let data = shared_tmp("reviewpub-images-");
    let data_dir = data.path().to_path_buf();
    let app = TestApp::spawn_with(|f| {
        f.merge(("data_dir", data_dir.clone()))
            .merge(("media.max_upload_bytes", 1_048_576))
            .merge(("media.max_pixels", 1_000_000))
    })
    .await;
    let media = data_dir.join("media");
    let review = app.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let poster = query("poster", ALT);

    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        (
            "HTML called a JPEG",
            poster.clone(),
            b"<html><body>hi</body></html>".to_vec(),
            415,
        ),
        (
            "a GIF",
            poster.clone(),
            b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(),
            415,
        ),
        (
            "over the byte cap",
            poster.clone(),
            vec![0xff; 1_100_000],
            413,
        ),
        (
            "over the pixel cap",
            poster.clone(),
            flat_png(1200, 1000),
            422,
        ),
        (
            "a truncated PNG",
            poster.clone(),
            png(64, 64)[..60].to_vec(),
            422,
        ),
        ("no alt text", query("poster", "   "), png(64, 64), 422),
        ("no alt at all", "kind=poster".to_string(), png(64, 64), 422),
    ];
    for (what, query, bytes, expected) in cases {
        let (status, answer) = upload(&app, id, &query, bytes).await;
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(answer["error"].is_string(), "{what}: {answer}");
        nothing_stored(&app, &media, id).await;
    }
    let (_, answer) = upload(&app, id, "kind=poster", png(64, 64)).await;
    assert!(
        answer["details"]["alt"]
            .as_str()
            .unwrap()
            .contains("required"),
        "{answer}"
    );
    let bomb = flat_png(5_000, 5_000);
    assert!(bomb.len() < 1_048_576, "{} bytes", bomb.len());
    let (_, answer) = upload(&app, id, &poster, bomb).await;
    assert!(
        answer["details"]["file"]
            .as_str()
            .unwrap()
            .contains("pixels"),
        "{answer}"
    );
    let missing = "0190a6f0-0000-7000-8000-000000000000";
    assert_eq!(upload(&app, missing, &poster, png(64, 64)).await.0, 404);
    nothing_stored(&app, &media, id).await;

    // The desk's form: without alt text, a page saying so; with another session's token, 403.
    set_password(&app).await;
    let client = http_client();
    let csrf = sign_in(&app, &client).await;
    let desk = |csrf: &str, alt: &str| {
        let boundary = "reviewpubBoundary7";
        let mut body = Vec::new();
        for (name, value) in [("csrf", csrf), ("kind", "poster"), ("alt", alt)] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(&png(64, 64));
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        client
            .post(app.url(&format!("/admin/reviews/{id}/images")))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let response = desk(&csrf, "").await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("alt: is required: describe the image"),
        "{page}"
    );
    let response = desk("not-the-token", ALT).await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    nothing_stored(&app, &media, id).await;
    // With both, it is kept.
    let response = desk(&csrf, ALT).await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(reviewpub::db::images::count(&app.pool).await.unwrap(), 1);
    app.stop().await;
}
