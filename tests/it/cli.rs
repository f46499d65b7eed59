//! The command line against a real database: publish from Markdown, tokens, demo.

use std::process::Command;

use serde_json::Value;

use crate::helpers::{fresh_database, samples_dir, shared_tmp, TestApp};

pub(crate) fn reviewpub(database_url: &str, args: &[&str]) -> (bool, String, String) {
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

    let id = out.split_whitespace().nth(1).expect("id");
    assert!(
        err.contains(&format!("id: {id}")),
        "how to update it is said: {err}"
    );

    // The file names the review it updates by its id.
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .expect("read")
            .replace("---\ntitle", &format!("---\nid: {id}\ntitle"))
            .replace("*finally*", "at last"),
    )
    .expect("write");
    let (ok, out, err) = reviewpub(&db, &["publish", path, "--status", "draft"]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("updated {id} (draft)")), "{out}");

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
    type Row = (
        String,
        String,
        Value,
        Value,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let rows: Vec<Row> =
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

/// A review file: front matter lines, then a body.
fn review_file(dir: &std::path::Path, name: &str, front_matter: &str, body: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, format!("---\n{front_matter}\n---\n\n{body}\n")).expect("write");
    file.to_str().expect("path").to_string()
}

const HEAT_1995: &str =
    "title: Heat\nfilm: {title: Heat, year: 1995, directors: [Michael Mann]}\nstatus: published";
const HEAT_1986: &str =
    "title: Heat\nfilm: {title: Heat, year: 1986, directors: [Dick Richards]}\nstatus: published";

/// The API's error body as the CLI says it in words: `refused (409 Conflict): conflict`, then
/// a `  field: what` line per field.
fn refusal_body(err: &str) -> Value {
    let mut lines = err
        .lines()
        .skip_while(|l| !l.contains("refused (409 Conflict): "));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no 409 refusal in: {err}"));
    let error = first.split_once("refused (409 Conflict): ").map(|(_, e)| e);
    let details: serde_json::Map<String, Value> = lines
        .map_while(|l| l.strip_prefix("  ")?.split_once(": "))
        .map(|(field, what)| (field.to_string(), Value::from(what)))
        .collect();
    serde_json::json!({"error": error, "details": details})
}

