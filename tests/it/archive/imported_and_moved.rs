//! What the later parts of a blog's life leave in the database travels in the archive too: an
//! imported WordPress blog (its old addresses, and what was imported, so that importing the
//! export again adds nothing) and the blog's move to another account.

use reqwest::Method;
use serde_json::json;

use super::{actor, export, import, successor};
use crate::helpers::TestApp;
use crate::peer::Peer;
use crate::wordpress::{import as import_wordpress, FIXTURE};

/// `path`'s status and `Location` on `app`.
async fn redirect(app: &TestApp, path: &str) -> (u16, Option<String>) {
    let response = app.get(path).await;
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), location)
}

#[tokio::test]
async fn an_imported_blog_that_moved_keeps_its_old_addresses_and_its_move() {
    let a = TestApp::spawn().await;
    let (status, report) = import_wordpress(&a, "", FIXTURE).await;
    assert_eq!(status, 200, "{report}");
    let new_home = Peer::start().await;
    let blog = a.url("/users/reviews");
    new_home.edit_actor(|actor| actor["alsoKnownAs"] = json!([blog]));
    let moved = a
        .api(Method::POST, "/move")
        .json(&json!({"to": new_home.actor_id}))
        .send()
        .await
        .expect("POST /move");
    assert_eq!(moved.status().as_u16(), 200);

    let bytes = export(&a, false).await;
    let b = successor(&a).await;
    import(&b, &bytes).await.expect("import");
    let b = b.restart().await;

    // The old blog's addresses lead to the same pages.
    for path in [
        "/2011/02/04/never-let-me-go/",
        "/2011/02/04/never-let-me-go",
        "/?p=123",
        "/?p=124",
        "/feed/",
    ] {
        let there = redirect(&a, path).await;
        assert_eq!(there.0, 301, "{path}");
        assert_eq!(redirect(&b, path).await, there, "{path}");
    }
    // Importing the same export again adds nothing: what was imported is known.
    let (status, again) = import_wordpress(&b, "", FIXTURE).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["reviews_created"], 0, "{again}");
    assert_eq!(again["comments_imported"], 0, "{again}");
    // The move is in force: the actor says where, and so do the pages.
    assert_eq!(actor(&b).await["movedTo"], new_home.actor_id);
    let (_, home) = b.get_text("/").await;
    assert!(home.contains("This blog has moved to"), "{home}");
    let current: serde_json::Value = b
        .api(Method::GET, "/move")
        .send()
        .await
        .expect("GET /move")
        .json()
        .await
        .expect("JSON");
    assert_eq!(current["target"], new_home.actor_id);
}
