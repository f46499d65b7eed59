//! The delivery queue under failure: a burst of errors from one host, trial requests to a
//! backed-off host, each job's own retry schedule, and the order jobs are claimed in.

use std::time::{Duration, Instant};

use reviewpub::db::{self, deliveries};
use serde_json::json;
use sqlx::PgPool;

use crate::federation::add_followers;
use crate::helpers::{eventually, fresh_database, sample_review, TestApp};
use crate::peer::Peer;

/// How many of `inboxes` have been delivered.
async fn delivered_among(pool: &PgPool, inboxes: &[String]) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered' AND inbox = ANY($1)",
    )
    .bind(inboxes)
    .fetch_one(pool)
    .await
    .expect("count")
}

/// 300 followers with personal inboxes on one host, half of which answer 503 to their first
/// delivery only. The host must not be backed off as a whole for what was one burst of
/// failures in flight together: the healthy half arrives at once, the rest at their own
/// retry, and a restart in the middle changes nothing.
#[tokio::test]
async fn a_burst_of_503s_from_one_host_does_not_hold_up_its_other_inboxes() {
    const FOLLOWERS: usize = 300;
    let app = TestApp::spawn_with(|f| f.merge(("federation.retry_base_seconds", 2))).await;
    let peer = Peer::start().await;
    add_followers(&app.pool, &peer, FOLLOWERS).await;
    let path = |i: usize| format!("/inboxes/{i}");
    let inbox = |i: usize| format!("{}{}", peer.base, path(i));
    // The first half answer 503 once, then 202.
    peer.answer_first((0..FOLLOWERS / 2).map(path), 503);
    let failing: Vec<String> = (0..FOLLOWERS / 2).map(inbox).collect();
    let healthy: Vec<String> = (FOLLOWERS / 2..FOLLOWERS).map(inbox).collect();

    let published = Instant::now();
    app.create_review(sample_review("Burst")).await;

    // A real restart (the server stopped as on SIGTERM, another started on the same database)
    // as soon as the first 503 is on record, with the fan-out under way.
    let pool = app.pool.clone();
    let (retrying, untried) = eventually("a 503 on record", Duration::from_secs(20), || async {
        let (retrying, untried): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE last_status = 503), count(*) FILTER (WHERE attempts = 0) \
             FROM deliveries WHERE status = 'pending'",
        )
        .fetch_one(&pool)
        .await
        .expect("counts");
        if retrying > 0 {
            Ok((retrying, untried))
        } else {
            Err(format!("{untried} not yet tried"))
        }
    })
    .await;
    assert!(
        untried > 0,
        "the restart came too late to be in the middle ({retrying} waiting for a retry)"
    );
    let app = app.restart().await;

    let pool = app.pool.clone();
    eventually(
        "the healthy half delivered",
        Duration::from_secs(30).saturating_sub(published.elapsed()),
        || async {
            let done = delivered_among(&pool, &healthy).await;
            if done == healthy.len() as i64 {
                Ok(())
            } else {
                Err(format!(
                    "{done} of {} healthy inboxes delivered",
                    healthy.len()
                ))
            }
        },
    )
    .await;
    let healthy_after = published.elapsed();
    eventually(
        "every inbox delivered",
        Duration::from_secs(120).saturating_sub(published.elapsed()),
        || async {
            let done = delivered_among(&pool, &failing).await;
            if done == failing.len() as i64 {
                Ok(())
            } else {
                Err(format!(
                    "{done} of {} once-failing inboxes delivered",
                    failing.len()
                ))
            }
        },
    )
    .await;
    let all_after = published.elapsed();
    eprintln!("healthy half delivered after {healthy_after:?}, all after {all_after:?}");

    // Each job followed its own schedule: one attempt for a healthy inbox, two for one that
    // failed once; nothing arrived twice across the restart.
    let attempts: Vec<(String, i32)> =
        sqlx::query_as("SELECT inbox, attempts FROM deliveries ORDER BY inbox")
            .fetch_all(&app.pool)
            .await
            .expect("attempts");
    assert_eq!(attempts.len(), FOLLOWERS);
    for (inbox, attempts) in &attempts {
        let expected = if failing.contains(inbox) { 2 } else { 1 };
        assert_eq!(*attempts, expected, "attempts of {inbox}");
    }
    let creates = peer
        .received()
        .iter()
        .filter(|r| r.kind() == "Create")
        .count();
    assert_eq!(creates, FOLLOWERS + FOLLOWERS / 2, "requests received");
    app.stop().await;
}

