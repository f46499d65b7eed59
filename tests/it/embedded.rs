//! The embedded PostgreSQL: first start into an empty directory, stop, restart with data kept;
//! the real binary doing the same under `serve --demo`; and a process stopping only a cluster
//! it started itself.

use reviewpub::db::embedded::{EmbeddedPostgres, DATABASE};
use sqlx::Connection;

use std::time::{Duration, Instant};

use crate::helpers::{free_port, samples_dir, shared_tmp, wait_ready, Server};

#[tokio::test]
async fn starts_from_an_empty_directory_stops_and_restarts_with_data_kept() {
    let dir = shared_tmp("reviewpub-embedded-");
    let root = dir.path().join("postgres");

    let pg = tokio::task::spawn_blocking({
        let root = root.clone();
        move || EmbeddedPostgres::start(&root, "postgres")
    })
    .await
    .expect("join")
    .expect("first start initializes the cluster");
    assert!(pg.owned());
    assert!(root.join("data/PG_VERSION").exists());
    reviewpub::db::create_database_if_missing(pg.connect_options("postgres"), DATABASE)
        .await
        .expect("create db");
    let mut conn = sqlx::PgConnection::connect_with(&pg.connect_options(DATABASE))
        .await
        .expect("connect");
    sqlx::query("CREATE TABLE kept (note text)")
        .execute(&mut conn)
        .await
        .expect("create");
    sqlx::query("INSERT INTO kept VALUES ('still here')")
        .execute(&mut conn)
        .await
        .expect("insert");
    conn.close().await.expect("close");

    // A second handle on the running cluster reuses it and does not own it.
    let again = EmbeddedPostgres::start(&root, "postgres").expect("reuse");
    assert!(!again.owned());

    pg.stop().expect("stop");
    assert!(!pg.is_running());

    let restarted = EmbeddedPostgres::start(&root, "postgres").expect("restart");
    assert!(restarted.owned());
    let mut conn = sqlx::PgConnection::connect_with(&restarted.connect_options(DATABASE))
        .await
        .expect("connect");
    let note: String = sqlx::query_scalar("SELECT note FROM kept")
        .fetch_one(&mut conn)
        .await
        .expect("select");
    assert_eq!(note, "still here");
    conn.close().await.expect("close");
    restarted.stop().expect("stop");
}

#[test]
fn a_missing_run_as_user_is_a_clear_error() {
    if !nix::unistd::geteuid().is_root() {
        return; // Only root runs the cluster as another user.
    }
    let dir = shared_tmp("reviewpub-embedded-");
    let err = EmbeddedPostgres::start(&dir.path().join("pg"), "no_such_user_here")
        .expect_err("must fail");
    let message = err.to_string();
    assert!(
        message.contains("no_such_user_here") && message.contains("DATABASE_URL"),
        "{message}"
    );
}

fn start_demo(data_dir: &std::path::Path, port: u16) -> Server {
    let samples = samples_dir();
    Server::start(
        &[
            "serve",
            "--demo",
            "--samples",
            samples.to_str().expect("path"),
        ],
        &[
            (
                "REVIEWPUB_DATA_DIR",
                data_dir.to_str().expect("path").to_string(),
            ),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_PUBLIC_URL", format!("http://localhost:{port}")),
        ],
    )
}

