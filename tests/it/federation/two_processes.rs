//! Two reviewpub instances on one database share the delivery queue: every follower gets a
//! review once, both instances send a share, and the per-host limit holds across them.

use std::collections::HashMap;
use std::time::Duration;

use super::{add_followers, creates_at};
use crate::helpers::{eventually, fresh_database, sample_review, TestApp};
use crate::peer::Peer;

/// The port of the instance that signed a request (its key id is on its own address).
fn signed_by(received: &crate::peer::Received) -> String {
    let signature = received
        .headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let key_id = signature
        .split(',')
        .find_map(|part| part.trim().strip_prefix("keyId=\""))
        .unwrap_or_default();
    key_id
        .trim_start_matches("http://localhost:")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn two_instances_share_the_queue_and_the_per_host_limit() {
    const PER_HOST: usize = 2;
    // One big host (its tail is all that is left at the end, when both instances want it)
    // and two smaller ones; each instance has fewer workers than the hosts have slots, so
    // neither can take them all.
    let followers = [30, 10, 10];
    let database_url = fresh_database().await;
    let configure = |url: String| {
        move |f: figment::Figment| {
            f.merge(("database_url", url))
                .merge(("federation.per_host_concurrency", PER_HOST))
                .merge(("federation.delivery_workers", 3))
        }
    };
    let first = TestApp::spawn_with(configure(database_url.clone())).await;
    let second = TestApp::spawn_with(configure(database_url)).await;
    let mut peers = Vec::new();
    for count in followers {
        let peer = Peer::start().await;
        // Requests overlap: each is held open a while.
        peer.slow_down(Duration::from_millis(300));
        add_followers(&first.pool, &peer, count).await;
        peers.push(peer);
    }

    first.create_review(sample_review("Shared Queue")).await;

    let pool = first.pool.clone();
    let total: usize = followers.iter().sum();
    eventually(
        "every delivery written back",
        Duration::from_secs(60),
        || async {
            let delivered: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'delivered'")
                    .fetch_one(&pool)
                    .await
                    .map_err(|e| e.to_string())?;
            if delivered == total as i64 {
                Ok(())
            } else {
                Err(format!("{delivered} of {total} delivered"))
            }
        },
    )
    .await;

    let mut senders: HashMap<String, usize> = HashMap::new();
    for (peer, count) in peers.iter().zip(followers) {
        let (creates, reached) = creates_at(peer);
        assert_eq!(reached, count, "every inbox at {} reached", peer.base);
        assert_eq!(
            creates.len(),
            count,
            "no inbox at {} reached twice",
            peer.base
        );
        for create in &creates {
            *senders.entry(signed_by(create)).or_default() += 1;
        }
        let most = peer.take_max_in_flight();
        assert!(
            most <= PER_HOST,
            "{most} requests at once to {} (limit {PER_HOST})",
            peer.base
        );
    }
    let ports =
        [&first, &second].map(|app| app.base.trim_start_matches("http://localhost:").to_string());
    for port in &ports {
        assert!(
            senders.get(port).is_some_and(|sent| *sent > 0),
            "the instance on port {port} delivered nothing: {senders:?}"
        );
    }
    assert_eq!(senders.len(), 2, "{senders:?}");
    eprintln!("deliveries by instance (port: count): {senders:?}");
    second.stop().await;
    first.stop().await;
}
