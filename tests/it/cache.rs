//! The response cache: repeated reads are answered from memory, and every change (through the
//! API, the inbox, another process writing to the database) shows at once or within moments.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fresh_database, sample_review, shared_tmp, FetchJson, TestApp};
use crate::peer::Peer;

const AP: &str = "application/activity+json";

/// Status, `x-cache` and body of a GET with the given `Accept` (none when empty).
async fn fetch(app: &TestApp, path: &str, accept: &str) -> (u16, Option<String>, String) {
    let mut request = app.client.get(app.url(path));
    if !accept.is_empty() {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("GET");
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, cache, response.text().await.expect("body"))
}

async fn page(app: &TestApp, path: &str) -> (u16, Option<String>, String) {
    fetch(app, path, "").await
}

/// Fetches `path` until its body contains `needle` (at most five seconds); returns the body.
async fn until_shown(app: &TestApp, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, body) = page(app, path).await;
        if status == 200 && body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} not on {path} within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn slug(review: &Value) -> String {
    format!("/reviews/{}", review["slug"].as_str().expect("slug"))
}

#[tokio::test]
async fn a_second_read_is_a_hit_and_an_edit_through_the_api_shows_at_once() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);

    let (status, first_cache, first) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(first_cache.as_deref(), Some("miss"));
    let (status, second_cache, second) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(second_cache.as_deref(), Some("hit"));
    assert_eq!(first, second, "a hit is the same page");

    let id = review["id"].as_str().expect("id");
    let response = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Heat, revisited"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    let (status, cache, edited) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(cache.as_deref(), Some("miss"), "the edit invalidated it");
    assert!(edited.contains("Heat, revisited"), "the new title is shown");

    // Listings, feeds and discovery documents are kept too.
    let webfinger = format!(
        "/.well-known/webfinger?resource=acct:reviews@{}",
        app.base.trim_start_matches("http://")
    );
    for path in [
        "/",
        "/feed.xml",
        "/about",
        "/categories/science-fiction",
        "/tags/clones",
        webfinger.as_str(),
    ] {
        let (status, _, first) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        let (_, cache, again) = page(&app, path).await;
        assert_eq!(cache.as_deref(), Some("hit"), "{path}");
        assert_eq!(first, again, "{path}");
    }
    // Another WebFinger resource is another entry: an unknown one is not found, not a hit.
    let (status, cache, _) = page(&app, "/.well-known/webfinger?resource=acct:nobody@x").await;
    assert_eq!((status, cache.as_deref()), (404, Some("miss")));
    // Nothing under the admin API is looked up.
    let response = app
        .api(Method::GET, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("GET");
    assert!(response.headers().get("x-cache").is_none());
    app.stop().await;
}

#[tokio::test]
async fn the_article_and_the_page_of_one_url_are_kept_apart() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);

    let (_, cache, html) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    let (_, cache, json) = fetch(&app, &path, AP).await;
    assert_eq!(cache.as_deref(), Some("miss"), "JSON is not the HTML entry");
    let article: Value = serde_json::from_str(&json).expect("Article JSON");
    assert_eq!(article["type"], "Article");

    let (_, cache, html_again) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert_eq!(html, html_again);
    assert!(html_again.starts_with("<!DOCTYPE html>") || html_again.contains("<html"));
    let response = app
        .client
        .get(app.url(&path))
        .header("accept", AP)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.headers()["x-cache"], "hit");
    assert_eq!(response.headers()["content-type"], AP);
    assert_eq!(response.text().await.expect("body"), json);
    app.stop().await;
}

