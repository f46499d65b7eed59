//! Deep reply chains: a stranger can answer their own answers thousands of times over; every
//! view of the thread must still answer (and the process live), nesting only a few levels.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use reviewpub::db::comments::{self, NewComment};
use reviewpub::domain::{CommentOrigin, CommentStatus, Visibility};
use scraper::{Html, Selector};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::Peer;

const AP: &str = "application/activity+json";
/// The chain's length: its last comment is this many levels below the first.
const DEEP: i64 = 5_000;

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).expect("selector"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).expect("selector")).count()
}

fn at(level: i64) -> DateTime<Utc> {
    "2026-11-20T10:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("date")
        + Duration::seconds(level)
}

/// Alice's note at `level`, answering `parent`, dated one second after the one before.
fn note(alice: &Peer, level: i64, parent: &str, me: &str) -> Value {
    let mut note = alice.note(
        &format!("n{level}"),
        parent,
        &format!("<p>Level {level}</p>"),
        true,
        me,
    );
    note["published"] = json!(at(level).to_rfc3339());
    note
}

async fn deliver(alice: &Peer, app: &TestApp, note: Value, name: &str) {
    let status = alice
        .post(&app.url("/inbox"), &alice.activity("Create", name, note))
        .await
        .status()
        .as_u16();
    assert_eq!(status, 202, "{name} accepted");
}

async fn depth_of(app: &TestApp, ap_id: &str) -> i32 {
    sqlx::query_scalar("SELECT depth FROM comments WHERE ap_id = $1")
        .bind(ap_id)
        .fetch_one(&app.pool)
        .await
        .expect("depth")
}

async fn get_ok(app: &TestApp, url: &str, accept: &str) -> String {
    let response = app
        .client
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    assert_eq!(status, 200, "{url}");
    response.text().await.expect("body")
}

