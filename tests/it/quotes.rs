//! Quotes (FEP-044f, issue 11 point 1): a `QuoteRequest` from alice's server is answered
//! `Accept` with a stamp we serve, or `Reject`, as the review's policy (or the configured
//! default) says; stamps are revoked (`Delete`) when the policy tightens or the review goes;
//! the critic sees the quotes through the API. Alice is a real signing peer on loopback.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};
use crate::peer::{Peer, Received};

const AP: &str = "application/activity+json";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

struct World {
    app: TestApp,
    alice: Peer,
}

impl World {
    async fn new(default_policy: &str) -> Self {
        let policy = default_policy.to_string();
        let app = TestApp::spawn_with(|f| f.merge(("federation.quote_policy", policy))).await;
        let alice = Peer::start().await;
        Self { app, alice }
    }

    async fn review(&self, title: &str, policy: Option<&str>) -> Value {
        let mut review = sample_review(title);
        if let Some(policy) = policy {
            review["quote_policy"] = json!(policy);
        }
        self.app.create_review(review).await
    }

    /// A `QuoteRequest` as Mastodon 4.5 sends it: alice's post `post` (embedded) quotes `quoted`.
    fn request(&self, name: &str, post: &str, quoted: &str) -> Value {
        let post_id = format!("{}/objects/{post}", self.alice.base);
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", {
                "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
                "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"}
            }],
            "id": self.alice.id(name),
            "type": "QuoteRequest",
            "actor": self.alice.actor_id,
            "object": quoted,
            "instrument": {
                "id": post_id,
                "type": "Note",
                "attributedTo": self.alice.actor_id,
                "to": [PUBLIC],
                "cc": [format!("{}/followers", self.alice.actor_id)],
                "content": "<p>Worth reading.</p>",
                "quote": quoted,
            },
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
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(content_type.starts_with(AP), "{url}: {content_type}");
        (status, response.json().await.expect("JSON"))
    }

    async fn quotes(&self, review: &Value) -> Value {
        let id = review["id"].as_str().expect("id");
        self.app
            .api(Method::GET, &format!("/reviews/{id}/quotes"))
            .fetch_json()
            .await
    }

    async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.app.pool)
            .await
            .expect("count")
    }

    /// Alice follows the blog; waits for the Accept.
    async fn follow(&self) {
        let blog = self.app.url("/users/reviews");
        self.send(&self.alice.follow(&blog, "follow-1")).await;
        self.alice
            .wait_for("Accept of the follow", 1, |r| {
                r.kind() == "Accept" && r.body["object"]["type"] == "Follow"
            })
            .await;
    }
}

fn ap_id(review: &Value) -> &str {
    review["ap_id"].as_str().expect("ap_id")
}

#[tokio::test]
async fn quotes_a_request_for_a_public_review_is_accepted_with_a_stamp_that_dereferences() {
    let w = World::new("anyone").await;
    let review = w.review("Quoted", None).await;
    let blog = w.app.url("/users/reviews");
    let (_, article) = w.get_ap(ap_id(&review)).await;
    assert_eq!(
        article["interactionPolicy"]["canQuote"]["automaticApproval"],
        json!([PUBLIC])
    );

    w.send(&w.request("qr-1", "post-1", ap_id(&review))).await;
    let accept = w.answer("qr-1").await;
    assert_eq!(accept.kind(), "Accept");
    assert_eq!(accept.path, "/users/alice/inbox");
    let body = &accept.body;
    assert_eq!(body["actor"], blog);
    assert_eq!(body["object"]["type"], "QuoteRequest");
    assert_eq!(body["object"]["actor"], w.alice.actor_id);
    assert_eq!(body["object"]["object"], ap_id(&review));
    let post = format!("{}/objects/post-1", w.alice.base);
    assert_eq!(body["object"]["instrument"], post);
    let stamp = body["result"].as_str().expect("result: the stamp");
    assert!(stamp.starts_with(&w.app.url("/quotes/")), "{stamp}");

    let (status, authorization) = w.get_ap(stamp).await;
    assert_eq!(status, 200);
    assert_eq!(authorization["id"], stamp);
    assert_eq!(authorization["type"], "QuoteAuthorization");
    assert_eq!(authorization["attributedTo"], blog);
    assert_eq!(authorization["interactingObject"], post);
    assert_eq!(authorization["interactionTarget"], ap_id(&review));
    let context = authorization["@context"].to_string();
    for term in [
        "https://w3id.org/fep/044f#QuoteAuthorization",
        "gts:interactingObject",
        "gts:interactionTarget",
    ] {
        assert!(context.contains(term), "{term} not in {context}");
    }

    let listed = w.quotes(&review).await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["quoting_post"], post);
    assert_eq!(listed["items"][0]["author"], w.alice.actor_id);
    assert_eq!(listed["items"][0]["stamp"], stamp);

    // The same request again changes nothing; a new request for the same post gets the same stamp.
    w.send(&w.request("qr-1", "post-1", ap_id(&review))).await;
    w.send(&w.request("qr-2", "post-1", ap_id(&review))).await;
    let again = w.answer("qr-2").await;
    assert_eq!(again.body["result"], stamp);
    assert_eq!(w.count("SELECT count(*) FROM quotes").await, 1);
    let answers = w
        .alice
        .received()
        .into_iter()
        .filter(|r| r.kind() == "Accept")
        .count();
    assert_eq!(answers, 2, "one Accept per request");
    assert_eq!(w.quotes(&review).await["total"], 1);
    w.app.stop().await;
}

