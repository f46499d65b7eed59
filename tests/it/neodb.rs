//! Readable by NeoDB (issue 12, point 3): the Article carries exactly one catalog item in
//! `tag` and `relatedWith` a `Review` and a `Rating` in NeoDB's own shape (compared with a
//! fixture from NeoDB's ActivityPub documentation), and Mastodon's view is unchanged.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};

async fn article(app: &TestApp, review: &Value) -> Value {
    app.client
        .get(review["ap_id"].as_str().expect("ap_id"))
        .header("accept", "application/activity+json")
        .fetch_json()
        .await
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

#[tokio::test]
async fn the_article_names_the_film_and_carries_neodbs_review_and_rating() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("For NeoDB")).await;
    let doc = article(&app, &review).await;

    let items: Vec<&Value> = doc["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter(|t| t["type"] != "Hashtag")
        .collect();
    assert_eq!(
        items,
        [
            &json!({"type": "Movie", "name": "Never Let Me Go", "href": "https://www.imdb.com/title/tt1334260/"})
        ],
        "exactly one catalog item"
    );
    let related = doc["relatedWith"].as_array().expect("relatedWith");
    assert_eq!(related.len(), 2);
    let (written, rating) = (&related[0], &related[1]);
    assert_eq!(written["type"], "Review");
    assert_eq!(written["name"], "For NeoDB");
    assert_eq!(written["mediaType"], "text/markdown");
    assert!(written["content"]
        .as_str()
        .expect("content")
        .starts_with("The first paragraph"));
    assert_eq!(rating["type"], "Rating");
    assert_eq!(
        (&rating["value"], &rating["best"], &rating["worst"]),
        (&json!(8), &json!(10), &json!(1))
    );
    for entry in related {
        assert_eq!(
            entry["withRegardTo"],
            "https://www.imdb.com/title/tt1334260/"
        );
        assert_eq!(entry["attributedTo"], app.url("/users/reviews"));
        assert_eq!(entry["href"], review["url"]);
    }

    // NeoDB's Rating, as its documentation shows one: ours has the same properties.
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/activitypub/neodb/note_with_rating.json"),
        )
        .expect("fixture"),
    )
    .expect("JSON");
    let theirs = fixture["relatedWith"]
        .as_array()
        .expect("relatedWith")
        .iter()
        .find(|r| r["type"] == "Rating")
        .expect("a Rating");
    assert_eq!(keys(rating), keys(theirs));
    assert!(rating["value"].is_u64() && theirs["value"].is_u64());

    // Mastodon's view is the same: name, summary, hashtags.
    assert_eq!(doc["name"], "For NeoDB");
    assert!(doc["summary"]
        .as_str()
        .expect("summary")
        .contains("Never Let Me Go"));
    let hashtags: Vec<&str> = doc["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter(|t| t["type"] == "Hashtag")
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(hashtags, ["#ScienceFiction", "#Clones", "#KazuoIshiguro"]);
    app.stop().await;
}

#[tokio::test]
async fn a_film_without_a_catalog_id_gets_no_catalog_item() {
    let app = TestApp::spawn().await;
    let mut body = sample_review("Unlisted Film");
    body["film"]["imdb_id"] = Value::Null;
    body["film"]["wikidata_id"] = Value::Null;
    let review = app.create_review(body).await;
    let doc = article(&app, &review).await;
    assert!(doc["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .all(|t| t["type"] == "Hashtag"));
    assert!(doc.get("relatedWith").is_none());
    // Wikidata alone is enough.
    let mut body = sample_review("Wikidata Only");
    body["film"]["imdb_id"] = Value::Null;
    let review = app.create_review(body).await;
    let doc = article(&app, &review).await;
    assert_eq!(
        doc["relatedWith"][0]["withRegardTo"],
        "https://www.wikidata.org/wiki/Q837203"
    );
    app.stop().await;
}
