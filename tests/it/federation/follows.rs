//! Follows and what followers receive: the life of a review in their inboxes, approval of
//! follows, scheduled reviews.

use axum::http::Method;
use reqwest::Method as HttpMethod;
use reviewpub::federation::signatures;
use serde_json::{json, Value};

use super::{get_json, settled_deliveries, MASTODON_ACCEPT, PUBLIC};
use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::{Peer, Received};

/// Checks that a request reviewpub sent carries a valid signature by the blog's key.
async fn assert_signed_by_blog(app: &TestApp, received: &Received) {
    let (_, _, actor) = get_json(app, &app.url("/users/reviews"), MASTODON_ACCEPT).await;
    let pem = actor["publicKey"]["publicKeyPem"].as_str().expect("pem");
    let host = received
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    signatures::verify(
        &Method::POST,
        &received.path,
        &received.headers,
        &host,
        pem,
        true,
    )
    .unwrap_or_else(|e| panic!("delivery signature does not verify: {e}"));
    // Fedify and Mastodon require a signed `date`; a signed `host` binds the request to its inbox.
    let signature = received
        .headers
        .get("signature")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let signed = signature
        .split("headers=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .unwrap_or_default();
    for header in ["(request-target)", "host", "date", "digest"] {
        assert!(
            signed.split(' ').any(|h| h == header),
            "{header} is not signed: {signature}"
        );
    }
    let key_id = signatures::SignatureHeader::parse(signature)
        .expect("a well-formed Signature header")
        .signer()
        .expect("keyId");
    assert_eq!(key_id.as_str(), app.url("/users/reviews"));
}

#[tokio::test]
async fn follow_publish_edit_unpublish_delete_and_unfollow() {
    let app = TestApp::spawn().await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");

    // 1. Follow: accepted at once; the Accept reaches alice's own inbox, signed by the blog.
    let follow = peer.follow(&actor, "follow-1");
    let response = peer.post(&format!("{actor}/inbox"), &follow).await;
    assert_eq!(response.status().as_u16(), 202);
    let accepts = peer.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    assert_eq!(accepts[0].path, "/users/alice/inbox");
    assert_eq!(accepts[0].body["actor"], actor);
    assert_eq!(accepts[0].body["object"]["id"], peer.id("follow-1"));
    assert_eq!(accepts[0].body["object"]["type"], "Follow");
    assert_signed_by_blog(&app, &accepts[0]).await;

    let followers: Value = app.api(HttpMethod::GET, "/followers").fetch_json().await;
    assert_eq!(followers["total"], 1);
    assert_eq!(followers["items"][0]["actor"], peer.actor_id);
    assert_eq!(
        followers["items"][0]["handle"],
        format!("@alice@{}", peer.base.trim_start_matches("http://"))
    );
    assert_eq!(
        followers["items"][0]["inbox"], peer.shared_inbox,
        "deliveries prefer the shared inbox"
    );
    assert_eq!(followers["items"][0]["status"], "accepted");
    let (_, _, collection) = get_json(&app, &format!("{actor}/followers"), MASTODON_ACCEPT).await;
    assert_eq!(collection["totalItems"], 1);
    let (_, _, followers_page) =
        get_json(&app, &format!("{actor}/followers?page=1"), MASTODON_ACCEPT).await;
    assert_eq!(followers_page["orderedItems"], json!([peer.actor_id]));

    // A repeated delivery of the same Follow changes nothing.
    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );

    // 2–3. A new review arrives as a Create{Article} in the shared inbox.
    let created = app.create_review(sample_review("Heat (1995)")).await;
    let creates = peer.wait_for("Create", 1, |r| r.kind() == "Create").await;
    let create = &creates[0];
    assert_eq!(create.path, "/inbox");
    assert_eq!(create.body["actor"], actor);
    assert_eq!(create.body["to"], json!([PUBLIC]));
    assert_eq!(create.body["object"]["type"], "Article");
    assert_eq!(create.body["object"]["id"], created["ap_id"]);
    assert_eq!(create.body["object"]["name"], "Heat (1995)");
    assert!(create.body["@context"]
        .as_array()
        .expect("context")
        .contains(&json!("https://w3id.org/security/v1")));
    assert_signed_by_blog(&app, create).await;

    // 4. An edit arrives as an Update with a newer `updated`.
    crate::helpers::edits_count_for(&created).await;
    let id = created["id"].as_str().expect("id");
    app.api(HttpMethod::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Heat (1995), revisited"}))
        .send()
        .await
        .expect("PATCH");
    let updates = peer.wait_for("Update", 1, |r| r.kind() == "Update").await;
    let object = &updates[0].body["object"];
    assert_eq!(object["name"], "Heat (1995), revisited");
    assert!(
        object["updated"].as_str().expect("updated")
            > object["published"].as_str().expect("published")
    );

    // Back to draft: deleted from the fediverse. Published again: created again.
    app.api(HttpMethod::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "draft"}))
        .send()
        .await
        .expect("PATCH");
    let deletes = peer.wait_for("Delete", 1, |r| r.kind() == "Delete").await;
    assert_eq!(deletes[0].body["object"]["type"], "Tombstone");
    assert_eq!(deletes[0].body["object"]["id"], created["ap_id"]);
    app.api(HttpMethod::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "published"}))
        .send()
        .await
        .expect("PATCH");
    peer.wait_for("second Create", 2, |r| r.kind() == "Create")
        .await;

    // Deleted for good: a Delete with a Tombstone.
    app.api(HttpMethod::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    peer.wait_for("second Delete", 2, |r| r.kind() == "Delete")
        .await;

    // Drafts never federate.
    let mut draft = sample_review("Never Sent");
    draft["status"] = json!("draft");
    app.create_review(draft).await;

    // 5. Unfollow: removed, and nothing is sent to alice any more.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.id("undo-1"),
        "type": "Undo",
        "actor": peer.actor_id,
        "object": follow,
    });
    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &undo)
            .await
            .status()
            .as_u16(),
        202
    );
    let followers: Value = app.api(HttpMethod::GET, "/followers").fetch_json().await;
    assert_eq!(followers["total"], 0);
    app.create_review(sample_review("After Unfollow")).await;
    // Once every queued delivery is written back (in batches, after the peer answered), and
    // nothing was queued for the review published after the unfollow, nothing more can come.
    let settled = settled_deliveries(&app).await;
    assert_eq!(settled.len(), 6, "{settled:?}");
    assert!(
        settled.iter().all(|(_, status)| status == "delivered"),
        "{settled:?}"
    );
    let kinds: Vec<String> = peer
        .received()
        .iter()
        .map(|r| r.kind().to_string())
        .collect();
    assert_eq!(
        kinds,
        vec!["Accept", "Create", "Update", "Delete", "Create", "Delete"],
        "nothing after the unfollow, no duplicates"
    );
    app.stop().await;
}

