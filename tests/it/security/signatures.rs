//! Signatures: absurd times, what they must cover, the time window of signed fetches, keys
//! that cannot be fetched, follows undone by someone else.

use serde_json::json;

use crate::helpers::{free_port, sample_review, TestApp};
use crate::peer::{http_date, Peer, RawSigned};

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
