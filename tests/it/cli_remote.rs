//! Publishing from a laptop (issue 13, point 6): the command line writes through a running
//! blog's admin API with `--server` and a token (or `REVIEWPUB_SERVER`, `REVIEWPUB_TOKEN`), and
//! without a server nor a database it says so instead of making one where it runs.

use crate::helpers::{shared_tmp, TestApp};

/// Runs `reviewpub` with no database of its own (an empty data directory that does not exist),
/// without blocking the runtime that serves `app`.
async fn reviewpub(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let home = shared_tmp("reviewpub-laptop-");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"));
    command
        .args(args)
        .current_dir(home.path())
        .env_remove("DATABASE_URL")
        .env("REVIEWPUB_DATA_DIR", home.path().join("data"))
        .env_remove("REVIEWPUB_SERVER")
        .env_remove("REVIEWPUB_TOKEN");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().await.expect("runs");
    assert!(
        !home.path().join("data").exists(),
        "no database was made here"
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[tokio::test]
async fn a_review_is_published_updated_listed_unpublished_and_deleted_through_the_api() {
    let app = TestApp::spawn().await;
    let (_, token) = reviewpub::sessions::mint_token(&app.pool, "laptop")
        .await
        .expect("token");
    let dir = shared_tmp("reviewpub-drafts-");
    let file = dir.path().join("heat.md");
    std::fs::write(
        &file,
        "---\ntitle: Heat (1995)\nfilm: {title: Heat, year: 1995}\nstatus: published\n---\n\nDe Niro and Pacino.\n",
    )
    .expect("write");
    let path = file.to_str().expect("path");
    let server = [
        ("REVIEWPUB_SERVER", app.base.as_str()),
        ("REVIEWPUB_TOKEN", token.as_str()),
    ];

    let (ok, out, err) = reviewpub(&["publish", path], &server).await;
    assert!(ok, "{err}");
    assert!(
        out.starts_with("created ") && out.contains("(published)"),
        "{out}"
    );
    assert!(out.contains(&app.url("/reviews/heat-1995")), "{out}");
    let id = out.split_whitespace().nth(1).expect("id").to_string();
    assert!(err.contains(&format!("id: {id}")), "{err}");

    // The file names its review: updated, with the flags instead of the environment.
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("---\ntitle", &format!("---\nid: {id}\ntitle"))
            .replace("Pacino.", "Pacino, at last."),
    )
    .expect("write");
    let (ok, out, err) = reviewpub(
        &["publish", path, "--server", &app.base, "--token", &token],
        &[],
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        out.starts_with(&format!("updated {id} (published)")),
        "{out}"
    );
    let (_, page) = app.get_text("/reviews/heat-1995").await;
    assert!(page.contains("at last"), "{page}");

    let (ok, out, _) = reviewpub(&["list"], &server).await;
    assert!(
        ok && out.contains(&format!("{id}\tpublished\theat-1995\tHeat (1995)")),
        "{out}"
    );
    let (ok, out, err) = reviewpub(&["unpublish", "heat-1995"], &server).await;
    assert!(ok, "{err}");
    assert!(out.contains("(draft)"), "{out}");
    assert_eq!(app.get_text("/reviews/heat-1995").await.0, 404);
    let (ok, out, err) = reviewpub(&["delete", &id], &server).await;
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("deleted {id}"));
    assert_eq!(app.review_count().await, 1, "kept, marked deleted");

    // A wrong token is told as such; a review that is not there too.
    let (ok, _, err) = reviewpub(
        &["list"],
        &[
            ("REVIEWPUB_SERVER", &app.base),
            ("REVIEWPUB_TOKEN", "rp_wrong"),
        ],
    )
    .await;
    assert!(!ok && err.contains("refused the token"), "{err}");
    let (ok, _, err) = reviewpub(&["unpublish", "no-such-review"], &server).await;
    assert!(
        !ok && err.contains("no review has the id or address no-such-review"),
        "{err}"
    );
}

#[tokio::test]
async fn without_a_server_or_a_database_the_command_line_says_so_and_makes_nothing() {
    for args in [
        vec!["publish", "heat.md"],
        vec!["list"],
        vec!["delete", "heat-1995"],
    ] {
        let (ok, _, err) = reviewpub(&args, &[]).await;
        assert!(!ok, "{args:?}");
        assert!(
            err.contains("no blog to write to") && err.contains("--server"),
            "{args:?}: {err}"
        );
    }
}
