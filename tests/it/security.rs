//! Hostile input and secrets: what anyone on the network can send must not crash, exhaust,
//! fool or read reviewpub.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

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

/// A server that answers every request with a body that never ends, and says how much of it
/// went out and whether the reader hung up.
struct Endless {
    base: String,
    sent: Arc<AtomicU64>,
    dropped: Arc<AtomicBool>,
}

struct HangUp(Arc<AtomicBool>);

impl Drop for HangUp {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Endless {
    async fn start(status: u16, content_type: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let sent = Arc::new(AtomicU64::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let (s, d) = (sent.clone(), dropped.clone());
        let code = axum::http::StatusCode::from_u16(status).expect("status");
        let app = axum::Router::new().fallback(move || {
            let (sent, dropped) = (s.clone(), d.clone());
            async move {
                let guard = HangUp(dropped);
                let chunk = bytes::Bytes::from(vec![b'['; 64 * 1024]);
                let stream = futures_util::stream::unfold(guard, move |guard| {
                    let chunk = chunk.clone();
                    let sent = sent.clone();
                    async move {
                        sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                        Some((Ok::<_, std::io::Error>(chunk), guard))
                    }
                });
                (
                    code,
                    [("content-type", content_type)],
                    axum::body::Body::from_stream(stream),
                )
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: format!("http://localhost:{port}"),
            sent,
            dropped,
        }
    }

    /// Waits until the reader hung up; returns how many bytes had gone out by then.
    async fn wait_hung_up(&self) -> u64 {
        let dropped = self.dropped.clone();
        eventually(Duration::from_secs(30), "the reader to hang up", || {
            let dropped = dropped.clone();
            async move { dropped.load(Ordering::SeqCst) }
        })
        .await;
        self.sent.load(Ordering::SeqCst)
    }
}

fn interact_url(app: &TestApp, uri: &str, handle: &str) -> String {
    url::Url::parse_with_params(&app.url("/interact"), &[("uri", uri), ("handle", handle)])
        .expect("URL")
        .to_string()
}

/// At most this much of an endless body goes out before reviewpub hangs up (what it reads,
/// plus what the kernel's socket buffers and the sending server hold).
const HANG_UP_WITHIN: u64 = 16 * 1024 * 1024;

/// `/interact` pointed at a server whose WebFinger answer never ends used to read it all
/// (1.2 GiB of memory for one anonymous request); now it reads at most 64 KiB and answers 502.
#[tokio::test]
async fn an_endless_webfinger_answer_is_cut_short() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Endless")).await;
    let evil = Endless::start(200, "application/jrd+json").await;
    let host = evil.base.trim_start_matches("http://");
    let started = Instant::now();
    let response = app
        .client
        .get(interact_url(
            &app,
            review["ap_id"].as_str().expect("ap_id"),
            &format!("a@{host}"),
        ))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 502);
    let sent = evil.wait_hung_up().await;
    assert!(
        sent < HANG_UP_WITHIN,
        "{sent} bytes went out before the hang-up"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered without waiting for the end"
    );
    app.stop().await;
}

/// A WebFinger server answering for someone else, or with a template that is not http(s), is
/// not followed (it was an open redirect).
#[tokio::test]
async fn interact_redirects_only_to_the_asked_accounts_http_template() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Redirects")).await;
    let uri = review["ap_id"].as_str().expect("ap_id").to_string();
    let answers: Arc<std::sync::Mutex<Value>> = Arc::new(std::sync::Mutex::new(Value::Null));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
    let served = answers.clone();
    let server = axum::Router::new().route(
        "/.well-known/webfinger",
        axum::routing::get(move || {
            let doc = served.lock().map(|d| d.clone()).unwrap_or_default();
            async move { ([("content-type", "application/jrd+json")], doc.to_string()) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, server).await;
    });
    let jrd = |subject: &str, template: &str| {
        json!({"subject": subject, "links": [
            {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}
        ]})
    };
    let ask = || {
        app.client
            .get(interact_url(&app, &uri, &format!("reader@{host}")))
            .send()
    };
    for (doc, what) in [
        (
            jrd(
                "acct:someone-else@evil.example",
                "https://evil.example/go?u={uri}",
            ),
            "another account's answer",
        ),
        (
            jrd(&format!("acct:reader@{host}"), "javascript:alert(1)//{uri}"),
            "a javascript: template",
        ),
        (
            jrd(&format!("acct:reader@{host}"), "data:text/html,{uri}"),
            "a data: template",
        ),
    ] {
        *answers.lock().expect("lock") = doc;
        let response = ask().await.expect("GET");
        assert!(
            !response.status().is_redirection(),
            "{what} was followed: {:?}",
            response.headers().get("location")
        );
    }
    *answers.lock().expect("lock") = jrd(
        &format!("acct:reader@{host}"),
        &format!("http://{host}/authorize_interaction?uri={{uri}}"),
    );
    let response = ask().await.expect("GET");
    assert_eq!(
        response.status().as_u16(),
        303,
        "the real answer is followed"
    );
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(location.starts_with(&format!("http://{host}/authorize_interaction?uri=")));
    app.stop().await;
}

/// Lookups are limited per client: past the allowance, 429 with Retry-After.
#[tokio::test]
async fn interact_lookups_are_limited_per_client() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.interact_per_minute", 2))).await;
    let review = app.create_review(sample_review("Limited")).await;
    let uri = review["ap_id"].as_str().expect("ap_id").to_string();
    let closed = format!("localhost:{}", free_port());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .get(interact_url(&app, &uri, &format!("r@{closed}")))
            .send()
            .await
            .expect("GET");
        if response.status().as_u16() == 429 {
            assert!(response.headers().get("retry-after").is_some());
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![502, 502, 429]);
    app.stop().await;
}

/// A follower whose inbox answers with an endless body: the `Accept` is delivered (its status
/// is all that counts) and only the start of the answer is read (it took the process to
/// 2.5 GiB).
#[tokio::test]
async fn an_endless_answer_to_a_delivery_is_cut_short() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let evil = Endless::start(202, "text/plain").await;
    alice.edit_actor(|actor| {
        actor["inbox"] = json!(format!("{}/inbox", evil.base));
        actor["endpoints"] = json!({});
    });
    let follow = alice.follow(&app.url("/users/reviews"), "endless");
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let sent = evil.wait_hung_up().await;
    assert!(
        sent < HANG_UP_WITHIN,
        "{sent} bytes went out before the hang-up"
    );
    let pool = app.pool.clone();
    eventually(
        Duration::from_secs(30),
        "the Accept to be recorded as delivered",
        || {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, String>("SELECT status FROM deliveries")
                    .fetch_optional(&pool)
                    .await
                    .ok()
                    .flatten()
                    .as_deref()
                    == Some("delivered")
            }
        },
    )
    .await;
    app.stop().await;
}

