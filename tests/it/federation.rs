//! Federation against a real peer on loopback: discovery, documents, the inbox and the
//! durable delivery queue.

use axum::http::Method;
use reqwest::Method as HttpMethod;
use serde_json::{json, Value};

use crate::helpers::{eventually, sample_review, FetchJson, TestApp};
use crate::peer::{Peer, Received};
use reviewpub::federation::signatures;

/// What Mastodon sends when it fetches an actor or a status.
const MASTODON_ACCEPT: &str = "application/activity+json, application/ld+json";
/// What Mastodon's search sends for a pasted URL.
const MASTODON_SEARCH_ACCEPT: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", application/activity+json, text/html;q=0.1";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn get_json(app: &TestApp, url: &str, accept: &str) -> (u16, String, Value) {
    let response = app
        .client
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.text().await.expect("body");
    (
        status,
        content_type,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Waits until no delivery is pending (successes are written back in batches, after the peer
/// has answered); then nothing more can be sent. Returns (activity kind, status) of every
/// delivery, oldest first.
async fn settled_deliveries(app: &TestApp) -> Vec<(String, String)> {
    eventually(
        "no delivery pending",
        std::time::Duration::from_secs(20),
        || async {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT o.kind, d.status FROM deliveries d JOIN outgoing_activities o ON o.id = d.activity_id ORDER BY d.id",
            )
            .fetch_all(&app.pool)
            .await
            .expect("deliveries");
            if rows.iter().any(|(_, status)| status == "pending") {
                Err(format!("{rows:?}"))
            } else {
                Ok(rows)
            }
        },
    )
    .await
}

#[tokio::test]
async fn webfinger_round_trip_and_actor_document() {
    let app = TestApp::spawn().await;
    let acct = format!("reviews@{}", host(&app));
    let response = app
        .get(&format!("/.well-known/webfinger?resource=acct:{acct}"))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("application/jrd+json"));
    let jrd: Value = response.json().await.expect("JRD");
    assert_eq!(jrd["subject"], format!("acct:{acct}"));
    let links = jrd["links"].as_array().expect("links");
    let self_link = links
        .iter()
        .find(|l| l["rel"] == "self")
        .expect("self link");
    assert_eq!(self_link["type"], "application/activity+json");
    let actor_id = self_link["href"].as_str().expect("href").to_string();
    assert_eq!(actor_id, app.url("/users/reviews"));
    assert!(links
        .iter()
        .any(|l| l["rel"] == "http://webfinger.net/rel/profile-page" && l["href"] == app.url("/")));
    assert!(links
        .iter()
        .any(|l| l["rel"] == "http://ostatus.org/schema/1.0/subscribe"
            && l["template"].as_str().is_some_and(|t| t.contains("{uri}"))));
    assert!(jrd["aliases"]
        .as_array()
        .expect("aliases")
        .contains(&json!(actor_id)));
    assert_eq!(
        app.get("/.well-known/webfinger?resource=acct:someone@elsewhere.example")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.get("/.well-known/webfinger").await.status().as_u16(),
        400
    );

    // The actor, fetched as Mastodon fetches it: every field DESIGN §3 lists.
    let (status, content_type, actor) = get_json(&app, &actor_id, MASTODON_ACCEPT).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/activity+json");
    assert_eq!(actor["id"], actor_id, "the WebFinger round trip closes");
    let context = actor["@context"].as_array().expect("context list");
    assert!(context.contains(&json!("https://www.w3.org/ns/activitystreams")));
    assert!(context.contains(&json!("https://w3id.org/security/v1")));
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "reviews");
    assert_eq!(actor["name"], "Test Reviews");
    assert!(actor["summary"]
        .as_str()
        .expect("summary")
        .starts_with("<p>"));
    assert_eq!(actor["url"], app.url("/"));
    assert_eq!(actor["icon"]["url"], app.url("/avatar.png"));
    assert_eq!(actor["inbox"], format!("{actor_id}/inbox"));
    assert_eq!(actor["outbox"], format!("{actor_id}/outbox"));
    assert_eq!(actor["followers"], format!("{actor_id}/followers"));
    assert_eq!(actor["following"], format!("{actor_id}/following"));
    assert_eq!(actor["featured"], format!("{actor_id}/featured"));
    assert_eq!(actor["endpoints"]["sharedInbox"], app.url("/inbox"));
    assert_eq!(actor["publicKey"]["id"], format!("{actor_id}#main-key"));
    assert_eq!(actor["publicKey"]["owner"], actor_id);
    assert!(actor["publicKey"]["publicKeyPem"]
        .as_str()
        .expect("pem")
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(actor["manuallyApprovesFollowers"], false);
    assert_eq!(actor["discoverable"], true);
    assert_eq!(actor["indexable"], true);
    assert!(actor["published"].is_string());
    assert_eq!(actor["attributionDomains"], json!(["localhost"]));
    let avatar = app.get("/avatar.png").await;
    assert_eq!(avatar.headers()["content-type"], "image/png");
    assert!(avatar.bytes().await.expect("png").starts_with(b"\x89PNG"));

    // A browser asking for the actor is sent to the blog.
    let html = app
        .client
        .get(&actor_id)
        .header("accept", "text/html")
        .send()
        .await
        .expect("GET");
    assert_eq!(html.status().as_u16(), 303);
    // The instance actor signs our fetches; it is public too.
    let (status, _, instance) = get_json(&app, &app.url("/actor"), MASTODON_ACCEPT).await;
    assert_eq!(status, 200);
    assert_eq!(instance["type"], "Application");
    assert_eq!(instance["publicKey"]["owner"], app.url("/actor"));
    assert_ne!(
        instance["publicKey"]["publicKeyPem"],
        actor["publicKey"]["publicKeyPem"]
    );
    app.stop().await;
}

#[tokio::test]
async fn reviews_are_articles_by_content_negotiation() {
    let app = TestApp::spawn().await;
    let created = app
        .create_review(sample_review("Never Let Me Go (2010)"))
        .await;
    let ap_id = created["ap_id"].as_str().expect("ap_id").to_string();
    let page = created["url"].as_str().expect("url").to_string();

    // The page URL and the id both answer JSON to Mastodon, HTML to browsers.
    for (url, accept) in [(&page, MASTODON_SEARCH_ACCEPT), (&ap_id, MASTODON_ACCEPT)] {
        let (status, content_type, article) = get_json(&app, url, accept).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/activity+json"),
            "{url}"
        );
        assert_eq!(article["id"], ap_id);
    }
    let html = app
        .client
        .get(&page)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("GET");
    assert!(html.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    let html = html.text().await.expect("html");
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{ap_id}\">"
    )));

    let (_, _, a) = get_json(&app, &ap_id, MASTODON_ACCEPT).await;
    assert!(a["@context"]
        .as_array()
        .expect("context")
        .contains(&json!("https://w3id.org/security/v1")));
    assert_eq!(a["type"], "Article");
    assert_eq!(a["name"], "Never Let Me Go (2010)");
    assert_eq!(a["attributedTo"], app.url("/users/reviews"));
    assert_eq!(a["url"], page);
    assert_eq!(a["mediaType"], "text/html");
    let summary = a["summary"].as_str().expect("summary");
    assert!(summary.starts_with("<p>★★★★☆ (4 out of 5)"), "{summary}");
    assert!(
        summary.contains("The first paragraph, which becomes the teaser."),
        "{summary}"
    );
    let content = a["content"].as_str().expect("content");
    assert!(content.contains("<em>emphasis</em>") && content.contains("Spoiler warning"));
    assert_eq!(a["contentMap"]["en"], a["content"]);
    assert_eq!(a["source"]["mediaType"], "text/markdown");
    assert_eq!(
        a["published"],
        json!(created["published_at"].as_str().map(|p| p
            .split('.')
            .next()
            .unwrap_or(p)
            .trim_end_matches('Z')
            .to_string()
            + "Z"))
    );
    assert!(a.get("updated").is_none(), "not edited yet");
    assert_eq!(a["to"], json!([PUBLIC]));
    assert_eq!(a["cc"], json!([app.url("/users/reviews/followers")]));
    assert_eq!(a["sensitive"], true, "it carries a spoiler warning");
    let tags = a["tag"].as_array().expect("tags");
    assert!(tags.contains(&json!({"type": "Hashtag", "name": "#ScienceFiction", "href": app.url("/categories/science-fiction")})));
    assert!(tags.contains(&json!({"type": "Hashtag", "name": "#KazuoIshiguro", "href": app.url("/tags/kazuo-ishiguro")})));
    assert_eq!(
        a["image"],
        json!({"type": "Image", "url": "https://images.example/never-let-me-go.jpg", "name": "Three young people on a beach"})
    );
    assert!(
        a.get("attachment").is_none(),
        "an attachment would suppress Mastodon's link card"
    );
    assert_eq!(a["replies"]["totalItems"], 0);
    assert_eq!(a["likes"]["totalItems"], 0);
    assert_eq!(a["shares"]["totalItems"], 0);
    assert_eq!(a["itemReviewed"]["type"], "Movie");
    assert_eq!(a["itemReviewed"]["name"], "Never Let Me Go");
    assert_eq!(a["itemReviewed"]["dateCreated"], "2010");
    assert_eq!(a["itemReviewed"]["director"], json!(["Mark Romanek"]));
    assert_eq!(
        a["itemReviewed"]["sameAs"],
        json!([
            "https://www.imdb.com/title/tt1334260/",
            "https://www.wikidata.org/wiki/Q837203"
        ])
    );
    assert_eq!(
        a["reviewRating"],
        json!({"type": "Rating", "ratingValue": 4.0, "bestRating": 5, "worstRating": 0})
    );
    let terms = a["@context"][2].as_object().expect("term definitions");
    for term in [
        "itemReviewed",
        "reviewRating",
        "ratingValue",
        "bestRating",
        "Movie",
        "Rating",
        "director",
        "sensitive",
        "Hashtag",
    ] {
        assert!(
            terms.contains_key(term),
            "{term} is not defined in @context"
        );
    }
    assert_eq!(terms["itemReviewed"], "schema:itemReviewed");
    assert_eq!(terms["schema"], "https://schema.org/");

    // An edit carries `updated`.
    crate::helpers::edits_count_for(&created).await;
    let id = created["id"].as_str().expect("id");
    app.api(HttpMethod::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Never Let Me Go, revisited"}))
        .send()
        .await
        .expect("PATCH");
    let (_, _, edited) = get_json(&app, &ap_id, MASTODON_ACCEPT).await;
    assert!(
        edited["updated"].as_str().expect("updated")
            > edited["published"].as_str().expect("published")
    );

    // Deleted: the id answers 410 with a Tombstone, for good.
    app.api(HttpMethod::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    let (status, content_type, tombstone) = get_json(&app, &ap_id, MASTODON_ACCEPT).await;
    assert_eq!(
        (status, content_type.as_str()),
        (410, "application/activity+json")
    );
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["id"], ap_id);
    assert_eq!(tombstone["formerType"], "Article");
    assert!(tombstone["deleted"].is_string());

    // Drafts are not served.
    let mut draft = sample_review("Draft Only");
    draft["status"] = json!("draft");
    let draft = app.create_review(draft).await;
    let (status, _, _) = get_json(
        &app,
        draft["ap_id"].as_str().expect("ap_id"),
        MASTODON_ACCEPT,
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn collections_nodeinfo_and_host_meta() {
    let app = TestApp::spawn().await;
    let first = app.create_review(sample_review("First")).await;
    app.create_review(sample_review("Second")).await;
    let actor = app.url("/users/reviews");

    let (status, content_type, outbox) =
        get_json(&app, &format!("{actor}/outbox"), MASTODON_ACCEPT).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/activity+json")
    );
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 2);
    let (_, _, page) = get_json(
        &app,
        outbox["first"].as_str().expect("first"),
        MASTODON_ACCEPT,
    )
    .await;
    assert_eq!(page["type"], "OrderedCollectionPage");
    assert_eq!(page["partOf"], format!("{actor}/outbox"));
    let items = page["orderedItems"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["type"], "Create");
    assert_eq!(items[0]["object"]["name"], "Second", "newest first");
    assert_eq!(items[1]["object"]["id"], first["ap_id"]);

    let (_, _, followers) = get_json(&app, &format!("{actor}/followers"), MASTODON_ACCEPT).await;
    assert_eq!(
        (followers["type"].as_str(), followers["totalItems"].as_i64()),
        (Some("OrderedCollection"), Some(0))
    );
    let (_, _, following) = get_json(&app, &format!("{actor}/following"), MASTODON_ACCEPT).await;
    assert_eq!(following["totalItems"], 0);

    let id = first["id"].as_str().expect("id");
    assert_eq!(
        app.api(HttpMethod::POST, &format!("/reviews/{id}/pin"))
            .send()
            .await
            .expect("pin")
            .status()
            .as_u16(),
        204
    );
    let (_, _, featured) = get_json(&app, &format!("{actor}/featured"), MASTODON_ACCEPT).await;
    assert_eq!(featured["totalItems"], 1);
    assert_eq!(featured["orderedItems"][0]["id"], first["ap_id"]);
    assert_eq!(featured["orderedItems"][0]["type"], "Article");
    assert_eq!(
        app.api(HttpMethod::DELETE, &format!("/reviews/{id}/pin"))
            .send()
            .await
            .expect("unpin")
            .status()
            .as_u16(),
        204
    );
    let (_, _, featured) = get_json(&app, &format!("{actor}/featured"), MASTODON_ACCEPT).await;
    assert_eq!(featured["totalItems"], 0);

    let links: Value = app
        .get("/.well-known/nodeinfo")
        .await
        .json()
        .await
        .expect("links");
    let href = links["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1")
        .expect("2.1")["href"]
        .as_str()
        .expect("href")
        .to_string();
    let nodeinfo: Value = app
        .client
        .get(&href)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("nodeinfo");
    assert_eq!(nodeinfo["version"], "2.1");
    assert_eq!(nodeinfo["software"]["name"], "reviewpub");
    assert_eq!(nodeinfo["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(nodeinfo["protocols"], json!(["activitypub"]));
    assert_eq!(nodeinfo["usage"]["users"]["total"], 1);
    assert_eq!(nodeinfo["usage"]["localPosts"], 2);
    let (status, host_meta) = app.get_text("/.well-known/host-meta").await;
    assert_eq!(status, 200);
    assert!(host_meta.contains(&format!(
        "template=\"{}/.well-known/webfinger?resource={{uri}}\"",
        app.base
    )));
    app.stop().await;
}

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
async fn deliveries_retry_fail_for_good_and_can_be_retried_by_hand() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.retry_base_seconds", 1))).await;
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

    // 503 then 429: retried; then accepted.
    peer.answer(&[503, 429]);
    app.create_review(sample_review("Retried")).await;
    peer.wait_for("three Create attempts", 3, |r| r.kind() == "Create")
        .await;
    // Successes are written back in batches, after the peer has answered: wait for it.
    let create = eventually(
        "the Create recorded as delivered",
        std::time::Duration::from_secs(20),
        || async {
            let delivered: Value = app
                .api(HttpMethod::GET, "/deliveries?status=delivered")
                .fetch_json()
                .await;
            delivered["items"]
                .as_array()
                .and_then(|items| items.iter().find(|d| d["kind"] == "Create"))
                .cloned()
                .ok_or_else(|| delivered.to_string())
        },
    )
    .await;
    assert_eq!(create["attempts"], 3);
    assert_eq!(create["last_status"], 202);

    // 410: failed for good, listed with its error, not retried.
    peer.answer(&[410]);
    app.create_review(sample_review("Refused")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let failed = loop {
        let failed: Value = app
            .api(HttpMethod::GET, "/deliveries?status=failed")
            .fetch_json()
            .await;
        if failed["total"] == 1 {
            break failed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no failed delivery: {failed}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let item = &failed["items"][0];
    assert_eq!(item["last_status"], 410);
    assert!(item["last_error"].as_str().expect("error").contains("410"));
    // Failed for good after one attempt: claims take only pending jobs.
    assert_eq!(item["attempts"], 1);
    assert_eq!(item["status"], "failed");

    // Retried by hand: delivered, on its second attempt (none went out in between).
    let id = item["id"].as_i64().expect("id");
    assert_eq!(
        app.api(HttpMethod::POST, &format!("/deliveries/{id}/retry"))
            .send()
            .await
            .expect("POST")
            .status()
            .as_u16(),
        202
    );
    peer.wait_for("the retried Create", 5, |r| r.kind() == "Create")
        .await;
    let retried = eventually(
        "the retried Create recorded as delivered",
        std::time::Duration::from_secs(20),
        || async {
            let delivered: Value = app
                .api(HttpMethod::GET, "/deliveries?status=delivered")
                .fetch_json()
                .await;
            delivered["items"]
                .as_array()
                .and_then(|items| items.iter().find(|d| d["id"] == id))
                .cloned()
                .ok_or_else(|| delivered.to_string())
        },
    )
    .await;
    assert_eq!(retried["attempts"], 2);
    assert_eq!(
        peer.received()
            .iter()
            .filter(|r| r.kind() == "Create")
            .count(),
        5,
        "a refused delivery is not retried"
    );
    assert_eq!(
        app.api(HttpMethod::POST, "/deliveries/999999/retry")
            .send()
            .await
            .expect("POST")
            .status()
            .as_u16(),
        404
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

/// Followers straight into the database: `count` actors, each with its own inbox on `peer`.
pub(crate) async fn add_followers(pool: &sqlx::PgPool, peer: &Peer, count: usize) {
    for i in 0..count {
        let actor = format!("{}/users/f{i}", peer.base);
        let inbox = format!("{}/inboxes/{i}", peer.base);
        sqlx::query("INSERT INTO remote_actors (id, inbox, public_key_pem, kind, fetched_at) VALUES ($1, $2, 'unused', 'Person', now())")
            .bind(&actor)
            .bind(&inbox)
            .execute(pool)
            .await
            .expect("actor");
        sqlx::query("INSERT INTO followers (id, actor_id, follow_id, inbox, host, status) VALUES ($1, $2, $3, $4, $5, 'accepted')")
            .bind(uuid::Uuid::now_v7())
            .bind(&actor)
            .bind(format!("{actor}#follow"))
            .bind(&inbox)
            .bind(peer.base.trim_start_matches("http://"))
            .execute(pool)
            .await
            .expect("follower");
    }
}

async fn delivery_counts(pool: &sqlx::PgPool) -> (i64, i64) {
    sqlx::query_as("SELECT count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'pending') FROM deliveries")
        .fetch_one(pool)
        .await
        .expect("counts")
}

#[tokio::test]
async fn a_fan_out_killed_midway_finishes_after_a_restart() {
    const FOLLOWERS: usize = 150;
    let peer = Peer::start().await;
    peer.slow_down(std::time::Duration::from_millis(40));
    let database_url = crate::helpers::fresh_database().await;
    let port = crate::helpers::free_port();
    let base = format!("http://localhost:{port}");
    let envs = [
        ("DATABASE_URL", database_url.clone()),
        ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
        ("REVIEWPUB_PUBLIC_URL", base.clone()),
        (
            "REVIEWPUB_ADMIN_TOKEN",
            crate::helpers::ADMIN_TOKEN.to_string(),
        ),
        ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".to_string()),
        (
            "REVIEWPUB_FEDERATION__DELIVERY_LEASE_SECONDS",
            "3".to_string(),
        ),
        ("REVIEWPUB_FEDERATION__RETRY_BASE_SECONDS", "1".to_string()),
        // At most this many requests are in flight, so at most this many can arrive twice.
        ("REVIEWPUB_FEDERATION__DELIVERY_WORKERS", "8".to_string()),
    ];
    let first = crate::helpers::Server::start(&["serve"], &envs);
    crate::helpers::wait_ready(&base).await;
    let pool = sqlx::PgPool::connect(&database_url).await.expect("pool");
    add_followers(&pool, &peer, FOLLOWERS).await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/reviews"))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&sample_review("Fan-out"))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 201);

    peer.wait_for("the fan-out to be under way", 20, |r| r.kind() == "Create")
        .await;
    first.crash();
    let (delivered, pending) = delivery_counts(&pool).await;
    assert!(
        pending > 0,
        "the crash came too late to interrupt anything ({delivered} delivered)"
    );

    let second = crate::helpers::Server::start(&["serve"], &envs);
    crate::helpers::wait_ready(&base).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (delivered, pending) = delivery_counts(&pool).await;
        if delivered == FOLLOWERS as i64 && pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{delivered} delivered, {pending} pending after the restart"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let creates: Vec<Received> = peer
        .received()
        .into_iter()
        .filter(|r| r.kind() == "Create")
        .collect();
    let mut inboxes: Vec<&str> = creates.iter().map(|r| r.path.as_str()).collect();
    inboxes.sort();
    inboxes.dedup();
    assert_eq!(inboxes.len(), FOLLOWERS, "every follower got the review");
    // Only requests in flight at the moment of the crash may arrive twice.
    assert!(
        creates.len() - FOLLOWERS <= 8,
        "{} duplicates",
        creates.len() - FOLLOWERS
    );
    assert!(second.terminate().success());
}

#[tokio::test]
async fn a_failing_host_is_backed_off_without_slowing_the_others() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.retry_base_seconds", 1))).await;
    let good = Peer::start().await;
    let bad = Peer::start().await;
    bad.answer(&[503; 50]);
    // Slow enough that requests sent together overlap.
    bad.slow_down(std::time::Duration::from_millis(200));
    let bad_host = bad.base.trim_start_matches("http://").to_string();
    add_followers(&app.pool, &bad, 6).await;
    add_followers(&app.pool, &good, 6).await;

    app.create_review(sample_review("Everyone")).await;
    good.wait_for("six Creates at the good host", 6, |r| r.kind() == "Create")
        .await;

    // Three rounds failed in a row back the bad host off as a whole.
    let pool = app.pool.clone();
    eventually(
        "the failing host backed off",
        std::time::Duration::from_secs(20),
        || async {
            let row: Option<(i32, bool)> = sqlx::query_as(
                "SELECT consecutive_failures, coalesce(backoff_until > now(), false) FROM delivery_hosts WHERE host = $1",
            )
            .bind(&bad_host)
            .fetch_optional(&pool)
            .await
            .expect("host row");
            match row {
                Some((rounds, true)) if rounds >= 3 => Ok(()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    // The good host's deliveries are written back; the bad host's wait, none given up.
    let pending = eventually(
        "only the bad host's deliveries pending",
        std::time::Duration::from_secs(20),
        || async {
            let pending: Value = app
                .api(HttpMethod::GET, "/deliveries?status=pending")
                .fetch_json()
                .await;
            if pending["total"] == 6 {
                Ok(pending)
            } else {
                Err(pending.to_string())
            }
        },
    )
    .await;
    let failed_attempts = pending["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["last_error"].as_str().is_some_and(|e| e.contains("503")))
        .count();
    assert!(failed_attempts >= 3, "{pending}");
    assert_eq!(
        app.api(HttpMethod::GET, "/deliveries?status=failed")
            .fetch_json()
            .await["total"],
        0
    );

    // Meanwhile the good host keeps getting everything at once.
    app.create_review(sample_review("Everyone Again")).await;
    good.wait_for("six more Creates", 12, |r| r.kind() == "Create")
        .await;

    // The backed-off host gets one trial request at a time, each after a longer pause; the
    // requests of the rounds before it (in flight together) are over.
    eventually(
        "the bad host's earlier requests over",
        std::time::Duration::from_secs(20),
        || async {
            match bad.in_flight() {
                0 => Ok(()),
                n => Err(format!("{n} in flight")),
            }
        },
    )
    .await;
    bad.take_max_in_flight();
    let before = bad.received().len();
    let trials = eventually(
        "two trial requests",
        std::time::Duration::from_secs(60),
        || async {
            let received = bad.received();
            if received.len() >= before + 2 {
                Ok(received)
            } else {
                Err(format!("{} trial requests", received.len() - before))
            }
        },
    )
    .await;
    assert_eq!(bad.take_max_in_flight(), 1, "trial requests never overlap");
    let (first, second) = (&trials[before], &trials[before + 1]);
    assert!(
        second.at - first.at >= std::time::Duration::from_millis(1500),
        "the second trial waited a longer backoff: {:?}",
        second.at - first.at
    );
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

#[tokio::test]
async fn without_the_local_testing_switch_loopback_peers_are_refused() {
    let app = TestApp::spawn_with(|f| f.merge(("allow_private_networks", false))).await;
    let peer = Peer::start().await;
    let actor = app.url("/users/reviews");
    let response = peer
        .post(&format!("{actor}/inbox"), &peer.follow(&actor, "f"))
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM remote_actors")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(stored, 0, "the loopback actor was never fetched");

    // A follower on a loopback address (however it got there) is never delivered to.
    add_followers(&app.pool, &peer, 1).await;
    app.create_review(sample_review("Not To Loopback")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let failed: Value = app
            .api(HttpMethod::GET, "/deliveries?status=failed")
            .fetch_json()
            .await;
        if failed["total"] == 1 {
            assert!(
                failed["items"][0]["last_error"]
                    .as_str()
                    .expect("error")
                    .contains("not allowed"),
                "{failed}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the loopback delivery was not refused: {failed}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(peer.received().is_empty());
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