#[tokio::test]
async fn a_five_thousand_deep_reply_chain_is_served_and_the_server_lives() {
    // The default moderation (first_time): one approved comment lets the rest through.
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Deep")).await;
    let review_id = review["id"].as_str().expect("id").to_string();
    let review_ap_id = review["ap_id"].as_str().expect("ap_id").to_string();
    let slug = review["slug"].as_str().expect("slug").to_string();
    let me = app.url("/users/reviews");

    // Level 0 through the inbox, held, then approved.
    deliver(&alice, &app, note(&alice, 0, &review_ap_id, &me), "c0").await;
    let pending: Value = app
        .api(Method::GET, "/comments?status=pending")
        .fetch_json()
        .await;
    let first = pending["items"][0]["id"]
        .as_str()
        .expect("held")
        .to_string();
    let approved: Value = app
        .api(Method::POST, &format!("/comments/{first}/approve"))
        .fetch_json()
        .await;
    assert_eq!(approved["status"], "published");
    // Levels 1 to 3 through the inbox, each answering the one before.
    for level in 1..=3 {
        let parent = format!("{}/objects/n{}", alice.base, level - 1);
        deliver(
            &alice,
            &app,
            note(&alice, level, &parent, &me),
            &format!("c{level}"),
        )
        .await;
    }
    // Levels 4 to DEEP - 1 straight through the database layer (the inbox path is the same
    // insert), each answering the one before.
    let mut parent: Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/n3", alice.base))
        .fetch_one(&app.pool)
        .await
        .expect("level 3 stored");
    let mut tx = app.pool.begin().await.expect("begin");
    for level in 4..DEEP {
        let id = Uuid::now_v7();
        let ap_id = format!("{}/objects/n{level}", alice.base);
        comments::insert(
            &mut tx,
            &NewComment {
                id,
                ap_id: ap_id.clone(),
                review_id: review_id.parse().expect("uuid"),
                parent_id: Some(parent),
                origin: CommentOrigin::Remote,
                author_actor: Some(alice.actor_id.clone()),
                author_name: "Alice <script>".into(),
                author_handle: Some("@alice@peer".into()),
                author_url: Some(format!("{}/@alice", alice.base)),
                author_avatar: None,
                url: Some(ap_id),
                content_html: format!("<p>Level {level}</p>"),
                source: None,
                summary: None,
                sensitive: false,
                visibility: Visibility::Public,
                status: CommentStatus::Published,
                published_at: at(level),
            },
        )
        .await
        .expect("insert")
        .expect("new");
        parent = id;
    }
    tx.commit().await.expect("commit");
    // Level DEEP: the critic answers the deepest comment; DEEP + 1: alice answers the critic
    // through the inbox; DEEP + 2: a comment imported under hers.
    let critic: Value = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments"))
        .json(&json!({"in_reply_to": parent, "body": "Still here at the bottom."}))
        .fetch_json()
        .await;
    let critic_ap_id = critic["ap_id"]
        .as_str()
        .expect("critic's answer")
        .to_string();
    let critic_id = critic["id"].as_str().expect("id").to_string();
    deliver(
        &alice,
        &app,
        note(&alice, DEEP + 1, &critic_ap_id, &me),
        "last",
    )
    .await;
    let last: Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/n{}", alice.base, DEEP + 1))
        .fetch_one(&app.pool)
        .await
        .expect("the last reply stored");
    let imported = app
        .api(Method::POST, &format!("/reviews/{review_id}/comments/import"))
        .json(&json!({"author_name": "Old Friend", "date": at(DEEP + 2).to_rfc3339(), "content": "Imported at the bottom.", "parent": last}))
        .send()
        .await
        .expect("import");
    assert_eq!(imported.status().as_u16(), 201);
    let total = DEEP + 3;

    // The review page answers, shows every comment and nests only four levels.
    let page = app.url(&format!("/reviews/{slug}"));
    let doc = Html::parse_document(&get_ok(&app, &page, "text/html").await);
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec![format!("{total} Responses to “Deep”")]
    );
    assert_eq!(count(&doc, "#comments li.comment"), total as usize);
    let bodies = texts(&doc, ".comment-body");
    for deep in [
        format!("Level {}", DEEP - 1),
        "Still here at the bottom.".to_string(),
        format!("Level {}", DEEP + 1),
        "Imported at the bottom.".to_string(),
    ] {
        assert!(bodies.contains(&deep), "{deep} is shown");
    }
    assert_eq!(
        count(&doc, "#comments li li li li"),
        (total - 3) as usize,
        "level 3 and below, flat"
    );
    assert_eq!(count(&doc, "#comments li li li li li"), 0, "never deeper");
    // Flattened answers name whom they answer.
    let deepest = doc
        .select(&Selector::parse(&format!("#comment-{last}")).expect("s"))
        .next()
        .expect("the last reply is shown");
    assert_eq!(
        deepest
            .select(&Selector::parse(".in-reply-to").expect("s"))
            .map(|e| e.text().collect::<String>())
            .collect::<Vec<_>>(),
        vec!["in reply to Test Critic"]
    );

    // The comments feed answers and is a valid feed of the newest fifty.
    let feed = get_ok(
        &app,
        &app.url(&format!("/reviews/{slug}/comments.xml")),
        "application/atom+xml",
    )
    .await;
    let feed = feed_rs::parser::parse(feed.as_bytes()).expect("the feed parses");
    assert_eq!(feed.entries.len(), 50);

    // The replies collections: of the review (one answer), and of the critic's deep answer.
    let replies: Value =
        serde_json::from_str(&get_ok(&app, &format!("{review_ap_id}/replies?page=1"), AP).await)
            .expect("JSON");
    assert_eq!(
        replies["orderedItems"],
        json!([format!("{}/objects/n0", alice.base)])
    );
    let deep_replies: Value =
        serde_json::from_str(&get_ok(&app, &format!("{critic_ap_id}/replies?page=1"), AP).await)
            .expect("JSON");
    assert_eq!(
        deep_replies["orderedItems"],
        json!([format!("{}/objects/n{}", alice.base, DEEP + 1)])
    );

    // The depth is stored on every path: inbox, database layer, critic's answer, import.
    assert_eq!(
        depth_of(&app, &format!("{}/objects/n0", alice.base)).await,
        0
    );
    assert_eq!(
        depth_of(&app, &format!("{}/objects/n3", alice.base)).await,
        3
    );
    assert_eq!(
        depth_of(&app, &format!("{}/objects/n{}", alice.base, DEEP - 1)).await,
        (DEEP - 1) as i32
    );
    assert_eq!(depth_of(&app, &critic_ap_id).await, DEEP as i32);
    assert_eq!(
        depth_of(&app, &format!("{}/objects/n{}", alice.base, DEEP + 1)).await,
        (DEEP + 1) as i32
    );
    let wrong: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.depth <> p.depth + 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(wrong, 0, "every answer is one level below its parent");

    // The admin API lists them, with their depth.
    let listed: Value = app
        .api(Method::GET, "/comments?status=published&per_page=5")
        .fetch_json()
        .await;
    assert_eq!(listed["total"], total);
    assert_eq!(
        listed["items"][0]["depth"],
        DEEP + 2,
        "the newest: the import"
    );
    assert!(listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|c| c["id"] == json!(critic_id) && c["depth"] == DEEP));

    // The thread refresh answers: alice's server no longer has these notes (404), so the
    // first 200 (its budget) are removed and stay as placeholders above visible answers.
    let refreshed: Value = app
        .api(
            Method::POST,
            &format!("/reviews/{review_id}/comments/refresh"),
        )
        .fetch_json()
        .await;
    assert_eq!(refreshed["removed"], 200, "{refreshed}");
    assert_eq!(refreshed["found"], 0, "{refreshed}");

    // And the process lives: the page answers again, with the placeholders.
    let health = app.get("/healthz").await;
    assert_eq!(health.status().as_u16(), 200);
    let doc = Html::parse_document(&get_ok(&app, &page, "text/html").await);
    assert_eq!(count(&doc, ".comment-deleted"), 200);
    assert_eq!(
        texts(&doc, "#comments-heading"),
        vec![format!("{} Responses to “Deep”", total - 200)]
    );
    assert_eq!(count(&doc, "#comments li.comment"), total as usize);
    app.stop().await;
}

