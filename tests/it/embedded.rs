//! The embedded PostgreSQL: first start into an empty directory, stop, restart with data kept;
//! and the real binary doing the same under `serve --demo`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reviewpub::db::embedded::{EmbeddedPostgres, DATABASE};
use sqlx::Connection;

use crate::helpers::{samples_dir, shared_tmp};

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

struct Server {
    child: Child,
}

impl Server {
    fn start(data_dir: &std::path::Path, port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_reviewpub"))
            .args(["serve", "--demo", "--samples"])
            .arg(samples_dir())
            .env_remove("DATABASE_URL")
            .env_remove("REVIEWPUB_CONFIG")
            .env("REVIEWPUB_DATA_DIR", data_dir)
            .env("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}"))
            .env("REVIEWPUB_PUBLIC_URL", format!("http://localhost:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("reviewpub starts");
        Self { child }
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "reviewpub did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("reviewpub did not become ready at {base}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test]
async fn the_binary_serves_the_demo_on_its_embedded_database_and_keeps_it_across_restarts() {
    let dir = shared_tmp("reviewpub-serve-");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");

    let server = Server::start(&data, port);
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
    let status = server.terminate();
    assert!(status.success(), "clean exit: {status}");

    // The cluster was stopped with the server.
    assert!(
        !data.join("postgres/data/postmaster.pid").exists(),
        "PostgreSQL stopped on shutdown"
    );

    let server = Server::start(&data, port);
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