/// A database with the schema and one stored activity, without a server claiming from it.
async fn queue_database() -> (PgPool, uuid::Uuid) {
    let pool = PgPool::connect(&fresh_database().await)
        .await
        .expect("pool");
    db::migrate(&pool).await.expect("migrations");
    let activity = uuid::Uuid::now_v7();
    let mut conn = pool.acquire().await.expect("connection");
    deliveries::insert_activity(
        &mut conn,
        activity,
        "https://blog.example/activities/1",
        "Create",
        None,
        true,
        &json!({"type": "Create"}),
    )
    .await
    .expect("activity");
    (pool, activity)
}

/// One job per follower's inbox for `activity`; returns how many.
async fn enqueue(pool: &PgPool, activity: uuid::Uuid) -> u64 {
    let mut conn = pool.acquire().await.expect("connection");
    deliveries::enqueue_to_followers(&mut conn, activity)
        .await
        .expect("enqueue")
}

/// `count` accepted followers with personal inboxes on `host`.
async fn followers_on(pool: &PgPool, host: &str, count: usize) {
    for i in 0..count {
        let actor = format!("https://{host}/users/u{i}");
        sqlx::query("INSERT INTO remote_actors (id, inbox, public_key_pem, kind, fetched_at) VALUES ($1, $2, 'unused', 'Person', now())")
            .bind(&actor)
            .bind(format!("{actor}/inbox"))
            .execute(pool)
            .await
            .expect("actor");
        sqlx::query("INSERT INTO followers (id, actor_id, follow_id, inbox, host, status) VALUES ($1, $2, $3, $4, $5, 'accepted')")
            .bind(uuid::Uuid::now_v7())
            .bind(&actor)
            .bind(format!("{actor}#follow"))
            .bind(format!("{actor}/inbox"))
            .bind(host)
            .execute(pool)
            .await
            .expect("follower");
    }
}

