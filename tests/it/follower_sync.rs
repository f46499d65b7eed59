//! Followers synchronization (FEP-8fcf): deliveries carry a digest of the blog's followers on
//! the receiving server, and that server (alone) may read the list behind it, signed.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

const ACTIVITY_JSON: &str = "application/activity+json";

/// The XOR of the SHA-256 of each id, in hex, computed here independently of the server.
fn expected_digest(ids: &[&str]) -> String {
    let mut sum = [0u8; 32];
    for id in ids {
        for (s, h) in sum.iter_mut().zip(Sha256::digest(id.as_bytes())) {
            *s ^= h;
        }
    }
    sum.iter().map(|b| format!("{b:02x}")).collect()
}

async fn follow(app: &TestApp, peer: &Peer) {
    let follow = peer.follow(&app.url("/users/reviews"), "follow-1");
    assert_eq!(
        peer.post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
}

#[tokio::test]
async fn deliveries_carry_the_digest_and_each_server_reads_only_its_own_followers() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.pages_per_minute", 0))).await;
    let alice = Peer::start().await;
    let bob = Peer::start().await;
    follow(&app, &alice).await;
    follow(&app, &bob).await;
    app.create_review(sample_review("Synchronized")).await;

    let creates = alice
        .wait_for("the Create", 1, |r| r.kind() == "Create")
        .await;
    let header = creates[0]
        .headers
        .get("collection-synchronization")
        .expect("the header is sent")
        .to_str()
        .expect("text")
        .to_string();
    let followers = app.url("/users/reviews/followers");
    let sync_url = app.url("/users/reviews/followers_synchronization");
    assert!(
        header.contains(&format!("collectionId=\"{followers}\"")),
        "{header}"
    );
    assert!(header.contains(&format!("url=\"{sync_url}\"")), "{header}");
    assert!(
        header.contains(&format!(
            "digest=\"{}\"",
            expected_digest(&[&alice.actor_id])
        )),
        "only alice is on alice's server: {header}"
    );

    // The list behind it: signed, and only the asking server's followers.
    let listed: Value = alice
        .get_signed(&sync_url, ACTIVITY_JSON)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["type"], "OrderedCollection");
    assert_eq!(listed["orderedItems"], serde_json::json!([alice.actor_id]));
    let listed: Value = bob
        .get_signed(&sync_url, ACTIVITY_JSON)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["orderedItems"], serde_json::json!([bob.actor_id]));
    let unsigned = app
        .client
        .get(&sync_url)
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .expect("GET");
    assert_eq!(unsigned.status().as_u16(), 401);
    app.stop().await;
}
