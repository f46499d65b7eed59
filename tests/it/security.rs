//! Hostile input and secrets: what anyone on the network can send must not crash, exhaust,
//! fool or read reviewpub.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    free_port, fresh_database, sample_review, shared_tmp, wait_ready, FetchJson, Server, TestApp,
};
use crate::peer::{http_date, Peer, RawSigned};

const TOKEN: &str = "log-test-admin-token-5f3a9c";
const DB_PASSWORD: &str = "db-password-7b1e44";

/// Polls `check` until it holds, at most `within`.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every admin API operation, a scheduler tick and a wrong token, with every span and event
/// logged at `trace`: neither the admin token, nor a presented token, nor the database
/// password appears in the log.
#[tokio::test]
async fn no_secret_reaches_the_log() {
    let dir = shared_tmp("reviewpub-logs-");
    let log = dir.path().join("reviewpub.log");
    let mut database = url::Url::parse(&fresh_database().await).expect("URL");
    // The test cluster trusts local connections: the password is carried, never checked.
    database.set_password(Some(DB_PASSWORD)).expect("password");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start_logging_to(
        &["serve"],
        &[
            ("DATABASE_URL", database.to_string()),
            ("REVIEWPUB_ADMIN_TOKEN", TOKEN.to_string()),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_PUBLIC_URL", base.clone()),
            ("REVIEWPUB_SCHEDULER__INTERVAL_SECONDS", "1".to_string()),
            ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".to_string()),
            ("RUST_LOG", "trace".to_string()),
        ],
        Some(&log),
    );
    wait_ready(&base).await;
    let client = reqwest::Client::new();
    let api = |method: Method, path: &str| {
        client
            .request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(TOKEN)
    };

    let created = api(Method::POST, "/reviews")
        .json(&sample_review("Logged Review"))
        .fetch_json()
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    let patched = api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Logged Review, edited"}))
        .fetch_json()
        .await;
    assert_eq!(patched["title"], "Logged Review, edited", "{patched}");
    let mut scheduled = sample_review("Scheduled Logged Review");
    scheduled["status"] = json!("scheduled");
    scheduled["publish_at"] =
        json!((chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339());
    let scheduled = api(Method::POST, "/reviews")
        .json(&scheduled)
        .fetch_json()
        .await;
    let scheduled_id = scheduled["id"].as_str().expect("id").to_string();
    // The scheduler's tick publishes it (its span used to carry the whole configuration).
    eventually(Duration::from_secs(30), "the scheduled review", || {
        let request = api(Method::GET, &format!("/reviews/{scheduled_id}"));
        async move { request.fetch_json().await["status"] == "published" }
    })
    .await;
    let answer = api(Method::POST, &format!("/reviews/{id}/comments"))
        .json(&json!({"body": "The critic answers."}))
        .fetch_json()
        .await;
    assert!(answer["id"].is_string(), "{answer}");
    for path in [
        "/reviews",
        "/comments",
        "/followers",
        "/deliveries",
        "/blocks",
        "/reports",
    ] {
        let response = api(Method::GET, path).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    let deleted = api(Method::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let wrong = client
        .get(format!("{base}/api/v1/reviews"))
        .bearer_auth("presented-wrong-token-91c2")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status().as_u16(), 401);
    let status = server.terminate();
    assert!(status.success(), "{status}");

    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(
        logged.contains("publish_due") && logged.contains("delete"),
        "the spans that used to carry the settings were logged"
    );
    for secret in [TOKEN, DB_PASSWORD, "presented-wrong-token"] {
        let line = logged.lines().find(|l| l.contains(secret));
        assert!(
            line.is_none(),
            "{secret} logged: {}",
            line.unwrap_or_default()
        );
    }
}

fn host_of(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

async fn follower_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM followers")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

/// `created`/`expires` far out of range used to overflow inside the signature library: the
/// connection dropped and the log showed a panic. Now: a 401 before any verification, and
/// nothing stored.
#[tokio::test]
async fn absurd_signature_times_are_refused_before_verification() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let host = host_of(&app);
    let follow = alice.follow(&app.url("/users/reviews"), "absurd");
    for (components, extra) in [
        (
            "(request-target) host (created) digest",
            ",created=18446744073709551615",
        ),
        (
            "(request-target) host (created) digest",
            ",created=9223372036854775807",
        ),
        (
            "(request-target) host (created) digest",
            ",created=-9223372036854775808",
        ),
        (
            "(request-target) host date digest",
            ",expires=18446744073709551615",
        ),
        (
            "(request-target) host date (expires) digest",
            ",expires=99999999999999",
        ),
    ] {
        let mut raw = RawSigned::post(&host, "/inbox", &follow);
        raw.components = components;
        raw.extra = extra;
        let response = alice.send_raw(&app.url("/inbox"), raw).await;
        assert_eq!(response.status().as_u16(), 401, "{extra}");
    }
    assert_eq!(follower_count(&app).await, 0);
    // The same Follow, signed sensibly, is taken: the refusals were about the times.
    let response = alice
        .send_raw(
            &app.url("/inbox"),
            RawSigned::post(&host, "/inbox", &follow),
        )
        .await;
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(follower_count(&app).await, 1);
    app.stop().await;
}

/// A signature is bound to this server and to a time: signed for another `Host` (a replay of
/// what another server received), without `host` or `(request-target)`, or with a repeated
/// parameter (the time check and the library used to read different `headers=`), it is
/// refused.
#[tokio::test]
async fn signatures_must_cover_our_host_the_target_and_a_time_exactly_once() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let host = host_of(&app);
    let inbox = app.url("/inbox");
    let follow = alice.follow(&app.url("/users/reviews"), "bound");

    // Signed for evil.example and sent with that Host: valid there, not here.
    let replayed = RawSigned::post("evil.example", "/inbox", &follow);
    assert_eq!(
        alice.send_raw(&inbox, replayed).await.status().as_u16(),
        401
    );
    // Signed for evil.example, sent with our Host.
    let mut mismatched = RawSigned::post(&host, "/inbox", &follow);
    mismatched.signed = vec![("host", "evil.example".to_string())];
    assert_eq!(
        alice.send_raw(&inbox, mismatched).await.status().as_u16(),
        401
    );
    for components in [
        "date digest",
        "host date digest",
        "(request-target) date digest",
        "(request-target) host digest",
        "(request-target) host date",
    ] {
        let mut raw = RawSigned::post(&host, "/inbox", &follow);
        raw.components = components;
        assert_eq!(
            alice.send_raw(&inbox, raw).await.status().as_u16(),
            401,
            "{components}"
        );
    }
    // `headers=` twice: the first covers the date, the last (which the library used) does not.
    let mut repeated = RawSigned::post(&host, "/inbox", &follow);
    repeated.components = "(request-target) host digest";
    repeated.extra = ",headers=\"(request-target) host date digest\"";
    assert_eq!(
        alice.send_raw(&inbox, repeated).await.status().as_u16(),
        401
    );
    let mut repeated_key = RawSigned::post(&host, "/inbox", &follow);
    repeated_key.extra = ",keyId=\"http://evil.example/actor#main-key\"";
    assert_eq!(
        alice.send_raw(&inbox, repeated_key).await.status().as_u16(),
        401
    );
    // Stale and future dates.
    for skew in [-2 * 3600, 2 * 3600, 300 * 86_400] {
        let raw = RawSigned::post(&host, "/inbox", &follow).with(
            "date",
            http_date(chrono::Utc::now() + chrono::Duration::seconds(skew)),
        );
        assert_eq!(
            alice.send_raw(&inbox, raw).await.status().as_u16(),
            401,
            "{skew}"
        );
    }
    assert_eq!(follower_count(&app).await, 0, "nothing was taken");
    let good = RawSigned::post(&host, "/inbox", &follow);
    assert_eq!(alice.send_raw(&inbox, good).await.status().as_u16(), 202);
    assert_eq!(follower_count(&app).await, 1);
    app.stop().await;
}

/// In secure mode a signed GET with a `Date` 300 days ahead was accepted: signed GETs now
/// have the inbox's window both ways.
#[tokio::test]
async fn signed_fetches_have_the_same_time_window_as_the_inbox() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.authorized_fetch", true))).await;
    let alice = Peer::start().await;
    let host = host_of(&app);
    let review = app.create_review(sample_review("Window")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let path = url::Url::parse(ap_id).expect("URL").path().to_string();
    let now = alice.send_raw(ap_id, RawSigned::get(&host, &path)).await;
    assert_eq!(now.status().as_u16(), 200, "a fresh signature is accepted");
    for skew in [-2 * 3600, 2 * 3600, 300 * 86_400] {
        let raw = RawSigned::get(&host, &path).with(
            "date",
            http_date(chrono::Utc::now() + chrono::Duration::seconds(skew)),
        );
        assert_eq!(
            alice.send_raw(ap_id, raw).await.status().as_u16(),
            401,
            "{skew}"
        );
    }
    let replayed = RawSigned::get("evil.example", &path);
    assert_eq!(alice.send_raw(ap_id, replayed).await.status().as_u16(), 401);
    app.stop().await;
}

/// `Undo{Follow}` of a follow of someone else used to remove the sender from our followers.
#[tokio::test]
async fn undoing_a_follow_of_someone_else_keeps_the_follower() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let inbox = app.url("/inbox");
    let me = app.url("/users/reviews");
    let follow = alice.follow(&me, "follow-blog");
    assert_eq!(alice.post(&inbox, &follow).await.status().as_u16(), 202);
    assert_eq!(follower_count(&app).await, 1);

    let elsewhere = alice.follow("https://other.example/users/bob", "follow-bob");
    let undo_other = alice.activity("Undo", "undo-bob", elsewhere);
    assert_eq!(alice.post(&inbox, &undo_other).await.status().as_u16(), 202);
    let undo_by_id = alice.activity("Undo", "undo-bob-id", json!(alice.id("follow-bob")));
    assert_eq!(alice.post(&inbox, &undo_by_id).await.status().as_u16(), 202);
    assert_eq!(follower_count(&app).await, 1, "still following the blog");

    let undo_ours = alice.activity("Undo", "undo-blog", follow);
    assert_eq!(alice.post(&inbox, &undo_ours).await.status().as_u16(), 202);
    assert_eq!(follower_count(&app).await, 0, "the real unfollow works");
    app.stop().await;
}

