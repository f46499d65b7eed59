//! Reply requests (GoToSocial's interaction controls, issue 11 point 2): a `ReplyRequest`
//! from alice's server for a review that takes replies stores the reply and is answered
//! `Accept` with a `ReplyAuthorization` we serve; for a closed review, `Reject` and the reply
//! kept private. Alice is a real signing peer on loopback.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, TestApp};
use crate::peer::{Peer, Received};

const AP: &str = "application/activity+json";

struct World {
    app: TestApp,
    alice: Peer,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn_with(|f| f.merge(("comments.moderation", "open"))).await;
        let alice = Peer::start().await;
        Self { app, alice }
    }

    /// A `ReplyRequest` as GoToSocial sends it: alice's reply `post` (embedded) to `target`.
    fn request(&self, name: &str, post: &str, target: &str) -> Value {
        let blog = self.app.url("/users/reviews");
        json!({
            "@context": ["https://gotosocial.org/ns", "https://www.w3.org/ns/activitystreams"],
            "id": self.alice.id(name),
            "type": "ReplyRequest",
            "actor": self.alice.actor_id,
            "to": blog,
            "object": target,
            "instrument": self.alice.note(post, target, "<p>Seen it twice.</p>", true, &blog),
        })
    }

    async fn send(&self, activity: &Value) {
        let response = self.alice.post(&self.app.url("/inbox"), activity).await;
        assert_eq!(response.status().as_u16(), 202, "{activity}");
    }

    /// The answer (`Accept` or `Reject`) to the request `name` that reached alice.
    async fn answer(&self, name: &str) -> Received {
        let id = self.alice.id(name);
        let answers = self
            .alice
            .wait_for("an answer", 1, |r| {
                matches!(r.kind(), "Accept" | "Reject") && r.body["object"]["id"] == id
            })
            .await;
        answers[0].clone()
    }

    async fn get_ap(&self, url: &str) -> (u16, Value) {
        let response = self
            .app
            .client
            .get(url)
            .header("accept", AP)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.app.pool)
            .await
            .expect("count")
    }

    async fn visibility(&self, post: &str) -> Option<String> {
        sqlx::query_scalar("SELECT visibility FROM comments WHERE ap_id = $1")
            .bind(format!("{}/objects/{post}", self.alice.base))
            .fetch_optional(&self.app.pool)
            .await
            .expect("visibility")
    }

    fn answers(&self) -> usize {
        self.alice
            .received()
            .into_iter()
            .filter(|r| matches!(r.kind(), "Accept" | "Reject"))
            .count()
    }
}

fn ap_id(review: &Value) -> &str {
    review["ap_id"].as_str().expect("ap_id")
}

#[tokio::test]
async fn reply_requests_an_open_review_stores_the_reply_and_accepts_with_an_authorization() {
    let w = World::new().await;
    let review = w.app.create_review(sample_review("Asked")).await;
    let blog = w.app.url("/users/reviews");
    w.send(&w.request("rr-1", "reply-1", ap_id(&review))).await;
    assert_eq!(w.visibility("reply-1").await.as_deref(), Some("public"));

    let accept = w.answer("rr-1").await;
    assert_eq!(accept.kind(), "Accept");
    assert_eq!(accept.path, "/users/alice/inbox");
    let body = &accept.body;
    assert_eq!(body["actor"], blog);
    assert_eq!(body["object"]["type"], "ReplyRequest");
    assert_eq!(body["object"]["actor"], w.alice.actor_id);
    assert_eq!(body["object"]["object"], ap_id(&review));
    let reply = format!("{}/objects/reply-1", w.alice.base);
    assert_eq!(body["object"]["instrument"], reply);
    let result = body["result"].as_str().expect("result: the authorization");
    assert!(
        result.starts_with(&w.app.url("/reply-authorizations/")),
        "{result}"
    );

    let (status, authorization) = w.get_ap(result).await;
    assert_eq!(status, 200);
    assert_eq!(authorization["id"], result);
    assert_eq!(authorization["type"], "ReplyAuthorization");
    assert_eq!(authorization["attributedTo"], blog);
    assert_eq!(authorization["interactingObject"], reply);
    assert_eq!(authorization["interactionTarget"], ap_id(&review));
    let context = authorization["@context"].to_string();
    for term in ["gts:ReplyAuthorization", "gts:interactingObject"] {
        assert!(context.contains(term), "{term} not in {context}");
    }

    // The same request again changes nothing; a new request for the same reply gets the
    // same authorization.
    w.send(&w.request("rr-1", "reply-1", ap_id(&review))).await;
    w.send(&w.request("rr-2", "reply-1", ap_id(&review))).await;
    let again = w.answer("rr-2").await;
    assert_eq!(again.body["result"], result);
    assert_eq!(w.answers(), 2, "one answer per request");
    assert_eq!(
        w.count("SELECT count(*) FROM reply_authorizations").await,
        1
    );
    assert_eq!(w.count("SELECT count(*) FROM comments").await, 1);

    // Closing the review later does not withdraw it.
    let id = review["id"].as_str().expect("id");
    let status = w
        .app
        .api(Method::POST, &format!("/reviews/{id}/replies/close"))
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(status.as_u16(), 204);
    assert_eq!(w.get_ap(result).await.0, 200);
    w.app.stop().await;
}

