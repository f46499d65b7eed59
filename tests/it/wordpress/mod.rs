//! Importing a WordPress blog (issue 12, point 1): a WXR 1.2 export built from the two
//! samples (`tests/fixtures/wordpress/never-let-me-go.wxr.xml`), through the admin API and
//! the command line.

mod federation;
mod media;
mod redirects;
mod reimport;

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::TestApp;

pub const FIXTURE: &str = include_str!("../../fixtures/wordpress/never-let-me-go.wxr.xml");

/// `POST /api/v1/import/wordpress{query}` with `body`: the status and the JSON answer.
pub async fn import(app: &TestApp, query: &str, body: &str) -> (u16, Value) {
    let response = app
        .api(reqwest::Method::POST, &format!("/import/wordpress{query}"))
        .header("content-type", "application/xml")
        .body(body.to_string())
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// The imported reviews by slug, as the admin API shows them.
pub async fn reviews(app: &TestApp) -> Vec<Value> {
    let response = app
        .api(reqwest::Method::GET, "/reviews?per_page=100")
        .send()
        .await
        .expect("GET");
    let list: Value = response.json().await.expect("JSON");
    list["items"].as_array().cloned().unwrap_or_default()
}

/// The rendered body of the review `slug` among `reviews`.
pub fn body_html(reviews: &[Value], slug: &str) -> String {
    by_slug(reviews, slug)["body_html"]
        .as_str()
        .expect("body_html")
        .to_string()
}

pub fn by_slug<'a>(reviews: &'a [Value], slug: &str) -> &'a Value {
    reviews
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("no review {slug} in {reviews:#?}"))
}

