//! The durable delivery queue: retries, failures for good, restarts midway, backing off a
//! failing host, loopback peers refused.

use reqwest::Method as HttpMethod;
use serde_json::Value;

use super::add_followers;
use crate::helpers::{eventually, sample_review, FetchJson, TestApp};
use crate::peer::Peer;

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
    let (creates, reached) = super::creates_at(&peer);
    assert_eq!(reached, FOLLOWERS, "every follower got the review");
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

/// With a single worker, a host whose requests hang costs it one second once: the host's
/// later requests take no worker slot, and another host's deliveries do not wait behind
/// them (before, each request to the hung host held the worker for a second).
#[tokio::test]
async fn a_host_that_hung_once_takes_no_worker_slot_afterwards() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.delivery_workers", 1))).await;
    let hung = Peer::start().await;
    hung.slow_down(std::time::Duration::from_secs(3));
    let fast = Peer::start().await;
    add_followers(&app.pool, &hung, 4).await;
    add_followers(&app.pool, &fast, 12).await;

    let published = std::time::Instant::now();
    app.create_review(sample_review("Hanging")).await;
    fast.wait_for("every Create at the fast host", 12, |r| {
        r.kind() == "Create"
    })
    .await;
    let took = published.elapsed();
    eprintln!("the fast host's deliveries were done after {took:?}");
    // The hung host's four requests are all out at once, the worker free meanwhile.
    assert_eq!(hung.in_flight(), 4, "after {took:?}");
    assert!(
        took < std::time::Duration::from_millis(2500),
        "the fast host waited {took:?} behind the hung one"
    );
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
