//! Changes written by another process show within moments, also after the listener's
//! connection is lost.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{page, slug, until_shown};
use crate::helpers::{fresh_database, sample_review, shared_tmp, TestApp};
use crate::peer::Peer;

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
    let outbound = reviewpub::federation::outbox::Outbox::new(
        reviewpub::urls::Urls::new(&settings),
        settings.federation.quote_policy,
    );
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
    let outbound = reviewpub::federation::outbox::Outbox::new(
        reviewpub::urls::Urls::new(&settings),
        settings.federation.quote_policy,
    );
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
