//! Deleting at the desk: the review leaves the blog at once, can be taken back for a while (a
//! published one comes back as an edit, the fediverse never having heard of the deletion), and
//! is then deleted for good, the followers told.

use super::{http_client, set_password, sign_in};
use crate::helpers::{eventually, sample_review, TestApp};
use crate::peer::Peer;

async fn post(app: &TestApp, client: &reqwest::Client, path: &str, csrf: &str) -> String {
    let response = client
        .post(app.url(path))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303, "{path}");
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect")
        .to_string()
}

async fn get_text(client: &reqwest::Client, url: &str) -> String {
    client
        .get(url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

#[tokio::test]
async fn a_deleted_review_can_be_taken_back_for_a_while_then_goes_for_good() {
    let app = TestApp::spawn_with(|f| f.merge(("scheduler.interval_seconds", 1))).await;
    set_password(&app).await;
    let alice = Peer::start().await;
    alice.follow_blog(&app).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let (id, ap_id, page) = (
        review["id"].as_str().expect("id").to_string(),
        review["ap_id"].as_str().expect("ap_id").to_string(),
        format!("/reviews/{}", review["slug"].as_str().expect("slug")),
    );
    alice.wait_for("Create", 1, |r| r.kind() == "Create").await;

    let client = http_client();
    let csrf = sign_in(&app, &client).await;
    // A forged form deletes nothing.
    let forged = client
        .post(app.url(&format!("/admin/reviews/{id}/delete")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(app.get(&page).await.status().as_u16(), 200);

    // Deleted: off the blog at once, in the desk's trash with an Undo, the fediverse untold.
    let to = post(&app, &client, &format!("/admin/reviews/{id}/delete"), &csrf).await;
    assert_eq!(to, "/admin/reviews?done=deleted");
    assert_eq!(app.get(&page).await.status().as_u16(), 404);
    let list = get_text(&client, &app.url(&to)).await;
    assert!(list.contains("Deleted: it is off the blog"), "{list}");
    let trash = list
        .split("id=\"trash-heading\"")
        .nth(1)
        .expect("the trash");
    assert!(
        trash.contains("Heat (1995)") && trash.contains(&format!("/admin/reviews/{id}/restore"))
    );

    // Undo: back on the blog, sent as an edit of the same object, never deleted.
    let to = post(
        &app,
        &client,
        &format!("/admin/reviews/{id}/restore"),
        &csrf,
    )
    .await;
    assert_eq!(to, format!("/admin/reviews/{id}?done=restored-published"));
    assert_eq!(app.get(&page).await.status().as_u16(), 200);
    let updates = alice.wait_for("Update", 1, |r| r.kind() == "Update").await;
    assert_eq!(updates[0].body["object"]["id"], ap_id.as_str());
    assert!(alice.received().iter().all(|r| r.kind() != "Delete"));

    // Deleted again, and left past the undo window: deleted for good, the followers told.
    post(&app, &client, &format!("/admin/reviews/{id}/delete"), &csrf).await;
    sqlx::query(
        "UPDATE reviews SET trashed_at = trashed_at - interval '16 minutes' WHERE id = $1::uuid",
    )
    .bind(&id)
    .execute(&app.pool)
    .await
    .expect("the trash ages");
    let deletes = alice.wait_for("Delete", 1, |r| r.kind() == "Delete").await;
    assert_eq!(deletes[0].body["object"]["id"], ap_id.as_str());
    eventually(
        "the page is gone",
        std::time::Duration::from_secs(20),
        || async {
            match app.get(&page).await.status().as_u16() {
                410 => Ok(()),
                other => Err(other.to_string()),
            }
        },
    )
    .await;
    // Nothing left to take back.
    let late = client
        .post(app.url(&format!("/admin/reviews/{id}/restore")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(late.status().as_u16(), 404);
}
