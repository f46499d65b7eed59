//! Moderating at the desk, in the browser: a held reply from the fediverse is answered in place
//! (approved, and the answer federates to its author); another's server is blocked.

use super::{set_password, sign_in_browser};
use crate::helpers::browser::Browser;
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

/// The peer replies to the review `ap_id` (held: a first comment, `first_time` moderation);
/// the inbox's status.
async fn reply(app: &TestApp, peer: &Peer, ap_id: &str, name: &str, html: &str) -> u16 {
    let note = peer.note(name, ap_id, html, true, &app.url("/users/reviews"));
    let create = peer.activity("Create", &format!("create-{name}"), note);
    peer.post(&app.url("/inbox"), &create)
        .await
        .status()
        .as_u16()
}

async fn status_of(app: &TestApp, ap_id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM comments WHERE ap_id = $1")
        .bind(ap_id)
        .fetch_one(&app.pool)
        .await
        .expect("the comment")
}

#[tokio::test]
async fn a_held_reply_is_answered_in_place_and_another_server_is_blocked() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();
    let alice = Peer::start().await;
    let question = "<p>Is the diner scene the best one?</p>";
    assert_eq!(reply(&app, &alice, &ap_id, "reply-1", question).await, 202);

    let browser = Browser::start().await;
    sign_in_browser(&app, &browser).await;
    // What waits is counted on every page, and the held reply is in the queue.
    assert_eq!(browser.text("header [data-count=held]").await, "1");
    browser.click("header a[href='/admin/comments']").await;
    assert_eq!(browser.text("h1").await, "Comments");
    let queued = browser.text(".queued").await;
    assert!(
        queued.contains("Is the diner scene the best one?"),
        "{queued}"
    );
    assert!(queued.contains("Heat (1995)"), "{queued}");

    // Answered in place: approved, the answer published and sent to alice.
    browser
        .fill(".queued textarea[name=body]", "It is. *Coffee* and all.")
        .await;
    browser.click(".queued form.answer button").await;
    assert_eq!(browser.text("header [data-count=held]").await, "0");
    assert_eq!(
        status_of(&app, &format!("{}/objects/reply-1", alice.base)).await,
        "published"
    );
    let sent = alice
        .wait_for("the critic's answer", 1, |r| {
            r.kind() == "Create"
                && r.body["object"]["inReplyTo"] == format!("{}/objects/reply-1", alice.base)
        })
        .await;
    assert!(sent[0].body["object"]["content"]
        .as_str()
        .is_some_and(|c| c.contains("<em>Coffee</em>")));
    let (_, page) = app
        .get_text(&format!(
            "/reviews/{}",
            review["slug"].as_str().expect("slug")
        ))
        .await;
    assert!(page.contains("Is the diner scene the best one?") && page.contains("<em>Coffee</em>"));

    // Another reader's server is blocked from its held reply: the reply is rejected, and the
    // server's activities are refused from now on.
    let bob = Peer::start().await;
    assert_eq!(
        reply(&app, &bob, &ap_id, "spam-1", "<p>Buy cheap watches</p>").await,
        202
    );
    browser.goto(&app.url("/admin/comments")).await;
    assert_eq!(browser.text("header [data-count=held]").await, "1");
    browser
        .click(".queued form[action$='/block-server'] button")
        .await;
    let server = bob.base.trim_start_matches("http://").to_string();
    let blocked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM blocks WHERE kind = 'domain' AND value = $1")
            .bind(&server)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(blocked, 1);
    assert_eq!(
        status_of(&app, &format!("{}/objects/spam-1", bob.base)).await,
        "rejected"
    );
    assert_eq!(browser.text("header [data-count=held]").await, "0");
    assert_eq!(
        reply(&app, &bob, &ap_id, "spam-2", "<p>Again</p>").await,
        403
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/spam-2", bob.base))
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(stored, 0);
    browser.stop().await;
}