#[tokio::test]
async fn the_binary_serves_the_demo_on_its_embedded_database_and_keeps_it_across_restarts() {
    let dir = shared_tmp("reviewpub-serve-");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");

    let server = start_demo(&data, port);
    wait_ready(&base).await;
    let index = reqwest::get(format!("{base}/"))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        index.contains("Never let me go (2010)") && index.contains("Never Let Me Go"),
        "demo reviews shown"
    );
    let page = reqwest::get(format!("{base}/reviews/never-let-me-go"))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Science Fiction and Space Shit") && page.contains("Alex Garland"));
    assert!(
        page.contains("31 Responses to “Never Let Me Go”"),
        "the sample's reader responses are the thread"
    );
    // In the sample's order and numbering, dated by day: no invented times.
    let doc = scraper::Html::parse_document(&page);
    let select = |css: &str| scraper::Selector::parse(css).expect("selector");
    let authors: Vec<String> = doc
        .select(&select(".comment-author"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(authors.first().map(String::as_str), Some("Reader 1"));
    assert_eq!(
        authors.get(15).map(String::as_str),
        Some("Jareth Cutestory's Clone")
    );
    assert_eq!(authors.get(21).map(String::as_str), Some("Reader 22"));
    assert_eq!(
        authors.get(22).map(String::as_str),
        Some("The Sophisticated Panda")
    );
    let days: Vec<String> = doc
        .select(&select(".comment-time time"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(days.len(), 31);
    assert_eq!(days.first().map(String::as_str), Some("4 February 2011"));
    assert_eq!(days.get(16).map(String::as_str), Some("5 February 2011"));
    assert!(
        days.iter().all(|d| !d.contains(':')),
        "days, not times: {days:?}"
    );
    let status = server.terminate();
    assert!(status.success(), "clean exit: {status}");

    // The cluster was stopped with the server.
    assert!(
        !data.join("postgres/data/postmaster.pid").exists(),
        "PostgreSQL stopped on shutdown"
    );

    let server = start_demo(&data, port);
    wait_ready(&base).await;
    let index = reqwest::get(format!("{base}/"))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert_eq!(
        index.matches("class=\"card\"").count(),
        2,
        "data kept, demo not loaded twice"
    );
    assert!(server.terminate().success());
}

/// `GET base+path`: the status and body.
async fn get(base: &str, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("{base}{path}")).await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_fails_and_leaves_the_first_ones_database_running() {
    let dir = shared_tmp("reviewpub-second-");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let first = start_demo(&data, port);
    wait_ready(&base).await;

    // Same data directory, same port: it cannot bind, and must exit without stopping the
    // database the first server started.
    let second = start_demo(&data, port).wait_exit(Duration::from_secs(90));
    assert!(!second.success(), "the second server must fail: {second}");

    // A page the first server has not served yet (nothing kept in its response cache).
    let (status, page) = get(&base, "/reviews/never-let-me-go").await;
    assert_eq!(status, 200, "the first server still reaches its database");
    assert!(page.contains("Alex Garland"));
    assert_eq!(get(&base, "/healthz").await, (200, "ok".to_string()));

    // Without its database, the first server says so on /healthz.
    let stop = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .args(["db", "stop"])
        .env_remove("DATABASE_URL")
        .env_remove("REVIEWPUB_CONFIG")
        .env("REVIEWPUB_DATA_DIR", &data)
        .output()
        .expect("reviewpub db stop");
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get(&base, "/healthz").await;
        if status == 503 {
            assert_eq!(body, "database unavailable");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/healthz still answers {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(first.terminate().success());
}

#[tokio::test]
async fn a_server_leaves_running_a_cluster_another_process_started() {
    let dir = shared_tmp("reviewpub-reuse-");
    let data = dir.path().join("data");
    let pg = tokio::task::spawn_blocking({
        let root = data.join("postgres");
        move || EmbeddedPostgres::start(&root, "postgres")
    })
    .await
    .expect("join")
    .expect("this test starts the cluster");
    assert!(pg.owned());

    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start(
        &["serve"],
        &[
            (
                "REVIEWPUB_DATA_DIR",
                data.to_str().expect("path").to_string(),
            ),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_PUBLIC_URL", base.clone()),
        ],
    );
    wait_ready(&base).await;
    assert!(server.terminate().success(), "clean exit");

    assert!(
        pg.is_running(),
        "the server stopped a cluster it did not start"
    );
    let mut conn = sqlx::PgConnection::connect_with(&pg.connect_options(DATABASE))
        .await
        .expect("the cluster still answers");
    let migrated: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .expect("the server migrated the database it used");
    assert!(migrated > 0);
    conn.close().await.expect("close");
    pg.stop().expect("stop");
}
