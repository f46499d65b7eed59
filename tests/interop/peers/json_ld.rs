//! A JSON-LD processor expands every term of our documents to a full IRI.

use std::process::Command;

use serde_json::{json, Value};

use super::{peers_dir, script};
use crate::helpers::{sample_review, TestApp};

/// Expands a document of ours with the `jsonld` processor, offline, in safe mode (a term the
/// contexts do not define is an error).
fn expand(url: &str) -> Value {
    let output = Command::new(peers_dir().join("bin/node"))
        .arg(script("jsonld-expand.mjs"))
        .arg(url)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "expanding {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("expanded JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_json_ld_processor_expands_every_term_to_a_full_iri() {
    let app = TestApp::spawn().await;
    let review = app
        .create_review(sample_review("Never Let Me Go (2010)"))
        .await;
    const AS: &str = "https://www.w3.org/ns/activitystreams#";
    const SCHEMA: &str = "https://schema.org/";

    let article = &expand(review["ap_id"].as_str().expect("ap_id"))[0];
    assert_eq!(article["@type"], json!([format!("{AS}Article")]));
    let movie = &article[format!("{SCHEMA}itemReviewed")][0];
    assert_eq!(movie["@type"], json!([format!("{SCHEMA}Movie")]));
    assert_eq!(movie[format!("{AS}name")][0]["@value"], "Never Let Me Go");
    assert_eq!(
        movie[format!("{SCHEMA}director")][0]["@value"],
        "Mark Romanek"
    );
    assert!(movie[format!("{SCHEMA}sameAs")][0]["@id"].is_string());
    let rating = &article[format!("{SCHEMA}reviewRating")][0];
    assert_eq!(rating["@type"], json!([format!("{SCHEMA}Rating")]));
    assert_eq!(rating[format!("{SCHEMA}ratingValue")][0]["@value"], 4.0);
    assert_eq!(rating[format!("{SCHEMA}bestRating")][0]["@value"], 5);
    assert_eq!(article[format!("{AS}sensitive")][0]["@value"], true);
    let tags = article[format!("{AS}tag")].as_array().expect("tags");
    // Hashtags, and the film as NeoDB's one catalog item; NeoDB's `relatedWith` expands too.
    let (hashtags, items): (Vec<&Value>, Vec<&Value>) = tags
        .iter()
        .partition(|t| t["@type"] == json!([format!("{AS}Hashtag")]));
    assert!(!hashtags.is_empty());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["@type"], json!([format!("{SCHEMA}Movie")]));
    let related = article["https://neodb.net/ns#relatedWith"]
        .as_array()
        .expect("relatedWith");
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["@type"], json!([format!("{SCHEMA}Review")]));

    let actor = &expand(&app.url("/users/reviews"))[0];
    assert_eq!(actor["@type"], json!([format!("{AS}Person")]));
    let key = &actor["https://w3id.org/security#publicKey"][0];
    assert!(key["https://w3id.org/security#publicKeyPem"][0]["@value"]
        .as_str()
        .expect("pem")
        .contains("PUBLIC KEY"));
    assert_eq!(
        actor["http://joinmastodon.org/ns#discoverable"][0]["@value"],
        true
    );
    app.stop().await;
}