#[tokio::test]
async fn claims_interleave_hosts_and_do_not_run_down_one_hosts_sorted_inboxes() {
    let (pool, activity) = queue_database().await;
    followers_on(&pool, "a.example", 40).await;
    followers_on(&pool, "b.example", 3).await;
    followers_on(&pool, "c.example", 3).await;
    assert_eq!(enqueue(&pool, activity).await, 46);

    // The first claim reaches every host, although one host has most of the jobs.
    let first = deliveries::claim(&pool, 6, 4, Duration::from_secs(60))
        .await
        .expect("claim");
    let mut hosts: Vec<&str> = first.iter().map(|j| j.host.as_str()).collect();
    hosts.sort();
    hosts.dedup();
    assert_eq!(
        hosts,
        ["a.example", "b.example", "c.example"],
        "first claim: {first:?}"
    );

    // Within a host, jobs are not taken in the order of their inbox addresses (neighbours
    // often fail together: accounts created or moved together).
    let order: Vec<String> =
        sqlx::query_scalar("SELECT inbox FROM deliveries WHERE host = 'a.example' ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("order");
    let mut sorted = order.clone();
    sorted.sort();
    assert_ne!(order, sorted);
    sorted.reverse();
    assert_ne!(order, sorted);
}

/// The failure record of a host: (rounds failed in a row, backed off now, generation).
async fn host_record(pool: &PgPool, host: &str) -> (i32, bool, i64) {
    sqlx::query_as(
        "SELECT consecutive_failures, coalesce(backoff_until > now(), false), generation \
         FROM delivery_hosts WHERE host = $1",
    )
    .bind(host)
    .fetch_one(pool)
    .await
    .expect("host record")
}

/// Lets a host's backoff run out now (instead of waiting for it).
async fn backoff_runs_out(pool: &PgPool, host: &str) {
    sqlx::query("UPDATE delivery_hosts SET backoff_until = now() WHERE host = $1")
        .bind(host)
        .execute(pool)
        .await
        .expect("backoff");
}

/// Writes an attempt back as the workers do.
async fn write_back(
    pool: &PgPool,
    job: &deliveries::Claimed,
    status: u16,
    fate: deliveries::Fate,
    news: deliveries::HostNews,
) -> deliveries::Outcomes {
    let written = deliveries::Written {
        id: job.id,
        host: job.host.clone(),
        generation: job.generation,
        status: Some(status),
        fate,
        news,
    };
    deliveries::write_outcomes(
        pool,
        &[written],
        Duration::from_secs(30),
        Duration::from_secs(86_400),
    )
    .await
    .expect("written")
}

/// Writes a failed attempt back (retried in a minute, a failure against its host); returns
/// the host's rounds failed in a row if this failure counted.
async fn failed(pool: &PgPool, job: &deliveries::Claimed) -> Option<i32> {
    let retry = chrono::Utc::now() + chrono::Duration::seconds(60);
    let fate = deliveries::Fate::Retry("HTTP 503".into(), retry);
    let outcomes = write_back(pool, job, 503, fate, deliveries::HostNews::Failed).await;
    outcomes.rounds.first().map(|(_, rounds)| *rounds)
}

/// Writes a job back as delivered (its lease cleared); `true` if that released its host.
async fn delivered(pool: &PgPool, job: &deliveries::Claimed) -> bool {
    let answered = deliveries::HostNews::Answered;
    write_back(pool, job, 202, deliveries::Fate::Delivered, answered)
        .await
        .reopened
}

#[tokio::test]
async fn failures_in_flight_together_count_once_and_a_backed_off_host_gets_one_trial() {
    const HOST: &str = "down.example";
    let base = Duration::from_secs(30);
    let lease = Duration::from_secs(60);
    let (pool, activity) = queue_database().await;
    followers_on(&pool, HOST, 30).await;
    followers_on(&pool, "up.example", 2).await;
    enqueue(&pool, activity).await;
    let claim = |limit: i64| deliveries::claim(&pool, limit, 4, lease);
    let of_host = |jobs: &[deliveries::Claimed]| {
        jobs.iter()
            .filter(|j| j.host == HOST)
            .cloned()
            .collect::<Vec<_>>()
    };

    // Round 1: four requests in flight together, all fail: one round.
    let round = of_host(&claim(10).await.expect("claim"));
    assert_eq!(round.len(), 4);
    let counted: Vec<Option<i32>> = {
        let mut counted = Vec::new();
        for job in &round {
            assert!(!job.trial);
            counted.push(failed(&pool, job).await);
        }
        counted
    };
    assert_eq!(counted, [Some(1), None, None, None]);
    assert_eq!(host_record(&pool, HOST).await.0, 1);

    // Rounds 2 and 3, each started after the previous one was recorded: backed off for `base`.
    for expected in [2, 3] {
        let round = of_host(&claim(10).await.expect("claim"));
        assert_eq!(round.len(), 4);
        for job in &round {
            failed(&pool, job).await;
        }
        assert_eq!(host_record(&pool, HOST).await.0, expected);
    }
    let (rounds, backed_off, _) = host_record(&pool, HOST).await;
    assert_eq!((rounds, backed_off), (3, true));
    let until: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM backoff_until - now())::float8 FROM delivery_hosts WHERE host = $1",
    )
    .bind(HOST)
    .fetch_one(&pool)
    .await
    .expect("until");
    assert!((29.0..=30.5).contains(&until), "backed off for {until} s");

    // Backed off: nothing is claimed for it.
    assert!(of_host(&claim(10).await.expect("claim")).is_empty());

    // Once the backoff has run out: one trial, and nothing else while it is out.
    backoff_runs_out(&pool, HOST).await;
    let trial = claim(10).await.expect("claim");
    assert_eq!(trial.len(), 1, "{trial:?}");
    let trial = trial.into_iter().next().expect("trial");
    assert!(trial.trial);
    assert_eq!(trial.host, HOST);
    assert!(of_host(&claim(10).await.expect("claim")).is_empty());

    // The trial fails: backed off twice as long.
    assert_eq!(failed(&pool, &trial).await, Some(4));
    let until: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM backoff_until - now())::float8 FROM delivery_hosts WHERE host = $1",
    )
    .bind(HOST)
    .fetch_one(&pool)
    .await
    .expect("until");
    assert!((59.0..=60.5).contains(&until), "backed off for {until} s");

    // The next trial succeeds: the host is released at once; a late failure of a request
    // from before does not count against it.
    backoff_runs_out(&pool, HOST).await;
    let trial = of_host(&claim(10).await.expect("claim"));
    assert_eq!(trial.len(), 1);
    assert!(delivered(&pool, &trial[0]).await, "the host is released");
    assert_eq!(
        reviewpub::db::hosts::host_failed(&pool, HOST, round[0].generation, base)
            .await
            .expect("failed"),
        None
    );
    let (rounds, backed_off, _) = host_record(&pool, HOST).await;
    assert_eq!((rounds, backed_off), (0, false));
    let released = of_host(&claim(10).await.expect("claim"));
    assert_eq!(released.len(), 4);
    assert!(released.iter().all(|j| !j.trial));
}

