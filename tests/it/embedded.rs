//! The embedded PostgreSQL: first start into an empty directory, stop, restart with data kept;
//! and the real binary doing the same under `serve --demo`.

use reviewpub::db::embedded::{EmbeddedPostgres, DATABASE};
use sqlx::Connection;

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
