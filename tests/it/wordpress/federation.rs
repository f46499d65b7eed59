//! Imported reviews do not flood followers: one `Create` each only with `federate`.

use serde_json::Value;

use super::{import, FIXTURE};
use crate::helpers::{deliveries_idle, sample_review, TestApp};
use crate::peer::Peer;

async fn followed() -> (TestApp, Peer) {
    let app = TestApp::spawn().await;
    let peer = Peer::start().await;
    let follow = peer.follow(&app.url("/users/reviews"), "follow-1");
    assert_eq!(
        peer.post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    peer.wait_for("Accept of the follow", 1, |r| r.kind() == "Accept")
        .await;
    (app, peer)
}

fn created_names(peer: &Peer) -> Vec<String> {
    let mut names: Vec<String> = peer
        .received()
        .iter()
        .filter(|r| r.kind() == "Create")
        .map(|r| {
            r.body["object"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn without_federate_no_follower_hears_of_the_import_and_the_outbox_shows_the_old_dates() {
    let (app, peer) = followed().await;
    let (status, report) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["federated"], 0);
    // A review written afterwards does reach the follower: once it has, the import would have too.
    app.create_review(sample_review("Heat (1995)")).await;
    peer.wait_for("the new review's Create", 1, |r| r.kind() == "Create")
        .await;
    deliveries_idle(&app.pool).await;
    assert_eq!(created_names(&peer), ["Heat (1995)"]);

    let outbox: Value = app
        .client
        .get(app.url("/users/reviews/outbox?page=1"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    let items = outbox["orderedItems"].as_array().expect("items");
    let dated: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["object"]["name"].as_str().unwrap_or_default().to_string(),
                i["published"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(dated.len(), 3, "{dated:?}");
    assert_eq!(dated[0].0, "Heat (1995)");
    assert_eq!(
        dated[1..],
        [
            (
                "Never let me go (2010)".to_string(),
                "2011-03-13T02:20:00Z".to_string()
            ),
            (
                "Never Let Me Go".to_string(),
                "2011-02-04T10:54:00Z".to_string()
            ),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn with_federate_each_published_review_reaches_a_follower_as_exactly_one_create() {
    let (app, peer) = followed().await;
    let (status, report) = import(&app, "?federate=true", FIXTURE).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["federated"], 2, "{report}");
    peer.wait_for("the imported reviews' Creates", 2, |r| r.kind() == "Create")
        .await;
    deliveries_idle(&app.pool).await;
    // Again: nothing more goes out.
    let (_, again) = import(&app, "?federate=true", FIXTURE).await;
    assert_eq!(again["federated"], 0, "{again}");
    deliveries_idle(&app.pool).await;
    assert_eq!(
        created_names(&peer),
        ["Never Let Me Go", "Never let me go (2010)"]
    );
    app.stop().await;
}