/// Claims as from several processes: a host's jobs in flight (leased, from any claim) count
/// against its limit until their outcome is written or their lease runs out, and a host whose
/// claim is under way elsewhere (its lock held) is skipped rather than waited for.
#[tokio::test]
async fn the_per_host_limit_counts_every_claims_leases_until_written_or_expired() {
    const PER_HOST: i64 = 3;
    let lease = Duration::from_secs(60);
    let (pool, activity) = queue_database().await;
    followers_on(&pool, "a.example", 10).await;
    enqueue(&pool, activity).await;
    let claim = |limit: i64| deliveries::claim(&pool, limit, PER_HOST, lease);

    let first = claim(2).await.expect("claim");
    assert_eq!(first.len(), 2);
    assert_eq!(claim(5).await.expect("claim").len(), 1, "one slot was left");
    assert!(
        claim(5).await.expect("claim").is_empty(),
        "the host is full"
    );

    // A worker that died: its lease runs out, the job is due again and no longer counts.
    sqlx::query(
        "UPDATE deliveries SET leased_until = now() - interval '1 second', \
         next_attempt_at = now() - interval '1 second' WHERE id = $1",
    )
    .bind(first[0].id)
    .execute(&pool)
    .await
    .expect("expire");
    let again = claim(5).await.expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].id, first[0].id,
        "the job of the dead worker is sent again"
    );

    // An outcome written clears the lease: a slot again, unless a claim elsewhere holds the
    // host.
    delivered(&pool, &first[1]).await;
    let mut elsewhere = pool.begin().await.expect("transaction");
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('delivery host ' || $1, 0))")
        .bind("a.example")
        .execute(&mut *elsewhere)
        .await
        .expect("lock");
    assert!(
        claim(5).await.expect("claim").is_empty(),
        "skipped while held"
    );
    elsewhere.rollback().await.expect("rollback");
    assert_eq!(claim(5).await.expect("claim").len(), 1);
    let in_flight: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE leased_until > now() AND host = 'a.example'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(in_flight, PER_HOST);
}
