//! Importing again: a newer export of the same blog after the critic deleted or moderated
//! what came over, the same blog under another address, two imports at once.

use reqwest::Method;
use uuid::Uuid;

use super::{import, FIXTURE};
use crate::helpers::TestApp;

/// `export` with one more approved comment on post `post`.
pub fn with_comment(export: &str, post: u64, id: u64, parent: u64, text: &str) -> String {
    let anchor = format!("<wp:post_id>{post}</wp:post_id>");
    assert!(export.contains(&anchor), "no post {post}");
    let comment = format!(
        "{anchor}\n<wp:comment><wp:comment_id>{id}</wp:comment_id>\
         <wp:comment_author><![CDATA[Reader {id}]]></wp:comment_author>\
         <wp:comment_author_url></wp:comment_author_url>\
         <wp:comment_date_gmt><![CDATA[2012-01-01 10:{:02}:00]]></wp:comment_date_gmt>\
         <wp:comment_content><![CDATA[{text}]]></wp:comment_content>\
         <wp:comment_approved><![CDATA[1]]></wp:comment_approved>\
         <wp:comment_type><![CDATA[]]></wp:comment_type>\
         <wp:comment_parent>{parent}</wp:comment_parent></wp:comment>",
        id % 60
    );
    export.replacen(&anchor, &comment, 1)
}

/// An admin API request without a body: its status.
async fn admin(app: &TestApp, method: Method, path: &str) -> u16 {
    let response = app.api(method, path).send().await.expect("admin API");
    response.status().as_u16()
}

async fn review_of_post(app: &TestApp, post: i64) -> Uuid {
    sqlx::query_scalar("SELECT review_id FROM wordpress_posts WHERE post_id = $1")
        .bind(post)
        .fetch_one(&app.pool)
        .await
        .expect("imported post")
}

async fn comment_of(app: &TestApp, wordpress_id: i64) -> Uuid {
    sqlx::query_scalar("SELECT comment_uuid FROM wordpress_comments WHERE comment_id = $1")
        .bind(wordpress_id)
        .fetch_one(&app.pool)
        .await
        .expect("imported comment")
}

/// The parent of the comment saying `text`, and how many say it.
async fn parent_of_text(app: &TestApp, text: &str) -> (Option<Uuid>, i64) {
    let rows: Vec<Option<Uuid>> =
        sqlx::query_scalar("SELECT parent_id FROM comments WHERE content_html LIKE $1")
            .bind(format!("%{text}%"))
            .fetch_all(&app.pool)
            .await
            .expect("comments");
    (rows.first().copied().flatten(), rows.len() as i64)
}

#[tokio::test]
async fn a_review_deleted_here_is_skipped_and_the_other_posts_new_comments_still_come() {
    let app = TestApp::spawn().await;
    let (status, first) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{first}");
    let deleted = review_of_post(&app, 124).await;
    assert_eq!(
        admin(&app, Method::DELETE, &format!("/reviews/{deleted}")).await,
        204
    );

    // A newer export: new comments on both posts (the deleted one's listed first).
    let newer = with_comment(FIXTURE, 124, 300, 0, "A late word on the deleted one");
    let newer = with_comment(&newer, 123, 301, 0, "A late word on the kept one");
    let (status, second) = import(&app, "", &newer).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["reviews_created"], 0, "{second}");
    assert_eq!(second["reviews_skipped"], 4, "{second}");
    assert_eq!(second["reviews_deleted_here"], 1, "{second}");
    assert_eq!(second["reviews_failed"], serde_json::json!([]), "{second}");
    assert_eq!(second["comments_imported"], 1, "{second}");
    assert_eq!(
        parent_of_text(&app, "A late word on the kept one").await.1,
        1
    );
    assert_eq!(
        parent_of_text(&app, "A late word on the deleted one")
            .await
            .1,
        0
    );
    // The deleted review stays deleted.
    assert_eq!(
        app.get("/reviews/never-let-me-go-2010")
            .await
            .status()
            .as_u16(),
        410
    );
    app.stop().await;
}

