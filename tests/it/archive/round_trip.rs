//! The demo, with a follower, blocks of each severity, a held comment, the critic's answer, a
//! like, a pin and a former slug, exported from one instance and imported into a fresh one at
//! the same public URL: the same pages and documents, byte for byte.

use reqwest::Method;
use reviewpub::federation::outbox::Outbox;
use serde_json::{json, Value};

use super::{actor, api_json, export, follow, import, successor, AP_ACCEPT};
use crate::helpers::{deliveries_idle, samples_dir, TestApp};
use crate::peer::Peer;

/// GETs `path` from both instances: the same status, `Location` and body; returns the body.
async fn same(a: &TestApp, b: &TestApp, path: &str, accept: &str) -> String {
    let mut answers = Vec::new();
    for app in [a, b] {
        let response = app
            .client
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        let location = response.headers().get("location").cloned();
        answers.push((status, location, response.text().await.expect("body")));
    }
    let (first, second) = (&answers[0], &answers[1]);
    assert_eq!(first.0, second.0, "{path}: status");
    assert!(first.0 < 400, "{path}: {}", first.0);
    assert_eq!(first.1, second.1, "{path}: Location");
    assert_eq!(first.2, second.2, "{path}: body");
    answers.swap_remove(0).2
}

/// Builds a blog worth moving on `a`; returns the review that was renamed and its old slug.
async fn populate(a: &TestApp, peer: &Peer) -> (Value, String) {
    let outbox = Outbox::new(a.settings());
    let report = reviewpub::demo::load(&a.pool, a.settings(), &outbox, &samples_dir())
        .await
        .expect("demo");
    assert_eq!(report.created.len(), 2);
    follow(a, peer).await;
    let reviews = api_json(a, "/reviews").await;
    let review = reviews["items"][0].clone();
    let id = review["id"].as_str().expect("id").to_string();
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();

    // A reply from alice, held for approval (her first); a like.
    let note = peer.note(
        "reply-1",
        &ap_id,
        "<p>Held <b>back</b></p>",
        true,
        &a.url("/users/reviews"),
    );
    let create = peer.activity("Create", "create-reply-1", note);
    assert_eq!(
        peer.post(&a.url("/inbox"), &create).await.status().as_u16(),
        202
    );
    let like = peer.activity("Like", "like-1", json!(ap_id));
    assert_eq!(
        peer.post(&a.url("/inbox"), &like).await.status().as_u16(),
        202
    );

    // The critic answers a reader's response imported by the demo.
    let published = api_json(a, "/comments?status=published").await;
    let reader = published["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["review_id"] == review["id"])
        .or_else(|| published["items"].get(0))
        .expect("the demo's reader responses")
        .clone();
    let reader_review = reader["review_id"].as_str().expect("review_id");
    let answer = a
        .api(Method::POST, &format!("/reviews/{reader_review}/comments"))
        .json(&json!({"in_reply_to": reader["id"], "body": "Thank you, *truly*."}))
        .send()
        .await
        .expect("POST");
    assert_eq!(answer.status().as_u16(), 201);

    // Blocks: an actor and a server suspended, a server silenced.
    for block in [
        json!({"actor": "https://spam.example/users/x"}),
        json!({"domain": "bad.example", "reason": "spam"}),
    ] {
        let response = a
            .api(Method::POST, "/blocks")
            .json(&block)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status().as_u16(), 201);
    }
    let silenced = a
        .api(Method::POST, "/blocks/import")
        .header("content-type", "text/csv")
        .body("#domain,#severity\nquiet.example,silence\n")
        .send()
        .await
        .expect("POST");
    assert_eq!(silenced.status().as_u16(), 200);

    // Pinned, then renamed: the old slug redirects.
    let pin = a
        .api(Method::POST, &format!("/reviews/{id}/pin"))
        .send()
        .await
        .expect("POST");
    assert!(pin.status().is_success());
    let old_slug = review["slug"].as_str().expect("slug").to_string();
    let renamed = a
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"slug": format!("{old_slug}-renamed")}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(renamed.status().as_u16(), 200);
    let pending = api_json(a, "/comments?status=pending").await;
    assert_eq!(
        pending["items"].as_array().map(Vec::len),
        Some(1),
        "the held reply: {pending}"
    );
    deliveries_idle(&a.pool).await;
    (renamed.json().await.expect("JSON"), old_slug)
}

