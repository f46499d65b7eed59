//! What the inbox accepts and refuses, and signed fetches: untrusted and unknown activities,
//! secure mode, rotated keys.

use serde_json::{json, Value};

use super::{get_json, host, settled_deliveries, MASTODON_ACCEPT};
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn the_inbox_refuses_what_it_cannot_trust_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    let inbox = app.url("/inbox");
    let remote_actors = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM remote_actors")
            .fetch_one(&app.pool)
            .await
            .expect("count")
    };

    let unsigned = peer
        .post_unsigned(&inbox, &peer.follow(&actor, "unsigned"))
        .await;
    assert_eq!(unsigned.status().as_u16(), 401);
    assert_eq!(
        remote_actors().await,
        0,
        "nothing stored before the signature check"
    );

    let tampered = peer
        .post_tampered(&inbox, &peer.follow(&actor, "a"), &peer.follow(&actor, "b"))
        .await;
    assert_eq!(
        tampered.status().as_u16(),
        401,
        "Digest must match the body"
    );

    // Signed under alice's key id with another key: the signature does not verify.
    let forged = peer
        .post_with_wrong_key(&inbox, &peer.follow(&actor, "forged"))
        .await;
    assert_eq!(forged.status().as_u16(), 401);
    // Signed by alice, but claiming to come from someone else: the key owner must be the actor.
    let mut not_hers = peer.follow(&actor, "not-hers");
    not_hers["actor"] = json!(format!("{}/users/bob", peer.base));
    not_hers["id"] = json!(format!("{}/activities/not-hers", peer.base));
    let claimed = peer.post(&inbox, &not_hers).await;
    assert_eq!(
        claimed.status().as_u16(),
        401,
        "bob cannot be fetched, so his key cannot verify alice's signature"
    );
    let followers: i64 = sqlx::query_scalar("SELECT count(*) FROM followers")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(followers, 0);

    let stale = peer
        .post_dated(
            &inbox,
            &peer.follow(&actor, "stale"),
            chrono::Utc::now() - chrono::Duration::hours(3),
        )
        .await;
    assert_eq!(
        stale.status().as_u16(),
        401,
        "a three-hour-old signed Date is refused"
    );
    let future = peer
        .post_dated(
            &inbox,
            &peer.follow(&actor, "future"),
            chrono::Utc::now() + chrono::Duration::hours(2),
        )
        .await;
    assert_eq!(
        future.status().as_u16(),
        401,
        "a Date two hours ahead is refused"
    );

    let huge = json!({"id": peer.id("huge"), "type": "Note", "actor": peer.actor_id, "content": "x".repeat(1_100_000)});
    let too_big = peer.post(&inbox, &huge).await;
    assert_eq!(too_big.status().as_u16(), 413);

    let received: i64 = sqlx::query_scalar("SELECT count(*) FROM received_activities")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(received, 0);
    app.stop().await;
}

#[tokio::test]
async fn unknown_activities_are_acknowledged_and_duplicates_ignored() {
    let app = TestApp::spawn().await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    let question = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": peer.id("q"), "type": "Question", "actor": peer.actor_id, "object": actor});
    assert_eq!(
        peer.post(&app.url("/inbox"), &question)
            .await
            .status()
            .as_u16(),
        202
    );
    let malformed = json!({"type": "Follow", "object": actor});
    assert_eq!(
        peer.post(&app.url("/inbox"), &malformed)
            .await
            .status()
            .as_u16(),
        400
    );

    let follow = peer.follow(&actor, "twice");
    for _ in 0..3 {
        assert_eq!(
            peer.post(&format!("{actor}/inbox"), &follow)
                .await
                .status()
                .as_u16(),
            202
        );
    }
    peer.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    assert_eq!(
        settled_deliveries(&app).await,
        [("Accept".to_string(), "delivered".to_string())],
        "one Accept queued for one Follow"
    );
    assert_eq!(
        peer.received()
            .iter()
            .filter(|r| r.kind() == "Accept")
            .count(),
        1,
        "one Accept for one Follow"
    );
    let followers: i64 = sqlx::query_scalar("SELECT count(*) FROM followers")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(followers, 1);
    // A follow of someone who is not the blog is refused.
    let elsewhere = peer.follow(&app.url("/actor"), "instance");
    assert_eq!(
        peer.post(&app.url("/inbox"), &elsewhere)
            .await
            .status()
            .as_u16(),
        422
    );
    app.stop().await;
}

#[tokio::test]
async fn secure_mode_requires_signed_fetches_but_keeps_actors_public() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.authorized_fetch", true))).await;
    let peer = Peer::start().await;
    let created = app.create_review(sample_review("Secure")).await;
    let ap_id = created["ap_id"].as_str().expect("ap_id");
    let page = created["url"].as_str().expect("url");
    let followers = app.url("/users/reviews/followers");

    for url in [ap_id, page, followers.as_str()] {
        let (status, _, _) = get_json(&app, url, MASTODON_ACCEPT).await;
        assert_eq!(status, 401, "unsigned fetch of {url}");
        let signed = peer.get_signed(url, MASTODON_ACCEPT).await;
        assert_eq!(signed.status().as_u16(), 200, "signed fetch of {url}");
    }
    let signed: Value = peer
        .get_signed(ap_id, MASTODON_ACCEPT)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(signed["type"], "Article");

    // Collections answer JSON whatever the Accept header says: no Accept is no way around it.
    for path in [
        "/users/reviews/outbox",
        "/users/reviews/followers",
        "/users/reviews/featured",
    ] {
        assert_eq!(
            app.get(path).await.status().as_u16(),
            401,
            "{path} without Accept"
        );
    }

    // Actors, keys, discovery and the HTML page stay public.
    for url in [app.url("/users/reviews"), app.url("/actor")] {
        let (status, _, _) = get_json(&app, &url, MASTODON_ACCEPT).await;
        assert_eq!(status, 200, "{url}");
    }
    assert_eq!(
        app.get(&format!(
            "/.well-known/webfinger?resource=acct:reviews@{}",
            host(&app)
        ))
        .await
        .status()
        .as_u16(),
        200
    );
    assert_eq!(
        app.client
            .get(page)
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET")
            .status()
            .as_u16(),
        200
    );

    // A signature under alice's key id made with another key is refused.
    let forged = peer
        .get_signed_with_wrong_key(&followers, MASTODON_ACCEPT)
        .await;
    assert_eq!(forged.status().as_u16(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_rotated_key_is_fetched_again_when_a_signature_fails() {
    let app = TestApp::spawn().await;
    let mut peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &peer.follow(&actor, "before"))
            .await
            .status()
            .as_u16(),
        202
    );
    peer.rotate_key().await;
    let undo = json!({"id": peer.id("undo"), "type": "Undo", "actor": peer.actor_id, "object": peer.follow(&actor, "before")});
    assert_eq!(
        peer.post(&format!("{actor}/inbox"), &undo)
            .await
            .status()
            .as_u16(),
        202,
        "verified with the new key"
    );
    let stored: String =
        sqlx::query_scalar("SELECT public_key_pem FROM remote_actors WHERE id = $1")
            .bind(&peer.actor_id)
            .fetch_one(&app.pool)
            .await
            .expect("actor");
    let doc: Value = reqwest::get(&peer.actor_id)
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        stored,
        doc["publicKey"]["publicKeyPem"].as_str().expect("pem"),
        "the cached key was refreshed"
    );
    let followers: i64 = sqlx::query_scalar("SELECT count(*) FROM followers")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(followers, 0);
    app.stop().await;
}