#[tokio::test]
async fn follows_wait_for_approval_when_configured() {
    let app =
        TestApp::spawn_with(|f| f.merge(("federation.manually_approves_followers", true))).await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    let (_, _, doc) = get_json(&app, &actor, MASTODON_ACCEPT).await;
    assert_eq!(doc["manuallyApprovesFollowers"], true);

    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &peer.follow(&actor, "f1"))
            .await
            .status()
            .as_u16(),
        202
    );
    let pending: Value = app
        .api(HttpMethod::GET, "/followers?status=pending")
        .fetch_json()
        .await;
    assert_eq!(pending["total"], 1);
    app.create_review(sample_review("Not For Pending")).await;
    // Deliveries are queued with the change itself: none means none will be sent.
    assert_eq!(
        settled_deliveries(&app).await,
        [],
        "no Accept and no reviews before approval"
    );
    assert!(peer.received().is_empty());

    let id = pending["items"][0]["id"].as_str().expect("id");
    let approved: Value = app
        .api(HttpMethod::POST, &format!("/followers/{id}/approve"))
        .fetch_json()
        .await;
    assert_eq!(approved["status"], "accepted");
    peer.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    app.create_review(sample_review("For Followers")).await;
    peer.wait_for("Create", 1, |r| r.kind() == "Create").await;

    let reject = app
        .api(HttpMethod::POST, &format!("/followers/{id}/reject"))
        .send()
        .await
        .expect("POST");
    assert_eq!(reject.status().as_u16(), 204);
    let rejects = peer.wait_for("Reject", 1, |r| r.kind() == "Reject").await;
    assert_eq!(rejects[0].body["object"]["id"], peer.id("f1"));
    let all: Value = app.api(HttpMethod::GET, "/followers").fetch_json().await;
    assert_eq!(all["total"], 0);
    app.stop().await;
}

#[tokio::test]
async fn scheduled_reviews_federate_when_they_go_live() {
    let app = TestApp::spawn().await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &peer.follow(&actor, "f"))
            .await
            .status()
            .as_u16(),
        202
    );
    peer.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    let mut review = sample_review("Later");
    review["status"] = json!("scheduled");
    let publish_at = std::time::Instant::now() + std::time::Duration::from_secs(2);
    review["publish_at"] = json!((chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339());
    let created = app.create_review(review).await;
    let creates = peer
        .wait_for("the Create at publish time", 1, |r| r.kind() == "Create")
        .await;
    assert_eq!(creates[0].body["object"]["id"], created["ap_id"]);
    assert!(creates[0].at >= publish_at, "not before its time");
    app.stop().await;
}
