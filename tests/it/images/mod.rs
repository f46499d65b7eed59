//! Posters and stills: uploads checked, stripped and sized, served from the media store (local
//! or a real S3 protocol server), shown on the pages and carried by the Article.

mod avif;
mod desk;
mod refusals;
mod s3;
mod uploads;

use image::{ImageEncoder, RgbImage};
use serde_json::Value;

use crate::helpers::TestApp;

/// The alt text the tests give.
pub const ALT: &str = "Kathy and Tommy on a grey beach, an upturned boat behind them";

/// A gradient `width` × `height` (so that encoders have something to encode).
fn pixels(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    })
}

fn encode_png(pixels: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            pixels.as_raw(),
            pixels.width(),
            pixels.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode_png(&pixels(width, height))
}

/// One flat colour: many pixels in few bytes (what a decompression bomb is made of).
pub fn flat_png(width: u32, height: u32) -> Vec<u8> {
    encode_png(&RgbImage::new(width, height))
}

/// Where the EXIF block below says the photo was taken.
pub const GPS_SECRET: &str = "taken at home 48.8584N 2.2945E";

/// A JPEG `width` × `height` with an EXIF block: orientation 6 (shown turned 90° clockwise),
/// a GPS IFD and a description naming a place.
pub fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    // TIFF, big-endian: IFD0 (description, orientation, GPS pointer) at 8, the GPS IFD at
    // 50, the description's text at 68.
    let description = format!("{GPS_SECRET}\0");
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&3u16.to_be_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&count.to_be_bytes());
        tiff.extend_from_slice(&value);
    };
    entry(
        &mut tiff,
        0x010e,
        2,
        description.len() as u32,
        68u32.to_be_bytes(),
    );
    entry(&mut tiff, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, 50u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len(), 50);
    tiff.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len(), 68);
    tiff.extend_from_slice(description.as_bytes());
    let mut app1 = vec![0xff, 0xe1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend_from_slice(&app1);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

/// `POST /api/v1/reviews/{id}/images` with `query`; the status and the JSON answer.
pub async fn upload(app: &TestApp, review: &str, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = app
        .api(
            reqwest::Method::POST,
            &format!("/reviews/{review}/images?{query}"),
        )
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `alt=…&kind=…` as a query.
pub fn query(kind: &str, alt: &str) -> String {
    serde_urlencoded::to_string([("kind", kind), ("alt", alt)]).unwrap()
}

/// An admin API GET's JSON answer.
pub async fn api_get(app: &TestApp, path: &str) -> Value {
    app.api(reqwest::Method::GET, path)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

/// GETs an image of ours; its bytes (asserting it is served for good).
pub async fn fetch(app: &TestApp, url: &str) -> Vec<u8> {
    let response = app.client.get(url).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200, "{url}");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let etag = response.headers()["etag"].clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    // Asked again with its ETag: 304, nothing sent.
    let again = app
        .client
        .get(url)
        .header("if-none-match", etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status().as_u16(), 304, "{url}");
    bytes
}
