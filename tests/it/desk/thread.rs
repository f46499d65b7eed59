//! A review's whole thread at the desk: every comment in whatever state, nested, with the
//! critic's answers among them, each with its actions.

use super::{http_client, set_password, sign_in};
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

#[tokio::test]
async fn the_thread_of_a_review_shows_held_comments_and_the_critics_answers_nested() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let (id, ap_id) = (
        review["id"].as_str().expect("id").to_string(),
        review["ap_id"].as_str().expect("ap_id").to_string(),
    );
    let alice = Peer::start().await;
    alice
        .reply(
            &app,
            "q1",
            &ap_id,
            "<p>Is the diner scene the best one?</p>",
        )
        .await;
    let comment: String = sqlx::query_scalar("SELECT id::text FROM comments")
        .fetch_one(&app.pool)
        .await
        .expect("held");

    let client = http_client();
    let csrf = sign_in(&app, &client).await;
    let thread_url = app.url(&format!("/admin/reviews/{id}/comments"));
    let page = |client: reqwest::Client, url: String| async move {
        let response = client.get(url).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200);
        scraper::Html::parse_document(&response.text().await.expect("body"))
    };
    let select = |css: &str| scraper::Selector::parse(css).expect("selector");
    let doc = page(client.clone(), thread_url.clone()).await;
    assert_eq!(
        doc.select(&select("h1"))
            .map(|e| e.text().collect::<String>())
            .collect::<Vec<_>>(),
        ["Comments on “Heat (1995)”"]
    );
    let held = doc
        .select(&select(&format!("#comment-{comment} .state")))
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>();
    assert_eq!(held, ["held"]);
    // Its forms lead back to this thread.
    let back: Vec<&str> = doc
        .select(&select(&format!("#comment-{comment} input[name=back]")))
        .filter_map(|e| e.value().attr("value"))
        .collect();
    assert!(!back.is_empty() && back.iter().all(|b| *b == format!("review-{id}")));

    // Answered in place: approved, and the answer sits under it, marked as the critic's.
    let answered = client
        .post(app.url(&format!("/admin/comments/{comment}/answer")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("back", &format!("review-{id}")),
            ("body", "It is, and the heist."),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(answered.status().as_u16(), 303);
    assert_eq!(
        answered
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(format!("/admin/reviews/{id}/comments").as_str())
    );
    let doc = page(client.clone(), thread_url).await;
    assert_eq!(
        doc.select(&select(&format!("#comment-{comment} .state")))
            .count(),
        0,
        "published now"
    );
    let yours: Vec<String> = doc
        .select(&select("li.queued.yours.level-1"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(yours.len(), 1, "the answer, one level down");
    assert!(yours[0].contains("your answer") && yours[0].contains("It is, and the heist."));
    // The list of reviews leads to it.
    let list = client
        .get(app.url("/admin/reviews"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(list.contains(&format!("/admin/reviews/{id}/comments")));
}
