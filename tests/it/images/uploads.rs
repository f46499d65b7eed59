//! An upload through the admin API: sized without upscaling, stripped of its metadata, shown on
//! the page and the index, carried by the Article, and federated as an edit.

use serde_json::Value;

use super::{api_get, fetch, jpeg_with_exif, png, query, upload, ALT, GPS_SECRET};
use crate::helpers::{sample_review, TestApp};

fn decoded_size(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).expect("an image");
    (image.width(), image.height())
}

fn sizes(answer: &Value) -> Vec<(String, u32, u32)> {
    answer["sizes"]
        .as_array()
        .expect("sizes")
        .iter()
        .map(|s| {
            (
                s["url"].as_str().unwrap().to_string(),
                s["width"].as_u64().unwrap() as u32,
                s["height"].as_u64().unwrap() as u32,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_poster_is_sized_and_shown_on_the_page_the_index_and_the_article() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let (status, answer) = upload(&app, id, &query("poster", ALT), png(1600, 900)).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        (answer["width"].as_u64(), answer["height"].as_u64()),
        (Some(1600), Some(900))
    );
    let sizes = sizes(&answer);
    let widths: Vec<(u32, u32)> = sizes.iter().map(|(_, w, h)| (*w, *h)).collect();
    assert_eq!(widths, vec![(320, 180), (640, 360), (1200, 675)]);
    for (url, w, h) in &sizes {
        assert!(
            url.starts_with(&app.url("/media/")) && url.ends_with(".jpg"),
            "{url}"
        );
        let bytes = fetch(&app, url).await;
        assert_eq!(decoded_size(&bytes), (*w, *h), "{url}");
    }
    let (large, thumb) = (&sizes[2].0, &sizes[0].0);

    // The review's poster is the largest size, with the alt text.
    let stored: Value = api_get(&app, &format!("/reviews/{id}")).await;
    assert_eq!(stored["film"]["poster_url"], large.as_str(), "{stored}");
    assert_eq!(stored["film"]["poster_alt"], ALT);

    let (status, page) = app.get_text("/reviews/never-let-me-go").await;
    assert_eq!(status, 200);
    let html = scraper::Html::parse_document(&page);
    let poster = html
        .select(&scraper::Selector::parse("img.poster").unwrap())
        .next()
        .expect("the poster on the page");
    let attr = |name| poster.value().attr(name).unwrap_or_default().to_string();
    assert_eq!(attr("src"), *large);
    assert_eq!(attr("alt"), ALT);
    assert_eq!(
        (attr("width"), attr("height")),
        ("1200".into(), "675".into())
    );
    assert_eq!(attr("loading"), "lazy");
    let srcset = attr("srcset");
    for (url, w, _) in &sizes {
        assert!(srcset.contains(&format!("{url} {w}w")), "{srcset}");
    }
    assert!(page.contains(&format!("<meta property=\"og:image\" content=\"{large}\">")));

    let (_, index) = app.get_text("/").await;
    let html = scraper::Html::parse_document(&index);
    let thumbs: Vec<String> = html
        .select(&scraper::Selector::parse(".card img.thumb").unwrap())
        .map(|e| e.value().attr("src").unwrap_or_default().to_string())
        .collect();
    assert_eq!(thumbs, vec![thumb.clone()], "{index}");

    // The Article: `image` and an attachment, with the media type, alt text and size.
    let article: Value = app
        .client
        .get(review["ap_id"].as_str().unwrap())
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for image in [&article["image"], &article["attachment"][0]] {
        assert_eq!(image["type"], "Image", "{article}");
        assert_eq!(image["url"], large.as_str());
        assert_eq!(image["mediaType"], "image/jpeg");
        assert_eq!(image["name"], ALT);
        assert_eq!(
            (image["width"].as_u64(), image["height"].as_u64()),
            (Some(1200), Some(675))
        );
    }

    // The published review's edit went out as an Update carrying the new poster.
    let updates: Vec<Value> = sqlx::query_scalar(
        "SELECT body FROM outgoing_activities WHERE kind = 'Update' AND review_id = $1::uuid",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        updates
            .iter()
            .any(|u| u["object"]["image"]["url"] == large.as_str()),
        "{updates:?}"
    );

    // Removing the poster takes it off the review.
    let image = answer["id"].as_str().unwrap();
    let response = app
        .api(
            reqwest::Method::DELETE,
            &format!("/reviews/{id}/images/{image}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (_, page) = app.get_text("/reviews/never-let-me-go").await;
    assert!(!page.contains("class=\"poster\""), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn metadata_is_stripped_the_photo_turned_upright_and_small_images_never_upscaled() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let original = jpeg_with_exif(200, 100);
    // The upload does carry what must go.
    let text = String::from_utf8_lossy(&original);
    assert!(text.contains("Exif") && text.contains(GPS_SECRET));
    let (status, answer) = upload(&app, id, &query("still", ALT), original).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["kind"], "still");
    // Orientation 6: 200 × 100 as stored is 100 × 200 upright; one size, its own.
    assert_eq!(
        (answer["width"].as_u64(), answer["height"].as_u64()),
        (Some(100), Some(200))
    );
    let sizes = sizes(&answer);
    assert_eq!(sizes.len(), 1, "{answer}");
    assert_eq!((sizes[0].1, sizes[0].2), (100, 200));
    let bytes = fetch(&app, &sizes[0].0).await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Exif"), "no EXIF block is left");
    assert!(!text.contains(GPS_SECRET), "nothing of the place is left");
    assert_eq!(decoded_size(&bytes), (100, 200));
    // A still leaves the review's poster alone.
    let stored: Value = api_get(&app, &format!("/reviews/{id}")).await;
    assert_eq!(
        stored["film"]["poster_url"],
        "https://images.example/never-let-me-go.jpg"
    );
    let listed: Value = api_get(&app, &format!("/reviews/{id}/images")).await;
    assert_eq!(listed[0]["alt"], ALT, "{listed}");
    app.stop().await;
}