async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await
}

/// The one stored comment.
async fn only_comment(
    app: &TestApp,
) -> (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
) {
    sqlx::query_as(
        "SELECT author_name, author_handle, author_url, content_html, summary FROM comments",
    )
    .fetch_one(&app.pool)
    .await
    .expect("one comment")
}

/// NUL bytes and control characters in remote names, summaries, contents and reports gave
/// 500s that echoed PostgreSQL's error to the sender, and made the comment feed invalid XML; a
/// 200,000-character name and a huge comment were stored whole. Now every remote string is
/// cleaned on arrival and capped.
#[tokio::test]
async fn remote_strings_are_cleaned_and_capped() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Strings")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let long_name = format!("Alice\u{0}\u{1}\u{b}\u{fffe}{}", "x".repeat(200_000));
    alice.edit_actor(|actor| {
        actor["name"] = json!(long_name);
        actor["preferredUsername"] = json!("ali\u{0}ce\u{7}");
    });
    let huge = format!("<p>{}\u{0}\u{8}</p>", "word ".repeat(80_000));
    let mut note = alice.note("strings", ap_id, &huge, true, &me);
    note["summary"] = json!("spoilers\u{0}\u{1b}[31m ahead");
    let response = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-strings", note),
        )
        .await;
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    assert_eq!(status, 202, "{body}");
    let (name, handle, _, html, summary) = only_comment(&app).await;
    let all = format!("{name}{handle:?}{html}{summary:?}");
    assert!(
        !all.chars()
            .any(|c| c == '\0' || c == '\u{fffe}' || (c.is_control() && c != '\n')),
        "control characters stored"
    );
    assert!(
        name.starts_with("Alice") && name.chars().count() <= 100,
        "{} chars",
        name.chars().count()
    );
    assert_eq!(
        handle.as_deref(),
        Some(format!("@alice@{}", alice.base.trim_start_matches("http://")).as_str())
    );
    assert!(
        html.len() <= 60_000,
        "{} bytes of comment stored",
        html.len()
    );
    assert_eq!(summary.as_deref(), Some("spoilers[31m ahead"));

    // The comment feed is valid XML, and the page answers.
    let slug = review["slug"].as_str().expect("slug");
    let feed = app.get(&format!("/reviews/{slug}/comments.xml")).await;
    assert_eq!(feed.status().as_u16(), 200);
    let feed = feed_rs::parser::parse(&feed.bytes().await.expect("bytes")[..])
        .expect("the comment feed parses");
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        app.get(&format!("/reviews/{slug}")).await.status().as_u16(),
        200
    );

    // A report with a NUL: stored cleaned, 202.
    let flag = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": alice.id("flag"),
        "type": "Flag",
        "actor": alice.actor_id,
        "object": [ap_id, "not a url"],
        "content": "bad\u{0}review\u{1}",
    });
    let response = alice.post(&app.url("/inbox"), &flag).await;
    assert_eq!(response.status().as_u16(), 202);
    let (content, objects): (Option<String>, Vec<String>) =
        sqlx::query_as("SELECT content, objects FROM reports")
            .fetch_one(&app.pool)
            .await
            .expect("report");
    assert_eq!(content.as_deref(), Some("badreview"));
    assert_eq!(objects, vec![ap_id.to_string()]);
    app.stop().await;
}