#[tokio::test]
async fn reply_requests_a_closed_review_rejects_and_keeps_the_reply_private() {
    let w = World::new().await;
    let review = w.app.create_review(sample_review("Closed")).await;
    let id = review["id"].as_str().expect("id");
    let status = w
        .app
        .api(Method::POST, &format!("/reviews/{id}/replies/close"))
        .send()
        .await
        .expect("POST")
        .status();
    assert_eq!(status.as_u16(), 204);
    w.send(&w.request("rr-1", "reply-1", ap_id(&review))).await;
    let reject = w.answer("rr-1").await;
    assert_eq!(reject.kind(), "Reject");
    assert_eq!(reject.body["object"]["type"], "ReplyRequest");
    assert!(reject.body.get("result").is_none());
    assert_eq!(w.visibility("reply-1").await.as_deref(), Some("private"));
    assert_eq!(
        w.count("SELECT count(*) FROM reply_authorizations WHERE state = 'accepted'")
            .await,
        0
    );
    w.app.stop().await;
}

#[tokio::test]
async fn reply_requests_a_reply_given_by_id_must_be_the_actors() {
    let w = World::new().await;
    let review = w.app.create_review(sample_review("By id")).await;
    let blog = w.app.url("/users/reviews");
    // A post on alice's server by bob: refused, nothing stored or answered.
    let mut bobs = w
        .alice
        .note("bobs", ap_id(&review), "<p>Not hers.</p>", true, &blog);
    bobs["attributedTo"] = json!(format!("{}/users/bob", w.alice.base));
    let bobs = w.alice.serve_object("bobs", bobs);
    let mut request = w.request("rr-1", "bobs", ap_id(&review));
    request["instrument"] = json!(bobs);
    let response = w.alice.post(&w.app.url("/inbox"), &request).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    // Embedded, the same post is refused as well.
    let mut embedded = w.request("rr-2", "bobs", ap_id(&review));
    embedded["instrument"]["attributedTo"] = json!(format!("{}/users/bob", w.alice.base));
    let response = w.alice.post(&w.app.url("/inbox"), &embedded).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(w.count("SELECT count(*) FROM comments").await, 0);
    assert_eq!(
        w.count("SELECT count(*) FROM reply_authorizations").await,
        0
    );

    // Alice's own reply, by id: fetched, stored, accepted.
    let hers = w
        .alice
        .note("hers", ap_id(&review), "<p>Mine.</p>", true, &blog);
    let hers = w.alice.serve_object("hers", hers);
    let mut request = w.request("rr-3", "hers", ap_id(&review));
    request["instrument"] = json!(hers);
    w.send(&request).await;
    let accept = w.answer("rr-3").await;
    assert_eq!(accept.kind(), "Accept");
    let (_, authorization) = w
        .get_ap(accept.body["result"].as_str().expect("result"))
        .await;
    assert_eq!(authorization["interactingObject"], hers);
    assert_eq!(w.visibility("hers").await.as_deref(), Some("public"));
    assert_eq!(w.answers(), 1, "no answer to the refused requests");
    w.app.stop().await;
}
