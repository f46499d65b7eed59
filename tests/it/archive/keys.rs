//! The actors' keys move only with `--with-keys`; moved, they sign as the old blog did.

use axum::http::Method;
use reviewpub::federation::signatures;

use super::{actor, export, follow, import, publish, successor, unzipped};
use crate::helpers::{deliveries_idle, TestApp};
use crate::peer::Peer;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn keys_move_only_when_asked_and_then_sign_as_the_old_blog() {
    let a = TestApp::spawn().await;
    let peer = Peer::start().await;
    follow(&a, &peer).await;
    deliveries_idle(&a.pool).await;
    let pem_a = actor(&a).await["publicKey"]["publicKeyPem"].clone();
    assert!(pem_a.is_string());

    let without = export(&a, false).await;
    assert!(!contains(&unzipped(&without), b"PRIVATE KEY"));
    let with = export(&a, true).await;
    assert!(contains(&unzipped(&with), b"PRIVATE KEY"));

    // Without keys: the new instance keeps its own.
    let b = successor(&a).await;
    assert!(!import(&b, &without).await.expect("import").keys);
    assert_ne!(actor(&b).await["publicKey"]["publicKeyPem"], pem_a);

    // With them: after a restart it signs with A's key, under A's key id.
    let c = successor(&a).await;
    assert!(import(&c, &with).await.expect("import").keys);
    let c = c.restart().await;
    assert_eq!(actor(&c).await["publicKey"]["publicKeyPem"], pem_a);
    publish(&c, "Heat").await;
    let creates = peer.wait_for("Create", 1, |r| r.kind() == "Create").await;
    let create = &creates[0];
    let host = create
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .expect("host");
    signatures::verify(
        &Method::POST,
        &create.path,
        &create.headers,
        host,
        pem_a.as_str().expect("pem"),
        true,
    )
    .expect("the delivery verifies with A's public key");
    let signature = create
        .headers
        .get("signature")
        .and_then(|h| h.to_str().ok())
        .expect("signed");
    let key_id = signatures::SignatureHeader::parse(signature)
        .expect("a Signature header")
        .signer()
        .expect("keyId");
    assert_eq!(key_id.as_str(), a.url("/users/reviews"));
}
