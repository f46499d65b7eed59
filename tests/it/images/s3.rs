//! Media in an S3-compatible bucket: a real S3 protocol server (s3s over a temporary directory)
//! on loopback, and two reviewpub processes configured with the same bucket. An image uploaded
//! through one is served by the other.

use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

use super::{fetch, png, query, upload, ALT};
use crate::helpers::{sample_review, shared_tmp, TestApp};

const BUCKET: &str = "reviewpub-media";
const ACCESS_KEY: &str = "reviewpub-test";
const SECRET_KEY: &str = "reviewpub-test-secret-key";

/// Starts an S3 server on loopback storing under `root` (with the bucket made); its address.
async fn s3_server(root: &std::path::Path) -> String {
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

fn on_s3(endpoint: String) -> impl FnOnce(figment::Figment) -> figment::Figment {
    move |f| {
        f.merge(("media.store", "s3"))
            .merge(("media.bucket", BUCKET))
            .merge(("media.endpoint", endpoint))
            .merge(("media.region", "us-east-1"))
            .merge(("media.access_key_id", ACCESS_KEY))
            .merge(("media.secret_access_key", SECRET_KEY))
            .merge(("media.allow_http", true))
    }
}

#[tokio::test]
async fn two_processes_on_one_bucket_serve_each_others_images() {
    let root = shared_tmp("reviewpub-s3-");
    let endpoint = s3_server(root.path()).await;
    let one = TestApp::spawn_with(on_s3(endpoint.clone())).await;
    let two = TestApp::spawn_with(on_s3(endpoint)).await;
    let review = one.create_review(sample_review("Never Let Me Go")).await;
    let id = review["id"].as_str().unwrap();
    let (status, answer) = upload(&one, id, &query("poster", ALT), png(800, 450)).await;
    assert_eq!(status, 201, "{answer}");
    for size in answer["sizes"].as_array().unwrap() {
        let url = size["url"].as_str().unwrap();
        let name = url.rsplit('/').next().unwrap();
        // In the bucket, not on either process's disk.
        assert!(root.path().join(BUCKET).join(name).is_file(), "{name}");
        let from_one = fetch(&one, url).await;
        let from_two = fetch(&two, &two.url(&format!("/media/{name}"))).await;
        assert_eq!(from_one, from_two);
        let image = image::load_from_memory(&from_two).unwrap();
        assert_eq!(u64::from(image.width()), size["width"].as_u64().unwrap());
    }
    assert_eq!(
        two.get(&format!("/media/{}.jpg", "0".repeat(64)))
            .await
            .status()
            .as_u16(),
        404
    );
    one.stop().await;
    two.stop().await;
}