#[tokio::test]
async fn changes_by_another_process_show_within_moments() {
    let database_url = fresh_database().await;
    let shared = database_url.clone();
    let app = TestApp::spawn_with(move |f| f.merge(("database_url", shared))).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    page(&app, "/").await;
    let (_, cache, _) = page(&app, "/").await;
    assert_eq!(cache.as_deref(), Some("hit"));

    // `reviewpub publish` in a process of its own, on the same database.
    let dir = shared_tmp("reviewpub-cache-");
    let file = dir.path().join("alien.md");
    std::fs::write(
        &file,
        "---\ntitle: Alien (1979)\nfilm:\n  title: Alien\n  year: 1979\n  directors: [Ridley Scott]\nrating: {value: 5, best: 5}\ncategories: [Horror]\nstatus: published\n---\n\nIn space no one can hear you scream.\n",
    )
    .expect("write");
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
            .args(["publish", file.to_str().expect("path")])
            .env("DATABASE_URL", &database_url)
            .env("REVIEWPUB_PUBLIC_URL", &base)
            .env_remove("REVIEWPUB_CONFIG")
            .output()
            .expect("reviewpub publish runs")
    })
    .await
    .expect("join");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    until_shown(&app, "/", "Alien (1979)").await;

    // The library's publishing path and a comment import, on a pool of their own.
    let other = sqlx::PgPool::connect_with((*app.pool.connect_options()).clone())
        .await
        .expect("second pool");
    let settings = reviewpub::config::Settings::from_figment(
        &reviewpub::config::Settings::defaults().merge(("public_url", app.base.clone())),
    )
    .expect("settings");
    let outbound =
        reviewpub::federation::outbox::Outbox::new(reviewpub::urls::Urls::new(&settings));
    page(&app, &path).await;
    let (_, cache, _) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    let id: uuid::Uuid = review["id"].as_str().expect("id").parse().expect("uuid");
    reviewpub::publishing::update(
        &other,
        &settings,
        &outbound,
        id,
        reviewpub::publishing::Change::Patch(&json!({"title": "Heat, the long cut"})),
        chrono::Utc::now(),
    )
    .await
    .expect("update");
    until_shown(&app, &path, "Heat, the long cut").await;

    let created = reviewpub::publishing::create(
        &other,
        &settings,
        &outbound,
        &reviewpub::publishing::input_from_value(sample_review("Never Let Me Go (2010)"))
            .expect("input"),
        chrono::Utc::now(),
    )
    .await
    .expect("create");
    until_shown(&app, "/feed.xml", "Never Let Me Go (2010)").await;

    reviewpub::comments::import(
        &other,
        &settings,
        created.review.id,
        &reviewpub::comments::ImportInput {
            author_name: "An Old Reader".into(),
            author_url: None,
            date: chrono::Utc::now(),
            content: "Imported from the old blog.".into(),
            parent: None,
        },
    )
    .await
    .expect("import");
    until_shown(
        &app,
        &format!("/reviews/{}", created.review.slug),
        "Imported from the old blog.",
    )
    .await;
    other.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_lost_listener_connection_invalidates_and_listening_resumes() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    page(&app, &path).await;
    let (_, cache, _) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));

    let terminated: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN %'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("terminate the listener's connection");
    assert_eq!(terminated, vec![true], "one listening connection");

    // Notifications may have been missed meanwhile: the reconnection invalidates.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, cache, _) = page(&app, &path).await;
        if cache.as_deref() == Some("miss") {
            break;
        }
        assert!(Instant::now() < deadline, "still a hit 5 s after the loss");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And changes made elsewhere are heard again.
    let other = sqlx::PgPool::connect_with((*app.pool.connect_options()).clone())
        .await
        .expect("second pool");
    let settings = reviewpub::config::Settings::from_figment(
        &reviewpub::config::Settings::defaults().merge(("public_url", app.base.clone())),
    )
    .expect("settings");
    let outbound =
        reviewpub::federation::outbox::Outbox::new(reviewpub::urls::Urls::new(&settings));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN %'",
        )
        .fetch_one(&app.pool)
        .await
        .expect("count");
        if listening == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "not listening again after 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    page(&app, &path).await;
    let id: uuid::Uuid = review["id"].as_str().expect("id").parse().expect("uuid");
    reviewpub::publishing::update(
        &other,
        &settings,
        &outbound,
        id,
        reviewpub::publishing::Change::Patch(&json!({"title": "Heat, heard again"})),
        chrono::Utc::now(),
    )
    .await
    .expect("update");
    until_shown(&app, &path, "Heat, heard again").await;
    other.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_reply_through_the_inbox_shows_on_the_kept_page() {
    let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    page(&app, &path).await;
    let (_, cache, before) = page(&app, &path).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert!(!before.contains("A reply from the fediverse"));
    let replies = format!(
        "/reviews/{}/replies?page=1",
        review["id"].as_str().expect("id")
    );
    let empty: Value = app
        .client
        .get(app.url(&replies))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(empty["totalItems"], 0);

    let note = peer.note(
        "n1",
        ap_id,
        "<p>A reply from the fediverse</p>",
        true,
        &app.url("/users/reviews"),
    );
    let status = peer
        .post(&app.url("/inbox"), &peer.activity("Create", "c1", note))
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202);

    let (status, cache, after) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(cache.as_deref(), Some("miss"));
    assert!(after.contains("A reply from the fediverse"), "{after}");
    let listed: Value = app
        .client
        .get(app.url(&replies))
        .header("accept", AP)
        .fetch_json()
        .await;
    assert_eq!(listed["totalItems"], 1);
    app.stop().await;
}