#[tokio::test]
async fn the_same_blog_under_https_and_www_is_the_same_blog_and_an_export_without_address_is_refused(
) {
    let app = TestApp::spawn().await;
    let (status, first) = import(&app, "", FIXTURE).await;
    assert_eq!(status, 200, "{first}");
    for address in [
        "https://www.oldblog.example/",
        "http://OldBlog.example",
        "http://www.oldblog.example/",
    ] {
        let moved = FIXTURE.replace(
            "<wp:base_blog_url>https://oldblog.example</wp:base_blog_url>",
            &format!("<wp:base_blog_url>{address}</wp:base_blog_url>"),
        );
        assert_ne!(moved, FIXTURE);
        let (status, again) = import(&app, "", &moved).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["reviews_created"], 0, "{address}: {again}");
        assert_eq!(again["reviews_skipped"], 4, "{address}: {again}");
        assert_eq!(again["comments_imported"], 0, "{address}: {again}");
    }
    assert_eq!(app.review_count().await, 4);

    let nameless = FIXTURE.replace(
        "<wp:base_blog_url>https://oldblog.example</wp:base_blog_url>",
        "<wp:base_blog_url></wp:base_blog_url>",
    );
    let (status, answer) = import(&app, "", &nameless).await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["details"]["file"]
            .as_str()
            .unwrap_or_default()
            .contains("base_blog_url"),
        "{answer}"
    );
    assert_eq!(app.review_count().await, 4, "nothing stored");
    app.stop().await;
}

#[tokio::test]
async fn two_imports_at_once_both_succeed_and_import_everything_once() {
    let app = TestApp::spawn().await;
    let ((a, first), (b, second)) =
        tokio::join!(import(&app, "", FIXTURE), import(&app, "", FIXTURE));
    assert_eq!((a, b), (200, 200), "{first}\n{second}");
    assert_eq!(
        first["reviews_created"].as_u64().unwrap() + second["reviews_created"].as_u64().unwrap(),
        4,
        "{first}\n{second}"
    );
    assert_eq!(
        first["comments_imported"].as_u64().unwrap()
            + second["comments_imported"].as_u64().unwrap(),
        32,
        "{first}\n{second}"
    );
    assert_eq!(app.review_count().await, 4);
    let comments: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(comments, 32);
    app.stop().await;
}

#[tokio::test]
async fn answers_go_under_their_nearest_ancestor_that_is_here_and_published() {
    let app = TestApp::spawn().await;
    // 400 answers the post; 401 answers it but is too long to import; 402 answers 401.
    let export = with_comment(FIXTURE, 123, 400, 0, "Four hundred");
    let export = with_comment(&export, 123, 401, 400, &"long ".repeat(5000));
    let export = with_comment(&export, 123, 402, 401, "Four hundred and two");
    let (status, first) = import(&app, "", &export).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["comments_left_out"]["invalid"], 1, "{first}");
    let (parent, n) = parent_of_text(&app, "Four hundred and two").await;
    assert_eq!(n, 1);
    assert_eq!(
        parent,
        Some(comment_of(&app, 400).await),
        "under 400, not on top"
    );

    // The critic rejects 126 (it answers 125) and deletes 101 (on the post).
    let rejected = comment_of(&app, 126).await;
    assert_eq!(
        admin(&app, Method::POST, &format!("/comments/{rejected}/reject")).await,
        200
    );
    let deleted = comment_of(&app, 101).await;
    assert_eq!(
        admin(&app, Method::DELETE, &format!("/comments/{deleted}")).await,
        204
    );
    // A newer export answers both.
    let newer = with_comment(&export, 123, 403, 126, "Answering the rejected one");
    let newer = with_comment(&newer, 123, 404, 101, "Answering the deleted one");
    let (status, second) = import(&app, "", &newer).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["comments_imported"], 2, "{second}");
    assert_eq!(
        parent_of_text(&app, "Answering the rejected one").await,
        (Some(comment_of(&app, 125).await), 1)
    );
    assert_eq!(
        parent_of_text(&app, "Answering the deleted one").await,
        (None, 1)
    );
    // And nothing comes twice on a third run.
    let (status, third) = import(&app, "", &newer).await;
    assert_eq!(status, 200, "{third}");
    assert_eq!(third["comments_imported"], 0, "{third}");
    app.stop().await;
}