#[tokio::test]
async fn the_migration_gives_existing_comments_their_depth() {
    let pool = sqlx::PgPool::connect(&crate::helpers::fresh_database().await)
        .await
        .expect("connect");
    reviewpub::db::MIGRATOR
        .run_to(20261121000003, &pool)
        .await
        .expect("migrations before the depth");
    // A chain of 3,000 and a short thread of two, stored before depths existed.
    sqlx::raw_sql(
        "INSERT INTO reviews (id, slug, title, body, body_html, summary_html, summary_text, film, language, author, status) \
         VALUES ('00000000-0000-0000-0000-000000000001', 'old', 'Old', '', '', '', '', '{}', 'en', 'A', 'draft'); \
         DO $$ DECLARE prev uuid; cur uuid; BEGIN \
           FOR i IN 0..2999 LOOP \
             cur := gen_random_uuid(); \
             INSERT INTO comments (id, ap_id, review_id, parent_id, origin, author_name, content_html, visibility, status, published_at) \
             VALUES (cur, 'https://x.example/chain/' || i, '00000000-0000-0000-0000-000000000001', prev, 'remote', 'A', '', 'public', 'published', now()); \
             prev := cur; \
           END LOOP; END $$; \
         INSERT INTO comments (id, ap_id, review_id, parent_id, origin, author_name, content_html, visibility, status, published_at) VALUES \
           ('00000000-0000-0000-0000-00000000000a', 'https://x.example/top', '00000000-0000-0000-0000-000000000001', NULL, 'remote', 'B', '', 'public', 'published', now()), \
           ('00000000-0000-0000-0000-00000000000b', 'https://x.example/answer', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', 'remote', 'C', '', 'public', 'published', now());",
    )
    .execute(&pool)
    .await
    .expect("old comments");
    reviewpub::db::migrate(&pool).await.expect("the rest");
    let depths: Vec<(String, i32)> =
        sqlx::query_as("SELECT ap_id, depth FROM comments WHERE ap_id IN ('https://x.example/chain/0', 'https://x.example/chain/2999', 'https://x.example/top', 'https://x.example/answer') ORDER BY ap_id")
            .fetch_all(&pool)
            .await
            .expect("depths");
    assert_eq!(
        depths,
        vec![
            ("https://x.example/answer".to_string(), 1),
            ("https://x.example/chain/0".to_string(), 0),
            ("https://x.example/chain/2999".to_string(), 2999),
            ("https://x.example/top".to_string(), 0),
        ]
    );
    let wrong: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments c LEFT JOIN comments p ON p.id = c.parent_id \
         WHERE c.depth <> COALESCE(p.depth + 1, 0)",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(wrong, 0);
    pool.close().await;
}