#[tokio::test]
async fn quotes_policy_nobody_rejects_and_stores_nothing_accepted() {
    let w = World::new("anyone").await;
    let review = w.review("Closed", Some("nobody")).await;
    assert_eq!(review["quote_policy"], "nobody");
    let (_, article) = w.get_ap(ap_id(&review)).await;
    assert_eq!(
        article["interactionPolicy"]["canQuote"]["automaticApproval"],
        json!([w.app.url("/users/reviews")]),
        "as Mastodon writes nobody: the author alone"
    );
    w.send(&w.request("qr-1", "post-1", ap_id(&review))).await;
    let reject = w.answer("qr-1").await;
    assert_eq!(reject.kind(), "Reject");
    assert_eq!(reject.body["object"]["type"], "QuoteRequest");
    assert!(reject.body.get("result").is_none());
    assert_eq!(
        w.count("SELECT count(*) FROM quotes WHERE state = 'accepted'")
            .await,
        0
    );
    assert_eq!(w.quotes(&review).await["total"], 0);
    // A bad policy is refused by name.
    let id = review["id"].as_str().expect("id");
    let response = w
        .app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"quote_policy": "friends"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["details"]["quote_policy"].is_string(), "{body}");
    w.app.stop().await;
}

#[tokio::test]
async fn quotes_policy_followers_accepts_only_a_follower() {
    // The configured default applies to a review without its own policy.
    let w = World::new("followers").await;
    let review = w.review("For followers", None).await;
    let (_, article) = w.get_ap(ap_id(&review)).await;
    assert_eq!(
        article["interactionPolicy"]["canQuote"]["automaticApproval"],
        json!([w.app.url("/users/reviews/followers")])
    );
    w.send(&w.request("qr-1", "post-1", ap_id(&review))).await;
    assert_eq!(
        w.answer("qr-1").await.kind(),
        "Reject",
        "not a follower yet"
    );

    w.follow().await;
    w.send(&w.request("qr-2", "post-2", ap_id(&review))).await;
    let accept = w.answer("qr-2").await;
    assert_eq!(accept.kind(), "Accept");
    assert!(accept.body["result"].is_string());
    assert_eq!(w.quotes(&review).await["total"], 1);
    w.app.stop().await;
}