/// A remote actor's `url` of `javascript:…` reached the comment feed's `<author><uri>` and the
/// critic's own answer Note. Only http(s) URLs are taken from remote documents.
#[tokio::test]
async fn remote_urls_are_http_only() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Schemes")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let id = review["id"].as_str().expect("id");
    let me = app.url("/users/reviews");
    alice.edit_actor(|actor| {
        actor["url"] = json!("javascript:alert(document.cookie)");
        actor["icon"] = json!({"type": "Image", "url": "javascript:alert(2)"});
    });
    let mut note = alice.note("schemes", ap_id, "<p>Hello</p>", true, &me);
    note["url"] = json!("javascript:alert(3)");
    let response = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-schemes", note),
        )
        .await;
    assert_eq!(response.status().as_u16(), 202);
    let (_, _, author_url, _, _) = only_comment(&app).await;
    assert_eq!(author_url.as_deref(), Some(alice.actor_id.as_str()));
    let stored: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT url, author_avatar FROM comments")
            .fetch_one(&app.pool)
            .await
            .expect("comment");
    assert_eq!(
        stored.0.as_deref(),
        Some(
            alice
                .id("schemes")
                .replace("/activities/", "/objects/")
                .as_str()
        )
    );
    assert_eq!(stored.1, None);

    let comment_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let answer = app
        .api(Method::POST, &format!("/reviews/{id}/comments"))
        .json(&json!({"in_reply_to": comment_id, "body": "Thanks!"}))
        .fetch_json()
        .await;
    let answer_ap = answer["ap_id"].as_str().expect("ap_id");
    let note = app
        .client
        .get(answer_ap)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let slug = review["slug"].as_str().expect("slug");
    let (_, feed) = app.get_text(&format!("/reviews/{slug}/comments.xml")).await;
    let (_, page) = app.get_text(&format!("/reviews/{slug}")).await;
    for (what, text) in [
        ("answer Note", note),
        ("comment feed", feed),
        ("page", page),
    ] {
        assert!(
            !text.contains("javascript:"),
            "{what} holds a javascript: URL"
        );
    }
    app.stop().await;
}

