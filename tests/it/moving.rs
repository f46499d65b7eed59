//! Moving house (issue 12, point 4): the blog names its former accounts in `alsoKnownAs`, and
//! moves to another account with `Move`, checked against the new account's aliases.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{eventually, sample_review, FetchJson, TestApp};
use crate::peer::{Peer, Received};

const AP_ACCEPT: &str = "application/activity+json";

async fn blog_actor(app: &TestApp) -> Value {
    app.client
        .get(app.url("/users/reviews"))
        .header("accept", AP_ACCEPT)
        .send()
        .await
        .expect("GET actor")
        .json()
        .await
        .expect("actor JSON")
}

fn handle_of(peer: &Peer) -> String {
    format!("@alice@{}", peer.base.trim_start_matches("http://"))
}

async fn move_to(app: &TestApp, to: &str) -> (u16, Value) {
    let response = app
        .api(Method::POST, "/move")
        .json(&json!({ "to": to }))
        .send()
        .await
        .expect("POST /move");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn follow(app: &TestApp, peer: &Peer, name: &str) {
    let actor = app.url("/users/reviews");
    let response = peer
        .post(&format!("{actor}/inbox"), &peer.follow(&actor, name))
        .await;
    assert_eq!(response.status().as_u16(), 202);
}

/// A follower whose follow was accepted, and a new account for the blog (naming the blog in
/// its aliases when `aliased`).
async fn follower_and_new_home(app: &TestApp, aliased: bool) -> (Peer, Peer) {
    let follower = Peer::start().await;
    follow(app, &follower, "follow-1").await;
    follower
        .wait_for("Accept", 1, |r| r.kind() == "Accept")
        .await;
    let new_home = Peer::start().await;
    if aliased {
        let blog = app.url("/users/reviews");
        new_home.edit_actor(|a| a["alsoKnownAs"] = json!([blog]));
    }
    (follower, new_home)
}

async fn moves_sent(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outgoing_activities WHERE kind = 'Move'")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_blog_names_its_former_accounts_so_that_they_can_move_here() {
    let old = "https://mastodon.example/users/critic";
    let app = TestApp::spawn_with(|f| f.merge(("federation.also_known_as", vec![old]))).await;
    let actor = blog_actor(&app).await;
    assert_eq!(actor["alsoKnownAs"], json!([old]));
    assert!(actor.get("movedTo").is_none(), "{actor}");
    // The term is defined, so JSON-LD readers (Mastodon's Move check expands it) see it.
    assert_eq!(
        actor["@context"][2]["alsoKnownAs"],
        json!({"@id": "as:alsoKnownAs", "@type": "@id"})
    );

    // A blog without former accounts says nothing.
    let plain = TestApp::spawn().await;
    assert!(blog_actor(&plain).await.get("alsoKnownAs").is_none());
}

#[test]
fn a_former_account_must_be_an_actor_id() {
    for bad in [
        "@critic@mastodon.example",
        "ftp://example.org/x",
        "not a url",
    ] {
        let figment = reviewpub::config::Settings::defaults()
            .merge(("public_url", "https://reviews.example"))
            .merge(("federation.also_known_as", vec![bad]));
        let error = reviewpub::config::Settings::from_figment(&figment)
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains("federation.also_known_as") && error.contains("ActivityPub id"),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn a_move_needs_the_new_account_to_name_the_blog_and_sends_nothing_otherwise() {
    let app = TestApp::spawn().await;
    let (_follower, new_home) = follower_and_new_home(&app, false).await;

    // The new account does not list the blog among its aliases: refused, naming the field.
    let (status, body) = move_to(&app, &handle_of(&new_home)).await;
    assert_eq!(status, 422, "{body}");
    let message = body.to_string();
    assert!(
        message.contains("\"to\"") && message.contains("alsoKnownAs"),
        "{message}"
    );
    // Nor does an alias of another blog count.
    new_home.edit_actor(|a| a["alsoKnownAs"] = json!(["https://elsewhere.example/users/x"]));
    assert_eq!(move_to(&app, &handle_of(&new_home)).await.0, 422);
    // Not an account, or the blog itself.
    assert_eq!(move_to(&app, "critic").await.0, 422);
    assert_eq!(move_to(&app, &app.url("/users/reviews")).await.0, 422);
    // An account that cannot be looked up.
    let (status, body) = move_to(&app, "@nobody@127.0.0.1:9").await;
    assert_eq!(status, 400, "{body}");

    assert_eq!(moves_sent(&app).await, 0);
    assert_eq!(
        app.api(Method::GET, "/move")
            .send()
            .await
            .expect("GET")
            .status(),
        404
    );
    assert!(blog_actor(&app).await.get("movedTo").is_none());
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("has moved"), "{home}");
}

#[tokio::test]
async fn a_database_failure_while_storing_the_new_account_is_our_fault_not_a_refusal() {
    let app = TestApp::spawn().await;
    let (_follower, new_home) = follower_and_new_home(&app, true).await;
    // The database refuses to store any actor from now on.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_actors() RETURNS trigger LANGUAGE plpgsql AS \
           $$ BEGIN RAISE EXCEPTION 'disk full'; END $$; \
         CREATE TRIGGER refuse_actors BEFORE INSERT OR UPDATE ON remote_actors \
           FOR EACH ROW EXECUTE FUNCTION refuse_actors();",
    )
    .execute(&app.pool)
    .await
    .expect("trigger");
    for to in [
        handle_of(&new_home),
        format!("{}/users/alice", new_home.base),
    ] {
        let (status, body) = move_to(&app, &to).await;
        assert_eq!(status, 500, "{to}: {body}");
        assert!(!body.to_string().contains("disk full"), "{body}");
    }
    assert_eq!(moves_sent(&app).await, 0);
}

#[tokio::test]
async fn the_moved_notice_links_only_to_a_web_address() {
    let app = TestApp::spawn().await;
    // A move whose profile address is a script (as an archive from elsewhere could hold).
    sqlx::query(
        "INSERT INTO moves (id, target, target_handle, target_url, activity_id, moved_at) \
         VALUES ($1, 'https://new.example/users/critic', '@critic@new.example', \
         'javascript:alert(1)', 'https://blog.example/activities/m1', now())",
    )
    .bind(uuid::Uuid::now_v7())
    .execute(&app.pool)
    .await
    .expect("move");
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("has moved to"), "{home}");
    assert!(!home.contains("javascript:"), "{home}");
    assert!(
        home.contains("href=\"https://new.example/users/critic\""),
        "the id instead: {home}"
    );
}