#[tokio::test]
async fn the_demo_moved_to_a_fresh_instance_serves_the_same_pages() {
    let a = TestApp::spawn().await;
    let peer = Peer::start().await;
    let (renamed, old_slug) = populate(&a, &peer).await;

    let bytes = export(&a, false).await;
    let b = successor(&a).await;
    let imported = import(&b, &bytes).await.expect("import");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert!(!imported.keys);
    assert_eq!(imported.counts.reviews, 2);
    assert_eq!(imported.counts.followers, 1);
    assert_eq!(imported.counts.blocks, 3);
    // A server that ran during the import reads its actors (keys, dates) again at start.
    let b = b.restart().await;

    // The pages.
    let html = "text/html";
    for path in ["/", "/about", "/feed.xml"] {
        same(&a, &b, path, html).await;
    }
    let reviews = api_json(&a, "/reviews").await;
    for review in reviews["items"].as_array().expect("items") {
        let slug = review["slug"].as_str().expect("slug");
        let id = review["id"].as_str().expect("id");
        let ap_path = review["ap_id"]
            .as_str()
            .expect("ap_id")
            .trim_start_matches(&a.base)
            .to_string();
        same(&a, &b, &format!("/reviews/{slug}"), html).await;
        same(&a, &b, &format!("/reviews/{slug}/comments.xml"), html).await;
        for path in [
            ap_path.clone(),
            format!("/reviews/{id}/replies"),
            format!("/reviews/{id}/replies?page=1"),
            format!("/reviews/{id}/context"),
            format!("/reviews/{id}/context?page=1"),
            format!("/reviews/{id}/likes"),
            format!("/reviews/{id}/shares"),
        ] {
            same(&a, &b, &path, AP_ACCEPT).await;
        }
    }
    let terms: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT 'categories', t->>'key' FROM reviews, jsonb_array_elements(categories) t \
         UNION SELECT DISTINCT 'tags', t->>'key' FROM reviews, jsonb_array_elements(tags) t",
    )
    .fetch_all(&a.pool)
    .await
    .expect("terms");
    assert!(!terms.is_empty());
    for (kind, key) in terms {
        same(&a, &b, &format!("/{kind}/{key}"), html).await;
        same(&a, &b, &format!("/{kind}/{key}/feed.xml"), html).await;
    }
    // The former slug redirects to the same place.
    same(&a, &b, &format!("/reviews/{old_slug}"), html).await;
    assert_ne!(renamed["slug"], old_slug);
    // The critic's answer, as a Note.
    let local: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM comments WHERE origin = 'local'")
            .fetch_all(&a.pool)
            .await
            .expect("local comments");
    assert_eq!(local.len(), 1);
    same(&a, &b, &format!("/comments/{}", local[0]), AP_ACCEPT).await;
    // Discovery, the collections, the actor.
    let acct = format!(
        "/.well-known/webfinger?resource=acct:reviews@{}",
        a.base.trim_start_matches("http://")
    );
    for path in [
        acct.as_str(),
        "/.well-known/nodeinfo",
        "/nodeinfo/2.1",
        "/users/reviews/followers",
        "/users/reviews/followers?page=1",
        "/users/reviews/outbox",
        "/users/reviews/outbox?page=1",
        "/users/reviews/featured",
    ] {
        same(&a, &b, path, AP_ACCEPT).await;
    }
    let (mut actor_a, mut actor_b) = (actor(&a).await, actor(&b).await);
    assert_ne!(
        actor_a["publicKey"]["publicKeyPem"], actor_b["publicKey"]["publicKeyPem"],
        "the keys stayed behind"
    );
    for actor in [&mut actor_a, &mut actor_b] {
        actor["publicKey"]["publicKeyPem"] = Value::Null;
    }
    assert_eq!(actor_a, actor_b);

    // The same followers, blocks, comments in each state, reviews (as the admin API lists them).
    for path in [
        "/followers",
        "/blocks",
        "/comments?status=pending",
        "/comments?status=published",
        "/comments?status=rejected",
        "/comments?status=private",
        "/reviews?per_page=100",
        "/reports",
    ] {
        assert_eq!(api_json(&a, path).await, api_json(&b, path).await, "{path}");
    }
    let severities = "SELECT kind, value, severity FROM blocks ORDER BY value";
    let blocks = |pool| sqlx::query_as::<_, (String, String, String)>(severities).fetch_all(pool);
    let (blocks_a, blocks_b) = (
        blocks(&a.pool).await.expect("a"),
        blocks(&b.pool).await.expect("b"),
    );
    assert_eq!(blocks_a, blocks_b);
    assert!(blocks_a.iter().any(|b| b.2 == "silence") && blocks_a.iter().any(|b| b.2 == "suspend"));
}

#[tokio::test]
async fn the_markdown_sources_read_back_as_publish_reads_them() {
    let a = TestApp::spawn().await;
    let outbox = Outbox::new(a.settings());
    reviewpub::demo::load(&a.pool, a.settings(), &outbox, &samples_dir())
        .await
        .expect("demo");
    let unpacked =
        reviewpub::archive::unpack(&export(&a, false).await[..], 1 << 30).expect("unpack");
    assert_eq!(unpacked.markdown.len(), 2);
    for (slug, document) in &unpacked.markdown {
        let stored = reviewpub::db::reviews::get_by_slug(&a.pool, slug)
            .await
            .expect("query")
            .expect("the review of each file");
        assert_eq!(document.id, Some(stored.review.id), "{slug}");
        assert_eq!(document.input, stored.review.to_input(), "{slug}");
        assert!(
            document
                .input
                .body
                .as_deref()
                .is_some_and(|b| b.len() > 500),
            "{slug}"
        );
    }
}
