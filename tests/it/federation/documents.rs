//! Discovery and documents: WebFinger, the actor, reviews as Articles by content
//! negotiation, collections, NodeInfo and host-meta.

use reqwest::Method as HttpMethod;
use serde_json::{json, Value};

use super::{get_json, host, MASTODON_ACCEPT, MASTODON_SEARCH_ACCEPT, PUBLIC};
use crate::helpers::{sample_review, TestApp};

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
    let poster = json!({"type": "Image", "url": "https://images.example/never-let-me-go.jpg", "mediaType": "image/jpeg", "name": "Three young people on a beach"});
    assert_eq!(a["image"], poster);
    // Mastodon shows the poster as media (with its alt text) instead of a link card.
    assert_eq!(a["attachment"], json!([poster]));
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
