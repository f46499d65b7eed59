//! Moving house with snac2, which supports account migration both ways (`snac alias`,
//! `snac migrate`, and following the new account on a `Move`): the blog moving to a snac
//! account takes its snac followers along, and a snac account moving to the blog brings its
//! followers here.

use reqwest::Method;
use serde_json::json;

use super::snac::Snac;
use super::{eventually, followers};
use crate::helpers::TestApp;

fn follower_actors(list: &serde_json::Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|f| f["actor"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// snac's commands block while they talk to the in-process server: several threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_blog_moves_to_a_snac_account_and_its_snac_follower_follows_there() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.retry_base_seconds", 1))).await;
    let snac = Snac::start();
    let blog = app.url("/users/reviews");
    let host = app.base.trim_start_matches("http://").to_string();
    let new_home = snac.add_user("newhome");

    // snac's `critic` follows the blog.
    snac.cli(&["follow", "critic", &format!("@reviews@{host}")]);
    eventually("snac to confirm the follow", 30, || {
        snac.log()
            .contains(&format!("confirmed follow from {blog}"))
            .then_some(())
    })
    .await;

    // The new account names the blog among its aliases, as snac's `alias` command does it.
    snac.cli(&["alias", "newhome", &format!("@reviews@{host}")]);
    let response = app
        .api(Method::POST, "/move")
        .json(&json!({ "to": snac.handle("newhome") }))
        .send()
        .await
        .expect("POST /move");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["target"], new_home);

    // snac checks the Move (signed by the blog, the new account naming it) and follows the new
    // account, then unfollows the blog.
    eventually("snac's critic to follow the new account", 60, || {
        snac.log()
            .contains(&format!("'Move': following {new_home}"))
            .then_some(())
    })
    .await;
    eventually("snac's critic to leave the blog", 60, || {
        snac.log()
            .contains(&format!("'Move': unfollowing {blog}"))
            .then_some(())
    })
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !follower_actors(&followers(&app).await).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the Undo of the follow did not arrive: {}",
            followers(&app).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_snac_account_moves_to_the_blog_and_brings_its_followers() {
    let snac = Snac::start();
    let old_account = snac.add_user("oldaccount");
    let app = TestApp::spawn_with(|f| {
        f.merge(("federation.retry_base_seconds", 1))
            .merge(("federation.also_known_as", vec![old_account.clone()]))
    })
    .await;
    let blog = app.url("/users/reviews");
    let host = app.base.trim_start_matches("http://").to_string();

    // snac's `critic` follows the old account.
    snac.cli(&["follow", "critic", &old_account]);
    eventually("the follow of the old account", 30, || {
        snac.log()
            .contains(&format!("confirmed follow from {old_account}"))
            .then_some(())
    })
    .await;

    // The old account moves to the blog: snac checks that the blog names it (alsoKnownAs from
    // `federation.also_known_as`) and sends the Move; the follower's server follows the blog.
    snac.cli(&["alias", "oldaccount", &format!("@reviews@{host}")]);
    snac.cli(&["migrate", "oldaccount"]);
    eventually("snac's critic to follow the blog", 60, || {
        snac.log()
            .contains(&format!("'Move': following {blog}"))
            .then_some(())
    })
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let list = followers(&app).await;
        if follower_actors(&list) == [snac.actor.clone()] {
            assert_eq!(list["items"][0]["status"], "accepted");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the follow did not arrive: {list}; snac's log: {}",
            snac.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