#[tokio::test]
async fn quotes_tightening_the_policy_or_deleting_the_review_revokes_the_stamp() {
    let w = World::new("anyone").await;
    let review = w.review("Tightened", None).await;
    let id = review["id"].as_str().expect("id");
    w.send(&w.request("qr-1", "post-1", ap_id(&review))).await;
    let stamp = w.answer("qr-1").await.body["result"]
        .as_str()
        .expect("stamp")
        .to_string();

    let response = w
        .app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"quote_policy": "followers"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    let deletes = w
        .alice
        .wait_for("Delete of the stamp", 1, |r| {
            r.kind() == "Delete" && r.body["object"] == stamp
        })
        .await;
    assert_eq!(deletes[0].path, "/users/alice/inbox");
    assert_eq!(deletes[0].body["actor"], w.app.url("/users/reviews"));
    let (status, tombstone) = w.get_ap(&stamp).await;
    assert_eq!(status, 410);
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(w.quotes(&review).await["total"], 0);
    let (_, article) = w.get_ap(ap_id(&review)).await;
    assert_eq!(
        article["interactionPolicy"]["canQuote"]["automaticApproval"],
        json!([w.app.url("/users/reviews/followers")])
    );

    // `null` follows the configured default again.
    let cleared: Value = w
        .app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"quote_policy": null}))
        .fetch_json()
        .await;
    assert_eq!(cleared["quote_policy"], Value::Null, "{cleared}");
    let (_, article) = w.get_ap(ap_id(&review)).await;
    assert_eq!(
        article["interactionPolicy"]["canQuote"]["automaticApproval"],
        json!([PUBLIC])
    );

    // Deleting a review revokes its stamps too.
    let other = w.review("Deleted", None).await;
    w.send(&w.request("qr-2", "post-2", ap_id(&other))).await;
    let stamp = w.answer("qr-2").await.body["result"]
        .as_str()
        .expect("stamp")
        .to_string();
    let other_id = other["id"].as_str().expect("id");
    let response = w
        .app
        .api(Method::DELETE, &format!("/reviews/{other_id}"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status().as_u16(), 204);
    w.alice
        .wait_for("Delete of the second stamp", 1, |r| {
            r.kind() == "Delete" && r.body["object"] == stamp
        })
        .await;
    assert_eq!(w.get_ap(&stamp).await.0, 410);
    w.app.stop().await;
}

#[tokio::test]
async fn quotes_a_request_for_something_not_ours_is_ignored() {
    let w = World::new("anyone").await;
    let review = w.review("Ours", None).await;
    // Another server's post, and a review of ours that is only a draft.
    let mut draft = sample_review("Draft");
    draft["status"] = json!("draft");
    let draft = w.app.create_review(draft).await;
    w.send(&w.request("qr-1", "post-1", "http://localhost:1/notes/1"))
        .await;
    w.send(&w.request("qr-2", "post-2", ap_id(&draft))).await;
    // The inbox handles a request before it answers 202: nothing was stored or queued.
    assert_eq!(w.count("SELECT count(*) FROM quotes").await, 0);
    assert_eq!(
        w.count("SELECT count(*) FROM outgoing_activities WHERE kind IN ('Accept', 'Reject')")
            .await,
        0
    );
    // And the one for our review after them is the only one answered.
    w.send(&w.request("qr-3", "post-3", ap_id(&review))).await;
    w.answer("qr-3").await;
    let answered: Vec<Value> = w
        .alice
        .received()
        .into_iter()
        .filter(|r| matches!(r.kind(), "Accept" | "Reject"))
        .map(|r| r.body["object"]["id"].clone())
        .collect();
    assert_eq!(answered, [json!(w.alice.id("qr-3"))]);
    w.app.stop().await;
}

#[tokio::test]
async fn quotes_a_quoting_post_given_by_id_is_fetched_and_must_be_the_actors() {
    let w = World::new("anyone").await;
    let review = w.review("By id", None).await;
    let quoting = |author: &str, name: &str| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/objects/{name}", w.alice.base),
            "type": "Note",
            "attributedTo": author,
            "to": [PUBLIC],
            "content": "<p>Worth reading.</p>",
            "quote": ap_id(&review),
        })
    };
    // A post on alice's server by someone else: refused, nothing stored or answered.
    let bob = format!("{}/users/bob", w.alice.base);
    let bobs = w.alice.serve_object("bobs", quoting(&bob, "bobs"));
    let mut request = w.request("qr-1", "bobs", ap_id(&review));
    request["instrument"] = json!(bobs);
    let response = w.alice.post(&w.app.url("/inbox"), &request).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(w.count("SELECT count(*) FROM quotes").await, 0);

    // Alice's own post, by id: accepted, the stamp names it.
    let hers = w
        .alice
        .serve_object("hers", quoting(&w.alice.actor_id, "hers"));
    let mut request = w.request("qr-2", "hers", ap_id(&review));
    request["instrument"] = json!(hers);
    w.send(&request).await;
    let accept = w.answer("qr-2").await;
    assert_eq!(accept.kind(), "Accept");
    let (_, stamp) = w
        .get_ap(accept.body["result"].as_str().expect("stamp"))
        .await;
    assert_eq!(stamp["interactingObject"], hers);
    let answered = w
        .alice
        .received()
        .into_iter()
        .filter(|r| matches!(r.kind(), "Accept" | "Reject"))
        .count();
    assert_eq!(answered, 1, "no answer to the refused request");
    w.app.stop().await;
}