#[tokio::test]
async fn secure_mode_checks_signatures_before_the_cache_answers() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.authorized_fetch", true))).await;
    let peer = Peer::start().await;
    let review = app.create_review(sample_review("Secure")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");

    let first = peer.get_signed(ap_id, AP).await;
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(first.headers()["x-cache"], "miss");
    let second = peer.get_signed(ap_id, AP).await;
    assert_eq!(second.status().as_u16(), 200);
    assert_eq!(second.headers()["x-cache"], "hit");

    let unsigned = app
        .client
        .get(ap_id)
        .header("accept", AP)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        unsigned.status().as_u16(),
        401,
        "a kept Article needs a signature too"
    );
    app.stop().await;
}

#[tokio::test]
async fn with_the_cache_off_every_answer_is_rendered() {
    let app = TestApp::spawn_with(|f| f.merge(("cache.enabled", false))).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let path = slug(&review);
    for _ in 0..3 {
        for accept in ["", AP] {
            let (status, cache, _) = fetch(&app, &path, accept).await;
            assert_eq!(status, 200);
            assert_ne!(cache.as_deref(), Some("hit"));
        }
    }
    app.stop().await;
}

/// A reply drops only the pages of its review: the other review's page, the index and the
/// feeds stay kept (a burst of replies used to re-render everything).
#[tokio::test]
async fn a_reply_drops_only_what_shows_its_review() {
    let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
    let alice = Peer::start().await;
    let heat = app.create_review(sample_review("Heat (1995)")).await;
    let ran = app.create_review(sample_review("Ran (1985)")).await;
    let kept = [slug(&ran), "/".to_string(), "/feed.xml".to_string()];
    for path in kept.iter().chain([slug(&heat)].iter()) {
        page(&app, path).await;
        assert_eq!(page(&app, path).await.1.as_deref(), Some("hit"), "{path}");
    }
    let me = app.url("/users/reviews");
    let note = alice.note(
        "only-heat",
        heat["ap_id"].as_str().expect("ap_id"),
        "<p>Only Heat</p>",
        true,
        &me,
    );
    let status = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-only-heat", note),
        )
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202);
    let (_, cache, body) = page(&app, &slug(&heat)).await;
    assert_eq!(
        cache.as_deref(),
        Some("miss"),
        "the replied-to review is rendered afresh"
    );
    assert!(body.contains("Only Heat"));
    for path in &kept {
        assert_eq!(
            page(&app, path).await.1.as_deref(),
            Some("hit"),
            "{path} was dropped"
        );
    }
    app.stop().await;
}

/// Two processes on one database: a reply stored by one shows on the other's kept page at
/// once (it used to wait for the page's age limit, here an hour).
#[tokio::test]
async fn a_reply_stored_by_one_process_shows_on_the_others_page() {
    let database_url = fresh_database().await;
    let shared = database_url.clone();
    let app = TestApp::spawn_with(move |f| {
        f.merge(("database_url", shared))
            .merge(("comments.moderation", "open"))
    })
    .await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let port = crate::helpers::free_port();
    let other_base = format!("http://127.0.0.1:{port}");
    let _other = crate::helpers::Server::start(
        &["serve"],
        &[
            ("DATABASE_URL", database_url.clone()),
            ("REVIEWPUB_PUBLIC_URL", app.base.clone()),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".to_string()),
            ("REVIEWPUB_COMMENTS__MODERATION", "open".to_string()),
            ("REVIEWPUB_CACHE__MAX_AGE_SECONDS", "3600".to_string()),
        ],
    );
    crate::helpers::wait_ready(&other_base).await;
    let client = reqwest::Client::new();
    let other_page = || {
        let request = client.get(format!("{other_base}{}", slug(&review)));
        async move {
            let response = request.send().await.expect("GET");
            let cache = response
                .headers()
                .get("x-cache")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            (cache, response.text().await.expect("body"))
        }
    };
    other_page().await;
    assert_eq!(
        other_page().await.0.as_deref(),
        Some("hit"),
        "kept by the other process"
    );

    let me = app.url("/users/reviews");
    let note = alice.note(
        "across",
        review["ap_id"].as_str().expect("ap_id"),
        "<p>Across processes</p>",
        true,
        &me,
    );
    let status = alice
        .post(
            &app.url("/inbox"),
            &alice.activity("Create", "c-across", note),
        )
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202);
    let stored = Instant::now();
    let deadline = stored + Duration::from_secs(5);
    loop {
        let (_, body) = other_page().await;
        if body.contains("Across processes") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the other process still serves the old page"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "shown by the other process {} ms after it was stored",
        stored.elapsed().as_millis()
    );
    app.stop().await;
}
