//! RFC 9421 HTTP Message Signatures (issue 11, point 6, receiving): accepted beside
//! draft-cavage on the inbox and on signed GETs; a tampered body, a broken signature or
//! someone else's key is a 401 with nothing stored.

use serde_json::{json, Value};

use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

async fn comments(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_inbox_post_signed_the_rfc_9421_way_is_accepted_and_a_tampered_one_refused() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.inbox_per_minute", 0))
    })
    .await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Signed Anew")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let me = app.url("/users/reviews");
    let inbox = app.url("/inbox");

    let reply = |name: &str| {
        let note = alice.note(name, ap_id, "<p>signed with 9421</p>", true, &me);
        alice.activity("Create", &format!("c-{name}"), note)
    };
    // Changed after signing: the Content-Digest no longer matches.
    let mut tampered = reply("t");
    tampered["object"]["content"] = json!("<p>not what was signed</p>");
    let response = alice
        .send_rfc9421(&inbox, Some(&reply("t")), Some(&tampered))
        .await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(comments(&app).await, 0);

    // An activity by another actor than the key's.
    let mut forged = reply("f");
    forged["actor"] = json!(format!("{}/users/bob", alice.base));
    forged["object"]["attributedTo"] = forged["actor"].clone();
    let response = alice.send_rfc9421(&inbox, Some(&forged), None).await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(comments(&app).await, 0);

    let response = alice.send_rfc9421(&inbox, Some(&reply("ok")), None).await;
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(comments(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_get_signed_the_rfc_9421_way_passes_secure_mode() {
    let app = TestApp::spawn_with(|f| f.merge(("federation.authorized_fetch", true))).await;
    let alice = Peer::start().await;
    let review = app.create_review(sample_review("Fetched Anew")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let signed = alice.send_rfc9421(ap_id, None, None).await;
    assert_eq!(signed.status().as_u16(), 200);
    let article: Value = signed.json().await.expect("JSON");
    assert_eq!(article["type"], "Article");
    let followers = app.url("/users/reviews/followers");
    assert_eq!(
        alice
            .send_rfc9421(&followers, None, None)
            .await
            .status()
            .as_u16(),
        200
    );
    // Unsigned, it is refused.
    let unsigned = app
        .client
        .get(ap_id)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("GET");
    assert_eq!(unsigned.status().as_u16(), 401);
    app.stop().await;
}

#[tokio::test]
async fn deliveries_are_signed_the_rfc_9421_way_to_hosts_that_sign_so_and_fall_back_when_refused() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.inbox_per_minute", 0))).await;
    let alice = Peer::start().await;
    let is_9421 = |r: &crate::peer::Received| r.headers.contains_key("signature-input");
    // Alice's server signs the RFC 9421 way: its follow is accepted, and the Accept goes
    // back signed that way.
    let follow = alice.follow(&app.url("/users/reviews"), "follow-1");
    let response = alice
        .send_rfc9421(&app.url("/inbox"), Some(&follow), None)
        .await;
    assert_eq!(response.status().as_u16(), 202);
    let accepts = alice
        .wait_for("the Accept", 1, |r| r.kind() == "Accept")
        .await;
    assert!(
        is_9421(&accepts[0]),
        "the Accept is signed the RFC 9421 way"
    );
    assert!(accepts[0].headers.contains_key("content-digest"));

    // It refuses the next one: the same delivery goes again at once, draft-cavage, and so
    // do the following ones.
    alice.answer(&[401]);
    app.create_review(sample_review("Knock Knock")).await;
    let creates = alice
        .wait_for("the Create twice", 2, |r| r.kind() == "Create")
        .await;
    assert!(is_9421(&creates[0]));
    assert!(!is_9421(&creates[1]) && creates[1].headers.contains_key("signature"));
    app.create_review(sample_review("Who Is There")).await;
    let creates = alice
        .wait_for("the next Create", 3, |r| r.kind() == "Create")
        .await;
    assert!(!is_9421(&creates[2]), "draft-cavage is remembered");
    app.stop().await;
}