#[tokio::test]
async fn wordpress_posts_become_reviews_drafts_stay_drafts_with_categories_tags_and_credits() {
    let app = TestApp::spawn().await;
    let (status, report) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["reviews_created"], 4, "{report}");
    assert_eq!(report["reviews_skipped"], 0);
    assert_eq!(report["reviews_failed"], serde_json::json!([]));
    assert_eq!(
        report["items_left_out"],
        serde_json::json!({"attachment": 1, "page": 1, "trash": 1})
    );

    let all = reviews(&app).await;
    assert_eq!(all.len(), 4, "{all:#?}");
    let thread = by_slug(&all, "never-let-me-go");
    assert_eq!(thread["status"], "published");
    assert_eq!(thread["published_at"], "2011-02-04T10:54:00Z");
    assert_eq!(thread["author"], "Vern");
    assert_eq!(thread["language"], "en-US");
    assert_eq!(
        thread["categories"],
        serde_json::json!(["Reviews", "Science Fiction and Space Shit"])
    );
    assert_eq!(
        thread["tags"],
        serde_json::json!(["Carey Mulligan", "clones"])
    );
    // The part before <!--more--> is the teaser; the body is the whole post.
    let summary = thread["summary"].as_str().expect("summary");
    assert!(
        summary.contains("Last year I honestly") && summary.contains("in the sunshine"),
        "{summary}"
    );
    assert!(!summary.contains("one of the best movies"), "{summary}");
    let body = thread["body"].as_str().expect("body");
    assert!(
        body.contains("one of the best movies") && !body.contains("<!--more"),
        "{body}"
    );
    assert!(thread["body_html"]
        .as_str()
        .expect("html")
        .contains("<em>The Remains of the Day</em>"));

    let credits = by_slug(&all, "never-let-me-go-2010");
    assert_eq!(credits["title"], "Never let me go (2010)");
    assert_eq!(credits["film"]["title"], "Never let me go");
    assert_eq!(credits["film"]["year"], 2010);
    assert_eq!(
        credits["film"]["directors"],
        serde_json::json!(["Mark Romanek"])
    );
    assert_eq!(
        credits["film"]["writers"],
        serde_json::json!(["Alex Garland"])
    );
    let roles: Vec<(String, String)> = credits["film"]["credits"]
        .as_array()
        .expect("credits")
        .iter()
        .map(|c| {
            (
                c["role"].as_str().unwrap().into(),
                c["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("Based on", "Never Let Me Go by Kazuo Ishiguro"),
        ("Narrated by", "Carey Mulligan"),
        ("Music", "Rachel Portman"),
        ("Cinematography", "Adam Kimmel"),
        ("Editing", "Barney Pilling"),
        ("Studio", "DNA Films"),
    ] {
        assert!(
            roles.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {roles:?}"
        );
    }
    assert!(
        !credits["body"].as_str().unwrap().contains("Directed by"),
        "the block left the body"
    );
    // WordPress's default category is not one the critic chose.
    assert_eq!(credits["categories"], serde_json::json!(["Reviews"]));
    assert_eq!(credits["published_at"], "2011-03-13T02:20:00Z");

    let draft = by_slug(&all, "let-me-in-2010");
    assert_eq!(draft["status"], "draft");
    let future = by_slug(&all, "dredd");
    assert_eq!(future["status"], "scheduled");
    assert_eq!(future["publish_at"], "2099-09-21T16:00:00Z");

    // The page renders as the old one did: emphasis, captioned figure, images as links.
    let (status, page) = app.get_text("/reviews/never-let-me-go-2010").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<em>The Handmaid’s Tale</em>"),
        "emphasis kept"
    );
    assert!(
        page.contains("<figcaption>Never Let Me Go</figcaption>"),
        "caption kept"
    );
    assert!(
        page.contains("src=\"https://oldblog.example/wp-content/uploads/2011/03/never_let_me_go_ver5_xlg.jpg\""),
        "without --fetch-media the image stays where it was"
    );
    assert!(page.contains("Try before you Buy</a>"));
    let (status, _) = app.get_text("/reviews/let-me-in-2010").await;
    assert_eq!(status, 404, "a draft stays a draft");
    app.stop().await;
}

#[tokio::test]
async fn wordpress_comments_come_nested_with_authors_dates_and_links_and_the_rest_stays_out() {
    let app = TestApp::spawn().await;
    let (status, report) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["comments_imported"], 32, "{report}");
    assert_eq!(
        report["comments_left_out"],
        serde_json::json!({"pending": 1, "pingback": 1, "spam": 1, "trash": 1})
    );
    let rows: Vec<CommentRow> = sqlx::query_as(
        "SELECT c.id, c.parent_id, c.author_name, c.author_url, c.published_at, c.content_html \
             FROM comments c JOIN reviews r ON r.id = c.review_id WHERE r.slug = 'never-let-me-go'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("comments");
    assert_eq!(rows.len(), 32);
    let find = |needle: &str| {
        rows.iter()
            .find(|r| r.5.contains(needle))
            .unwrap_or_else(|| panic!("no comment saying {needle}"))
    };
    let name_of =
        |id: Option<uuid::Uuid>| rows.iter().find(|r| Some(r.0) == id).map(|r| r.2.clone());
    // Readers answering each other by name are nested as they were.
    let rule = find("remember the rule is");
    assert_eq!(rule.2, "Vern");
    assert_eq!(rule.3.as_deref(), Some("https://outlawvern.example/"));
    assert_eq!(name_of(rule.1).as_deref(), Some("AsimovLives"));
    let fall_guy = find("I needed a fall guy");
    assert_eq!(name_of(fall_guy.1).as_deref(), Some("Mr. Majestyk"));
    let clone = find("Remove Sternhein from Facebook");
    assert_eq!(clone.2, "Jareth Cutestory's Clone");
    assert_eq!(
        clone.4.to_rfc3339(),
        "2011-02-06T00:12:00+00:00",
        "its GMT date"
    );
    assert_eq!(name_of(clone.1).as_deref(), Some("Sternhein"));
    // An answer to a comment never approved is on the review itself.
    let late = find("never approved");
    assert_eq!((late.1, late.2.as_str()), (None, "Late Reader"));
    // Only web addresses are kept as authors' links.
    let solong = rows
        .iter()
        .find(|r| r.2 == "solongyoubastard")
        .expect("solong");
    assert_eq!(
        solong.3.as_deref(),
        Some("http://solongyoubastard.example/")
    );
    for name in ["Baraka", "Mac"] {
        let row = rows.iter().find(|r| r.2 == name).expect(name);
        assert_eq!(row.3, None, "{name}'s link was not a web address");
    }
    // Paragraphs as they were.
    assert!(find("THAT idea really creeps").5.matches("<p>").count() >= 3);

    let (status, page) = app.get_text("/reviews/never-let-me-go").await;
    assert_eq!(status, 200);
    assert!(page.contains("You’re not even doing a good job of being a dick"));
    for absent in [
        "cheap pills",
        "Held Reader",
        "Outlaw Links",
        "Deleted Reader",
        "@mail.example",
        "192.0.2.",
    ] {
        assert!(!page.contains(absent), "{absent} is on the page");
    }
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments WHERE content_html LIKE '%mail.example%' \
         OR coalesce(author_url, '') LIKE '%mail.example%' OR content_html LIKE '%192.0.2.%'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(leaked, 0, "no e-mail or IP stored");
    app.stop().await;
}

/// A comment as stored: id, parent, author, author's link, date, HTML.
type CommentRow = (
    uuid::Uuid,
    Option<uuid::Uuid>,
    String,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
    String,
);

/// What an import could change, to compare before and after a second run.
async fn snapshot(pool: &PgPool) -> Vec<String> {
    let queries = [
        "SELECT id::text || updated_at::text || status FROM reviews",
        "SELECT id::text || coalesce(parent_id::text, '') || content_html FROM comments",
        "SELECT path || review_id::text FROM legacy_paths",
        "SELECT id::text FROM outgoing_activities",
        "SELECT id::text FROM deliveries",
    ];
    let mut out = Vec::new();
    for q in queries {
        let mut rows: Vec<String> = sqlx::query_scalar(q).fetch_all(pool).await.expect(q);
        rows.sort();
        out.push(rows.join("\n"));
    }
    out
}

#[tokio::test]
async fn importing_the_same_export_twice_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    let (status, first) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{first}");
    let before = snapshot(&app.pool).await;
    let (status, second) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["reviews_created"], 0, "{second}");
    assert_eq!(second["reviews_skipped"], 4);
    assert_eq!(second["comments_imported"], 0);
    assert_eq!(second["comments_skipped"], 32);
    assert_eq!(second["redirects_added"], 0);
    assert_eq!(first["redirects_added"], 6, "{first}");
    assert_eq!(snapshot(&app.pool).await, before);
    app.stop().await;
}

