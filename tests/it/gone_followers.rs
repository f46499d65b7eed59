//! Followers that are gone stop costing us: an account that answers 410 or deletes itself is
//! removed with its pending deliveries, and a host whose deliveries all fail for days is given
//! up on until it is heard from (or resumed by hand).

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{eventually, sample_review, TestApp};
use crate::peer::Peer;

async fn followed_app() -> (TestApp, Peer) {
    let app = TestApp::spawn_with(|f| {
        f.merge(("federation.retry_base_seconds", 1))
            .merge(("limits.inbox_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let follow = alice.follow(&app.url("/users/reviews"), "follow-1");
    let status = alice.post(&app.url("/inbox"), &follow).await.status();
    assert_eq!(status.as_u16(), 202);
    (app, alice)
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("query")
}

/// Waits until `sql`'s count satisfies `ok`.
async fn wait_count(app: &TestApp, what: &str, sql: &'static str, ok: impl Fn(i64) -> bool) {
    let ok = &ok;
    eventually(what, Duration::from_secs(30), || async move {
        let n = scalar(app, sql).await;
        if ok(n) {
            Ok(())
        } else {
            Err(format!("count {n}"))
        }
    })
    .await;
}

async fn deliveries_for(app: &TestApp, review: &Value) -> i64 {
    let id: Uuid = review["id"].as_str().expect("id").parse().expect("uuid");
    sqlx::query_scalar(
        "SELECT count(*) FROM deliveries d JOIN outgoing_activities o ON o.id = d.activity_id WHERE o.review_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

#[tokio::test]
async fn a_follower_whose_inbox_and_account_answer_410_is_removed() {
    let (app, alice) = followed_app().await;
    wait_count(
        &app,
        "the Accept is delivered",
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        |n| n == 1,
    )
    .await;
    alice.delete_account();
    alice.answer(&[410]);
    app.create_review(sample_review("Gone")).await;
    wait_count(
        &app,
        "the gone follower is removed",
        "SELECT count(*) FROM followers",
        |n| n == 0,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn an_account_deleting_itself_takes_its_pending_deliveries_along() {
    let (app, alice) = followed_app().await;
    // Deliveries to alice fail for now, and wait for their retry.
    alice.answer(&[503; 50]);
    app.create_review(sample_review("Pending")).await;
    wait_count(
        &app,
        "a delivery waits for a retry",
        "SELECT count(*) FROM deliveries WHERE status = 'pending' AND attempts > 0",
        |n| n >= 1,
    )
    .await;
    let gone = alice.activity("Delete", "delete-self", json!(alice.actor_id));
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &gone)
            .await
            .status()
            .as_u16(),
        202
    );
    assert_eq!(scalar(&app, "SELECT count(*) FROM followers").await, 0);
    assert_eq!(
        scalar(
            &app,
            "SELECT count(*) FROM deliveries WHERE status = 'pending'"
        )
        .await,
        0,
        "nothing is sent to an account that is gone"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_host_failing_for_days_is_skipped_until_it_is_heard_from_or_resumed() {
    let (app, alice) = followed_app().await;
    let host = alice.base.trim_start_matches("http://").to_string();
    alice.answer(&[503; 200]);
    let first = app.create_review(sample_review("First")).await;
    wait_count(
        &app,
        "the host has a failure record",
        "SELECT count(*) FROM delivery_hosts WHERE failing_since IS NOT NULL",
        |n| n == 1,
    )
    .await;
    // Its deliveries have failed since eight days ago: the next failed round gives it up.
    sqlx::query("UPDATE delivery_hosts SET failing_since = now() - interval '8 days'")
        .execute(&app.pool)
        .await
        .expect("backdate");
    wait_count(
        &app,
        "the host is given up on",
        "SELECT count(*) FROM delivery_hosts WHERE unavailable_since IS NOT NULL",
        |n| n == 1,
    )
    .await;
    assert_eq!(
        scalar(
            &app,
            "SELECT count(*) FROM deliveries WHERE status = 'pending'"
        )
        .await,
        0,
        "its waiting deliveries are dropped"
    );
    assert!(deliveries_for(&app, &first).await >= 1);
    let hosts: Value = app
        .api(Method::GET, "/hosts")
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(hosts["items"][0]["host"], host.as_str());
    assert_eq!(hosts["items"][0]["state"], "unavailable");
    assert_eq!(hosts["items"][0]["followers"], 1);

    // Skipped at fan-out.
    let second = app.create_review(sample_review("Second")).await;
    assert_eq!(deliveries_for(&app, &second).await, 0);

    // Anything from it brings it back.
    let like = alice.activity("Like", "like-1", first["ap_id"].clone());
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &like)
            .await
            .status()
            .as_u16(),
        202
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT count(*) FROM delivery_hosts WHERE unavailable_since IS NOT NULL"
        )
        .await,
        0
    );
    let third = app.create_review(sample_review("Third")).await;
    assert_eq!(deliveries_for(&app, &third).await, 1);

    // Or the critic, by hand.
    let resume = format!("/hosts/{host}/resume");
    let status = app
        .api(Method::POST, &resume)
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(
        status.as_u16(),
        404,
        "an available host has nothing to resume"
    );
    sqlx::query("UPDATE delivery_hosts SET unavailable_since = now()")
        .execute(&app.pool)
        .await
        .expect("give up");
    let status = app
        .api(Method::POST, &resume)
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(status.as_u16(), 204);
    let fourth = app.create_review(sample_review("Fourth")).await;
    assert_eq!(deliveries_for(&app, &fourth).await, 1);
    app.stop().await;
}
