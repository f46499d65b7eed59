//! AVIF, which is not decoded here: bounded by the size its container declares, refused when
//! it carries metadata, kept as sent otherwise.

use reviewpub::media::avif::{parse, Avif};

use super::{query, upload, ALT};
use crate::helpers::{sample_review, TestApp};

fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(content.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(content);
    out
}

/// A minimal AVIF container (no image data is needed to bound it).
fn container(width: u32, height: u32, exif: bool) -> Vec<u8> {
    let mut ispe = vec![0; 4];
    ispe.extend_from_slice(&width.to_be_bytes());
    ispe.extend_from_slice(&height.to_be_bytes());
    let ipco = boxed(b"ipco", &boxed(b"ispe", &ispe));
    let mut meta = vec![0; 4];
    meta.extend(boxed(b"hdlr", &[0; 24]));
    let mut infe = vec![2, 0, 0, 0, 0, 1, 0, 0];
    infe.extend_from_slice(if exif { b"Exif" } else { b"av01" });
    meta.extend(boxed(
        b"iinf",
        &[&[0u8; 6][..], &boxed(b"infe", &infe)].concat(),
    ));
    meta.extend(boxed(b"iprp", &ipco));
    let mut file = boxed(b"ftyp", b"avif\0\0\0\0avifmif1miaf");
    file.extend(boxed(b"meta", &meta));
    file.extend(boxed(b"mdat", &[0; 16]));
    file
}

#[test]
fn the_size_and_metadata_are_read_from_the_container() {
    assert_eq!(
        parse(&container(4000, 3000, false)),
        Some(Avif {
            width: 4000,
            height: 3000,
            has_metadata: false
        })
    );
    assert!(parse(&container(10, 10, true)).unwrap().has_metadata);
    assert_eq!(parse(b"\0\0\0\x08ftyp"), None);
    assert_eq!(parse(&[0xff; 64]), None);
    let mut truncated = container(10, 10, false);
    truncated.truncate(40);
    assert_eq!(parse(&truncated), None);
    // A box claiming more than there is stops the walk.
    assert_eq!(parse(b"\xff\xff\xff\xffftypavif"), None);
}

#[tokio::test]
async fn avif_is_kept_as_sent_unless_too_large_or_carrying_metadata() {
    let app = TestApp::spawn_with(|f| f.merge(("media.max_pixels", 1_000_000))).await;
    let review = app.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let poster = query("still", ALT);
    let (status, answer) = upload(&app, id, &poster, container(4000, 3000, false)).await;
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = upload(&app, id, &poster, container(800, 600, true)).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["details"]["file"]
        .as_str()
        .unwrap()
        .contains("metadata"));
    assert_eq!(reviewpub::db::images::count(&app.pool).await.unwrap(), 0);
    let kept = container(800, 600, false);
    let (status, answer) = upload(&app, id, &poster, kept.clone()).await;
    assert_eq!(status, 201, "{answer}");
    let url = answer["sizes"][0]["url"].as_str().unwrap();
    assert!(url.ends_with(".avif"), "{url}");
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "image/avif");
    assert_eq!(response.bytes().await.unwrap().to_vec(), kept);
    app.stop().await;
}