#[tokio::test]
async fn the_import_endpoint_needs_the_admin_token_and_a_malformed_file_stores_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/import/wordpress"))
        .body(FIXTURE)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 401);

    let cut = FIXTURE.get(..FIXTURE.len() / 2).expect("half");
    for (body, says) in [
        (cut, "not valid XML"),
        (
            "<rss version=\"2.0\"><channel><title>A feed</title></channel></rss>",
            "not a WordPress export",
        ),
        ("{\"title\": \"json\"}", "not a WordPress export"),
    ] {
        let (status, answer) = import(&app, "", body).await;
        assert_eq!(status, 422, "{answer}");
        assert!(
            answer["details"]["file"]
                .as_str()
                .unwrap_or_default()
                .contains(says),
            "{answer}"
        );
    }
    assert_eq!(app.review_count().await, 0);
    let paths: i64 = sqlx::query_scalar("SELECT count(*) FROM legacy_paths")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(paths, 0);
    let (status, answer) = import(&app, "?federate=maybe", FIXTURE).await;
    assert_eq!(status, 400, "{answer}");
    let spec: Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("spec");
    assert!(spec["paths"]["/api/v1/import/wordpress"]["post"].is_object());
    app.stop().await;
}

#[tokio::test]
async fn the_command_line_imports_a_wordpress_file_and_a_second_run_skips_everything() {
    let db = crate::helpers::fresh_database().await;
    let dir = crate::helpers::shared_tmp("reviewpub-wxr-");
    let file = dir.path().join("export.xml");
    std::fs::write(&file, FIXTURE).expect("write");
    let run = || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
            .args(["import", "wordpress", file.to_str().expect("path")])
            .env("DATABASE_URL", &db)
            .env("REVIEWPUB_PUBLIC_URL", "https://reviews.example")
            .env("REVIEWPUB_DATA_DIR", dir.path())
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let first = run();
    assert!(
        first.contains("reviews: 4 created, 0 already imported"),
        "{first}"
    );
    assert!(first.contains("comments: 32 imported"), "{first}");
    let second = run();
    assert!(
        second.contains("reviews: 0 created, 4 already imported"),
        "{second}"
    );
    assert!(
        second.contains("comments: 0 imported, 32 already imported"),
        "{second}"
    );
}