fn is_move(r: &Received) -> bool {
    r.kind() == "Move"
}

fn is_profile_update(r: &Received) -> bool {
    r.kind() == "Update" && r.body["object"]["type"] == "Person"
}

#[tokio::test]
async fn moving_tells_the_followers_refuses_new_follows_and_every_page_says_where() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let slug = review["slug"].as_str().expect("slug").to_string();
    let (follower, new_home) = follower_and_new_home(&app, true).await;
    let blog = app.url("/users/reviews");

    let (status, moved) = move_to(&app, &handle_of(&new_home)).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["target"], new_home.actor_id);
    assert_eq!(moved["handle"], handle_of(&new_home));
    assert_eq!(moved["url"], format!("{}/@alice", new_home.base));
    assert_eq!(moved["inboxes"], 1);

    // The follower's server gets the Move (the blog moves itself, to the new account) and the
    // blog's profile with `movedTo`, both signed by the blog.
    let moves = follower.wait_for("Move", 1, is_move).await;
    let activity = &moves[0].body;
    assert_eq!(activity["actor"], blog);
    assert_eq!(activity["object"], blog);
    assert_eq!(activity["target"], new_home.actor_id);
    assert_eq!(activity["to"], json!([format!("{blog}/followers")]));
    let signature = moves[0].headers["signature"].to_str().expect("signature");
    assert!(
        signature.contains(&format!("keyId=\"{blog}#main-key\"")),
        "{signature}"
    );
    let updates = follower
        .wait_for("Update of the blog", 1, is_profile_update)
        .await;
    assert_eq!(updates[0].body["object"]["movedTo"], new_home.actor_id);

    // The blog says where it went: its actor, and every page.
    assert_eq!(blog_actor(&app).await["movedTo"], new_home.actor_id);
    for path in [
        "/".to_string(),
        format!("/reviews/{slug}"),
        "/about".to_string(),
    ] {
        let (status, page) = app.get_text(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains(&format!(
                "This blog has moved to <a href=\"{}/@alice\" rel=\"me\">{}</a>",
                new_home.base,
                handle_of(&new_home)
            )),
            "{path}: {page}"
        );
    }
    let current: Value = app.api(Method::GET, "/move").fetch_json().await;
    assert_eq!(current["target"], new_home.actor_id);
    // One move at a time.
    assert_eq!(move_to(&app, &handle_of(&new_home)).await.0, 400);

    // New follows are refused, as Mastodon refuses them for an account that moved.
    let latecomer = Peer::start().await;
    follow(&app, &latecomer, "follow-late").await;
    let rejects = latecomer
        .wait_for("Reject", 1, |r| r.kind() == "Reject")
        .await;
    assert_eq!(rejects[0].body["object"]["id"], latecomer.id("follow-late"));
    let followers: Value = app.api(Method::GET, "/followers").fetch_json().await;
    assert_eq!(followers["total"], 1, "{followers}");

    // Cancelled: the blog no longer says it moved, and tells its followers so.
    let cancelled = app
        .api(Method::DELETE, "/move")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(cancelled.status().as_u16(), 204);
    follower
        .wait_for("second Update", 2, is_profile_update)
        .await;
    let last = follower
        .received()
        .into_iter()
        .filter(is_profile_update)
        .last()
        .expect("an update");
    assert!(
        last.body["object"].get("movedTo").is_none(),
        "{}",
        last.body
    );
    assert!(blog_actor(&app).await.get("movedTo").is_none());
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("has moved"), "{home}");
    assert_eq!(
        app.api(Method::DELETE, "/move")
            .send()
            .await
            .expect("DELETE")
            .status(),
        404
    );
}