/// `evil.example.` got round a block of `evil.example`. Hosts are normalized in one place
/// (lowercase, IDNA, no trailing dot, no default port) and a domain block covers subdomains.
#[tokio::test]
async fn domain_blocks_hold_whatever_the_spelling() {
    let app = open_app().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Spelling")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let (host, port) = alice
        .base
        .trim_start_matches("http://")
        .split_once(':')
        .expect("host:port");
    // Typed with capitals and a trailing dot, as a critic may paste it.
    let block = app
        .api(Method::POST, "/blocks")
        .json(&json!({"domain": format!("{}.:{port}", host.to_uppercase())}))
        .fetch_json()
        .await;
    assert_eq!(block["value"], format!("{host}:{port}"), "{block}");
    let refused = alice
        .post(
            &app.url("/inbox"),
            &alice.activity(
                "Create",
                "c-blocked",
                alice.note("blocked", ap_id, "<p>x</p>", true, &me),
            ),
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);

    // The rule itself, against the database's function, for every spelling.
    app.api(Method::POST, "/blocks")
        .json(&json!({"domain": "Evil.Example."}))
        .send()
        .await
        .expect("POST");
    for (actor, blocked) in [
        ("https://evil.example/users/x", true),
        ("https://evil.example./users/x", true),
        ("https://EVIL.example:443/users/x", true),
        ("https://evil.example:8443/users/x", true),
        ("https://sub.evil.example./users/x", true),
        ("https://user@evil.example/users/x", true),
        ("https://notevil.example/users/x", false),
        ("https://evil.example.org/users/x", false),
        (&format!("http://{host}:{}/users/x", free_port()), false),
    ] {
        let is: bool = sqlx::query_scalar("SELECT actor_is_blocked($1)")
            .bind(actor)
            .fetch_one(&app.pool)
            .await
            .expect("query");
        assert_eq!(is, blocked, "{actor}");
    }
    // A comment stored from a trailing-dot spelling is hidden like the others.
    sqlx::query(
        "INSERT INTO remote_actors (id, inbox, public_key_pem, kind, fetched_at) \
         VALUES ('https://evil.example./users/x', 'https://evil.example./inbox', 'none', 'Person', now())",
    )
    .execute(&app.pool)
    .await
    .expect("actor");
    sqlx::query(
        "INSERT INTO comments (id, ap_id, review_id, origin, author_actor, author_name, content_html, \
         visibility, status, published_at) \
         VALUES ($1, 'https://evil.example./notes/1', $2, 'remote', 'https://evil.example./users/x', 'Evil', \
         '<p>visible?</p>', 'public', 'published', now())",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(uuid::Uuid::parse_str(review["id"].as_str().expect("id")).expect("uuid"))
    .execute(&app.pool)
    .await
    .expect("insert");
    let slug = review["slug"].as_str().expect("slug");
    let (_, page) = app.get_text(&format!("/reviews/{slug}")).await;
    assert!(
        !page.contains("visible?"),
        "a blocked server's comment is shown"
    );
    app.stop().await;
}

/// Pages run no script, cannot be framed and do not sniff types.
#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Headers")).await;
    let slug = review["slug"].as_str().expect("slug");
    for path in [
        "/".to_string(),
        format!("/reviews/{slug}"),
        "/feed.xml".to_string(),
    ] {
        let response = app.get(&path).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(!header("referrer-policy").is_empty(), "{path}");
    }
    app.stop().await;
}