/// A server that answers every request with `status`.
async fn answering(status: u16) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let code = axum::http::StatusCode::from_u16(status).expect("status");
    let app = axum::Router::new().fallback(move || async move { (code, "nope") });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://localhost:{port}")
}

/// When the sender's key cannot be fetched for a temporary reason (its server answers 503,
/// or nothing listens), the inbox answers 503 so the sender retries; a key that is really
/// not there (404) is a 401.
#[tokio::test]
async fn a_key_that_cannot_be_fetched_now_is_a_503_one_that_is_wrong_a_401() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let host = host_of(&app);
    let unavailable = answering(503).await;
    let missing = answering(404).await;
    let closed = format!("http://localhost:{}", free_port());
    for (server, expected) in [(unavailable, 503), (closed, 503), (missing, 401)] {
        let actor = format!("{server}/users/ghost");
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{server}/activities/1"),
            "type": "Follow",
            "actor": actor,
            "object": app.url("/users/reviews"),
        });
        let mut raw = RawSigned::post(&host, "/inbox", &follow);
        raw.key_id = Some(format!("{actor}#main-key"));
        let response = alice.send_raw(&app.url("/inbox"), raw).await;
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").is_some();
        let body = response.text().await.expect("body");
        assert_eq!(status, expected, "{server}: {body}");
        assert_eq!(retry_after, expected == 503, "Retry-After with 503 only");
        assert!(
            !body.contains("nope"),
            "the remote answer is not echoed: {body}"
        );
    }
    assert_eq!(follower_count(&app).await, 0);
    app.stop().await;
}
