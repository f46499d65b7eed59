//! The command line against a real database: publish from Markdown, tokens, demo.

use std::process::Command;

use serde_json::Value;

use crate::helpers::{fresh_database, samples_dir, shared_tmp};

fn reviewpub(database_url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("REVIEWPUB_PUBLIC_URL", "https://reviews.example")
        .output()
        .expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[tokio::test]
async fn publish_creates_then_updates_from_a_markdown_file() {
    let db = fresh_database().await;
    let dir = shared_tmp("reviewpub-cli-");
    let file = dir.path().join("heat.md");
    std::fs::write(
        &file,
        "---\ntitle: Heat (1995)\nfilm:\n  title: Heat\n  year: 1995\n  directors: [Michael Mann]\nrating: {value: 4.5, best: 5}\ncategories: [Crime]\nstatus: published\n---\n\nDe Niro and Pacino, *finally* in one scene.\n",
    )
    .expect("write");
    let path = file.to_str().expect("path");
    let (ok, out, err) = reviewpub(&db, &["publish", path]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("created ") && out.contains("https://reviews.example/reviews/heat-1995"),
        "{out}"
    );

    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .expect("read")
            .replace("*finally*", "at last"),
    )
    .expect("write");
    let (ok, out, err) = reviewpub(&db, &["publish", path, "--status", "draft"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("updated ") && out.contains("(draft)"),
        "{out}"
    );

    let pool = sqlx::PgPool::connect(&db).await.expect("connect");
    let (count, body, status): (i64, String, String) =
        sqlx::query_as("SELECT count(*) OVER (), body, status FROM reviews")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!((count, status.as_str()), (1, "draft"));
    assert!(body.contains("at last"));

    std::fs::write(&file, "---\nfilm: {title: X}\nstars: 5\n---\nbody").expect("write");
    let (ok, _, err) = reviewpub(&db, &["publish", path]);
    assert!(!ok && err.contains("stars"), "{err}");
}

#[tokio::test]
async fn tokens_are_minted_listed_and_revoked() {
    let db = fresh_database().await;
    let (ok, token, err) = reviewpub(&db, &["token", "create", "--name", "laptop"]);
    assert!(ok, "{err}");
    let token = token.trim();
    assert!(token.starts_with("rp_") && token.len() == 67, "{token}");
    let (ok, list, _) = reviewpub(&db, &["token", "list"]);
    assert!(
        ok && list.contains("laptop") && list.contains("active") && !list.contains(token),
        "{list}"
    );
    let id = list.split('\t').next().expect("id");
    let (ok, _, err) = reviewpub(&db, &["token", "revoke", id]);
    assert!(ok, "{err}");
    let (ok, list, _) = reviewpub(&db, &["token", "list"]);
    assert!(ok && list.contains("revoked"), "{list}");
}

#[tokio::test]
async fn demo_loads_the_samples_once_with_their_credits() {
    let db = fresh_database().await;
    let samples = samples_dir();
    let samples = samples.to_str().expect("path");
    let (ok, out, err) = reviewpub(&db, &["demo", "--samples", samples]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 created") && out.contains("31 reader responses imported"),
        "{out}"
    );
    let (ok, out, _) = reviewpub(&db, &["demo", "--samples", samples]);
    assert!(ok && out.contains("0 created, 2 already there"), "{out}");

    let pool = sqlx::PgPool::connect(&db).await.expect("connect");
    let rows: Vec<(String, String, Value, Value, Option<String>, Option<chrono::DateTime<chrono::Utc>>)> =
        sqlx::query_as("SELECT slug, status, film, categories, spoiler_warning, published_at FROM reviews ORDER BY slug")
            .fetch_all(&pool)
            .await
            .expect("rows");
    let (slug, status, film, categories, warning, published) = &rows[0];
    assert_eq!(
        (slug.as_str(), status.as_str()),
        ("never-let-me-go", "published")
    );
    assert_eq!(film["directors"][0], "Mark Romanek");
    assert_eq!(film["writers"][0], "Alex Garland");
    assert_eq!(categories[1]["name"], "Science Fiction and Space Shit");
    assert!(warning.is_some());
    assert_eq!(
        published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2011-02-04T02:54:00+00:00")
    );

    let (slug, _, film, _, _, _) = &rows[1];
    assert_eq!(slug, "never-let-me-go-2010");
    let credits = film["credits"].to_string();
    for expected in [
        "Never Let Me Go by Kazuo Ishiguro",
        "Carey Mulligan",
        "Rachel Portman",
        "Adam Kimmel",
        "Barney Pilling",
        "DNA Films",
    ] {
        assert!(credits.contains(expected), "{expected} missing: {credits}");
    }
    let body: String =
        sqlx::query_scalar("SELECT body FROM reviews WHERE slug = 'never-let-me-go-2010'")
            .fetch_one(&pool)
            .await
            .expect("body");
    assert!(
        !body.contains("DvDrip") && !body.contains("_xlg"),
        "image file names removed"
    );
}

#[test]
fn invalid_configuration_names_the_key() {
    let output = Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .arg("migrate")
        .env("REVIEWPUB_PUBLIC_URL", "not a url")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("public_url") && err.contains("REVIEWPUB_PUBLIC_URL"),
        "{err}"
    );
}