#[tokio::test]
async fn the_command_line_moves_the_blog_and_cancels_the_move() {
    let app = TestApp::spawn().await;
    let (follower, new_home) = follower_and_new_home(&app, true).await;

    // Run without blocking this test's runtime: the peers answer the command from it.
    let run = |args: &[&str]| {
        let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
            .args(args)
            .env("DATABASE_URL", app.database_url())
            .env("REVIEWPUB_PUBLIC_URL", &app.base)
            .env("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true")
            .output();
        async move {
            let output = command.await.expect("runs");
            (
                output.status.success(),
                String::from_utf8_lossy(&output.stdout).to_string(),
                String::from_utf8_lossy(&output.stderr).to_string(),
            )
        }
    };
    let (ok, out, err) = run(&["move", &handle_of(&new_home)]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("moved to {}", handle_of(&new_home))),
        "{out}"
    );
    assert!(err.contains("1 follower inboxes"), "{err}");
    // The running server sends what the command queued.
    follower.wait_for("Move", 1, is_move).await;
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("This blog has moved to"), "{home}");

    // A second move is refused with the reason.
    let (ok, _, err) = run(&["move", "@alice@127.0.0.1:9"]).await;
    assert!(!ok && err.contains("already moved"), "{err}");

    let (ok, out, err) = run(&["move", "--cancel"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("cancelled"), "{out}");
    // The server hears of the change made by the other process and renders its pages anew.
    eventually(
        "the notice gone",
        std::time::Duration::from_secs(10),
        || async {
            let (_, home) = app.get_text("/").await;
            if home.contains("has moved") {
                Err(home)
            } else {
                Ok(())
            }
        },
    )
    .await;
    let (ok, out, _) = run(&["move", "--cancel"]).await;
    assert!(ok && out.contains("nothing to cancel"), "{out}");
}