async fn one_review(pool: &sqlx::PgPool, id: &str) -> (String, i64, String) {
    sqlx::query_as("SELECT slug, (film->>'year')::bigint, body FROM reviews WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("review")
}

#[tokio::test]
async fn publish_never_overwrites_another_review_with_the_same_slug() {
    let db = fresh_database().await;
    let pool = sqlx::PgPool::connect(&db).await.expect("connect");
    let dir = shared_tmp("reviewpub-cli-");
    let heat_1995 = review_file(dir.path(), "heat-1995.md", HEAT_1995, "Mann's L.A.");
    let (ok, out, err) = reviewpub(&db, &["publish", &heat_1995]);
    assert!(ok && out.starts_with("created "), "{out}{err}");
    let id_1995 = out.split_whitespace().nth(1).expect("id").to_string();

    // Heat (1986) makes the same slug: refused as the API refuses the same request.
    let heat_1986 = review_file(
        dir.path(),
        "heat-1986.md",
        HEAT_1986,
        "Burt Reynolds in Vegas.",
    );
    let (ok, out, err) = reviewpub(&db, &["publish", &heat_1986]);
    assert!(!ok, "refused: {out}");
    assert!(out.is_empty(), "nothing printed as done: {out}");
    let app = TestApp::spawn().await;
    let mut heat = crate::helpers::sample_review("Heat");
    app.create_review(heat.clone()).await;
    heat["film"]["year"] = serde_json::json!(1986);
    let api = app
        .api(reqwest::Method::POST, "/reviews")
        .json(&heat)
        .send()
        .await
        .expect("POST");
    assert_eq!(api.status().as_u16(), 409);
    let api_body: Value = api.json().await.expect("JSON");
    app.stop().await;
    assert_eq!(refusal_body(&err), api_body, "the API's 409: {err}");
    assert!(
        err.contains(&format!("id: {id_1995}")) && err.contains("--update"),
        "says how to update that review instead: {err}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
    assert_eq!(
        one_review(&pool, &id_1995).await,
        ("heat".to_string(), 1995, "Mann's L.A.\n".to_string()),
        "the 1995 review is unchanged"
    );

    // With a slug of its own, the 1986 file is a new review.
    let heat_1986 = review_file(
        dir.path(),
        "heat-1986.md",
        &format!("{HEAT_1986}\nslug: heat-1986"),
        "Burt Reynolds in Vegas.",
    );
    let (ok, out, err) = reviewpub(&db, &["publish", &heat_1986]);
    assert!(ok && out.starts_with("created "), "{out}{err}");
    let id_1986 = out.split_whitespace().nth(1).expect("id").to_string();

    // The review a file names is the one updated: by `id` in its front matter…
    let edited = review_file(
        dir.path(),
        "heat-1995.md",
        &format!("id: {id_1995}\n{HEAT_1995}"),
        "Mann's L.A., at night.",
    );
    let (ok, out, err) = reviewpub(&db, &["publish", &edited]);
    assert!(
        ok && out.starts_with(&format!("updated {id_1995} ")),
        "{out}{err}"
    );
    assert_eq!(
        one_review(&pool, &id_1995).await,
        (
            "heat".to_string(),
            1995,
            "Mann's L.A., at night.\n".to_string()
        )
    );
    // …or by --update with its id or its slug (the file's own slug is kept when it has none).
    let plain = review_file(dir.path(), "heat-1986.md", HEAT_1986, "Vegas, revised.");
    for reference in [id_1986.as_str(), "heat-1986"] {
        let (ok, out, err) = reviewpub(&db, &["publish", &plain, "--update", reference]);
        assert!(
            ok && out.starts_with(&format!("updated {id_1986} ")),
            "{out}{err}"
        );
    }
    assert_eq!(
        one_review(&pool, &id_1986).await,
        (
            "heat-1986".to_string(),
            1986,
            "Vegas, revised.\n".to_string()
        )
    );
    assert_eq!(
        one_review(&pool, &id_1995).await.2,
        "Mann's L.A., at night.\n"
    );

    // An id and --update that name different reviews, or a review that does not exist: refused.
    let named = review_file(
        dir.path(),
        "named.md",
        &format!("id: {id_1995}\n{HEAT_1995}"),
        "x",
    );
    let (ok, _, err) = reviewpub(&db, &["publish", &named, "--update", &id_1986]);
    assert!(!ok && err.contains("refused (400 Bad Request)"), "{err}");
    let (ok, _, err) = reviewpub(&db, &["publish", &plain, "--update", "no-such-review"]);
    assert!(!ok && err.contains("refused (404 Not Found)"), "{err}");
    let (ok, _, err) = reviewpub(
        &db,
        &[
            "publish",
            &plain,
            "--update",
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        ],
    );
    assert!(!ok && err.contains("refused (404 Not Found)"), "{err}");
    // Changing a named review's slug to another review's is the API's 409 too.
    let clash = review_file(
        dir.path(),
        "clash.md",
        &format!("id: {id_1986}\n{HEAT_1986}\nslug: heat"),
        "x",
    );
    let (ok, _, err) = reviewpub(&db, &["publish", &clash]);
    assert!(!ok, "{err}");
    assert_eq!(
        refusal_body(&err)["details"]["slug"],
        "is already used by another review"
    );
    assert_eq!(one_review(&pool, &id_1986).await.0, "heat-1986");
}

#[tokio::test]
async fn publish_never_takes_over_a_slug_that_redirects() {
    let db = fresh_database().await;
    let pool = sqlx::PgPool::connect(&db).await.expect("connect");
    let dir = shared_tmp("reviewpub-cli-");
    let heat = review_file(dir.path(), "heat.md", HEAT_1995, "Mann's L.A.");
    let (ok, out, err) = reviewpub(&db, &["publish", &heat]);
    assert!(ok, "{err}");
    let id = out.split_whitespace().nth(1).expect("id").to_string();
    // The critic moves the review to heat-1995 (as the API's PATCH does); /reviews/heat now
    // redirects to it.
    let settings = reviewpub::config::Settings::from_figment(
        &reviewpub::config::Settings::defaults()
            .merge(("public_url", "https://reviews.example"))
            .merge(("database_url", db.clone())),
    )
    .expect("settings");
    let outbound = reviewpub::federation::outbox::Outbox::new(&settings);
    let moved = reviewpub::publishing::update(
        &pool,
        &settings,
        &outbound,
        id.parse().expect("uuid"),
        reviewpub::publishing::Change::Patch(&serde_json::json!({"slug": "heat-1995"})),
        chrono::Utc::now(),
    )
    .await
    .expect("slug changed");
    assert_eq!(moved.review.slug.as_str(), "heat-1995");

    // A new file titled Heat would take the redirect's slug: refused.
    let other = review_file(dir.path(), "other.md", HEAT_1986, "Burt Reynolds in Vegas.");
    let (ok, out, err) = reviewpub(&db, &["publish", &other]);
    assert!(!ok, "refused: {out}");
    assert_eq!(
        refusal_body(&err),
        serde_json::json!({"error": "conflict", "details": {"slug": "is a former slug of another review and redirects to it"}}),
        "{err}"
    );
    assert!(err.contains(&format!("id: {id}")), "{err}");
    // So is moving another review onto it.
    let (ok, out, err) = reviewpub(
        &db,
        &[
            "publish",
            &review_file(
                dir.path(),
                "other-1986.md",
                &format!("{HEAT_1986}\nslug: heat-1986"),
                "x",
            ),
        ],
    );
    assert!(ok, "{out}{err}");
    let other_id = out.split_whitespace().nth(1).expect("id").to_string();
    let onto = review_file(
        dir.path(),
        "onto.md",
        &format!("id: {other_id}\n{HEAT_1986}\nslug: heat"),
        "x",
    );
    let (ok, _, err) = reviewpub(&db, &["publish", &onto]);
    assert!(!ok, "{err}");
    assert_eq!(
        refusal_body(&err)["details"]["slug"],
        "is a former slug of another review and redirects to it"
    );

    let redirect: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, review_id::text FROM review_slug_history ORDER BY slug")
            .fetch_all(&pool)
            .await
            .expect("redirects");
    assert_eq!(
        redirect,
        vec![("heat".to_string(), id.clone())],
        "the redirect stays"
    );
    assert_eq!(one_review(&pool, &other_id).await.0, "heat-1986");

    // --update by the former slug updates the review it leads to, which keeps its slug.
    let (ok, out, err) = reviewpub(&db, &["publish", &other, "--update", "heat"]);
    assert!(
        ok && out.starts_with(&format!("updated {id} ")),
        "{out}{err}"
    );
    assert_eq!(
        one_review(&pool, &id).await,
        (
            "heat-1995".to_string(),
            1986,
            "Burt Reynolds in Vegas.\n".to_string()
        )
    );
}

#[tokio::test]
async fn a_broken_file_is_refused_once_in_words_on_its_own_line_numbers() {
    let db = fresh_database().await;
    let dir = shared_tmp("reviewpub-cli-");
    let alien = review_file(
        dir.path(),
        "alien.md",
        "film:\n  title: Alien Covenant\n  year: 2017\ntitle: Alien: Covenant",
        "Body.",
    );
    let (ok, out, err) = reviewpub(&db, &["publish", &alien]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("line 5, column ")
            && err.contains("put it in quotes, as in title: \"Alien: Covenant\""),
        "{err}"
    );
    assert_eq!(
        err.matches("front matter (YAML)").count(),
        1,
        "said once: {err}"
    );
    assert!(
        !err.contains('{') && !err.contains("ERROR"),
        "words, not JSON nor a log: {err}"
    );

    // A file that parses but breaks rules: every field on its own line.
    let wrong = review_file(
        dir.path(),
        "wrong.md",
        "title: x\nrating: {value: 9}\nfilm: {year: 1700}",
        "x",
    );
    let (ok, _, err) = reviewpub(&db, &["publish", &wrong]);
    assert!(!ok);
    for line in ["  film.title: ", "  film.year: ", "  rating: "] {
        assert!(err.lines().any(|l| l.starts_with(line)), "{line} in {err}");
    }
    assert_eq!(err.matches("refused (422").count(), 1, "said once: {err}");
}
