//! The fediverse at the desk, in the browser: a follow request accepted, a report read, a
//! failed delivery retried.

use serde_json::json;

use super::{set_password, sign_in_browser};
use crate::helpers::browser::Browser;
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn a_follow_request_is_accepted_a_report_read_and_a_failed_delivery_retried() {
    let app =
        TestApp::spawn_with(|f| f.merge(("federation.manually_approves_followers", true))).await;
    set_password(&app).await;
    let alice = Peer::start().await;
    let blog = app.url("/users/reviews");
    let follow = alice.follow(&blog, "follow-1");
    assert_eq!(
        alice
            .post(&format!("{blog}/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let flag = json!({"id": alice.id("flag"), "type": "Flag", "actor": alice.actor_id,
        "content": "Spoilers without warning", "object": [blog]});
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &flag)
            .await
            .status()
            .as_u16(),
        202
    );

    let browser = Browser::start().await;
    sign_in_browser(&app, &browser).await;
    assert_eq!(
        browser.text("header [data-count=follow-requests]").await,
        "1"
    );
    assert_eq!(browser.text("header [data-count=reports]").await, "1");
    browser.click("header a[href='/admin/fediverse']").await;
    assert!(browser
        .text("section[aria-labelledby=reports]")
        .await
        .contains("Spoilers without warning"));
    browser.click("form[action$='/approve'] button").await;
    alice.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    assert_eq!(
        browser.text("header [data-count=follow-requests]").await,
        "0"
    );
    assert!(browser.text("#followers").await.contains("(1)"));

    // A delivery alice's server refuses for good is failed; retried from the desk, it goes again.
    alice.answer(&[410]);
    app.create_review(sample_review("Heat (1995)")).await;
    let failed = crate::helpers::eventually(
        "a failed delivery",
        std::time::Duration::from_secs(20),
        || async {
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'failed'")
                    .fetch_one(&app.pool)
                    .await
                    .map_err(|e| e.to_string())?;
            if n == 1 {
                Ok(n)
            } else {
                Err(format!("{n} failed"))
            }
        },
    )
    .await;
    assert_eq!(failed, 1);
    browser.goto(&app.url("/admin/fediverse")).await;
    browser.click("form[action$='/retry'] button").await;
    alice
        .wait_for("the Create again", 2, |r| r.kind() == "Create")
        .await;
    browser.stop().await;
}
