//! What the admin API makes of what the critic writes: dates in the forms people write them,
//! and a 422 that names every wrong field in plain words.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .api(Method::POST, "/reviews")
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn paris() -> TestApp {
    TestApp::spawn_with(|f| f.merge(("site.time_zone", "Europe/Paris"))).await
}

#[tokio::test]
async fn a_422_names_every_wrong_field_even_beside_one_of_the_wrong_type() {
    let app = TestApp::spawn().await;
    // The example: `body` has the wrong JSON type; the others break rules.
    let (status, body) = post(
        &app,
        json!({"title": "", "body": 5, "rating": {"value": 9, "best": 5}}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let details = body["details"].as_object().expect("details");
    for field in ["title", "body", "rating", "film"] {
        assert!(details.contains_key(field), "{field} not named in {body}");
    }
    assert_eq!(details["body"], "must be text, not the number 5");

    // Several of the wrong type, nested ones and unknown ones, all at once.
    let (status, body) = post(
        &app,
        json!({
            "title": ["Heat"], "rating": "four", "categories": "Crime",
            "film": {"title": "Heat", "year": "1995", "credits": [{"role": "Music"}]},
            "publish_at": "next friday", "colour": "red"
        }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let details = body["details"].as_object().expect("details");
    for field in [
        "title",
        "rating",
        "categories",
        "film.year",
        "film.credits[0].name",
        "publish_at",
        "colour",
    ] {
        assert!(details.contains_key(field), "{field} not named in {body}");
    }
    assert_eq!(
        details["rating"],
        "must be an object such as {\"value\": 4.5, \"best\": 5}, not the text \"four\""
    );
    assert_eq!(
        details["film.year"],
        "must be a year such as 1995, not the text \"1995\""
    );
    assert_eq!(
        details["categories"],
        "must be a list of names, not the text \"Crime\""
    );
    // No Rust in what the critic reads.
    let text = body.to_string();
    for rust in [
        "struct",
        "i64",
        "f64",
        "u16",
        "RatingInput",
        "FilmInput",
        "Option",
        "Vec<",
    ] {
        assert!(!text.contains(rust), "{rust} in {text}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing stored");
}

#[tokio::test]
async fn dates_are_a_day_a_time_on_the_sites_clock_or_an_instant_and_errors_say_so() {
    let app = paris().await;
    for (written, stored) in [
        ("2035-01-01", "2034-12-31T23:00:00Z"),
        ("2035-01-01 20:00", "2035-01-01T19:00:00Z"),
        ("2035-07-01T20:00", "2035-07-01T18:00:00Z"),
        ("2035-01-01T20:00:00-05:00", "2035-01-02T01:00:00Z"),
    ] {
        let mut review = sample_review(&format!("Scheduled for {written}"));
        review["status"] = json!("scheduled");
        review["publish_at"] = json!(written);
        let (status, body) = post(&app, review).await;
        assert_eq!(status, 201, "{written}: {body}");
        assert_eq!(body["publish_at"], stored, "{written}");
    }
    let mut review = sample_review("Sometime");
    review["status"] = json!("scheduled");
    review["publish_at"] = json!("01/01/2035");
    let (status, body) = post(&app, review).await;
    assert_eq!(status, 422);
    let said = body["details"]["publish_at"].as_str().expect("named");
    for format in ["2027-01-01", "2027-01-01 20:00", "RFC 3339", "time zone"] {
        assert!(said.contains(format), "{format} not in {said}");
    }
}

#[tokio::test]
async fn a_drafts_publish_at_is_kept_and_scheduling_it_later_uses_it() {
    let app = paris().await;
    let mut review = sample_review("Heat");
    review["status"] = json!("draft");
    review["publish_at"] = json!("2035-03-01 09:30");
    let (status, created) = post(&app, review).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "draft");
    assert_eq!(
        created["publish_at"], "2035-03-01T08:30:00Z",
        "kept on the draft"
    );

    let id = created["id"].as_str().expect("id");
    let fetched = app
        .api(Method::GET, &format!("/reviews/{id}"))
        .fetch_json()
        .await;
    assert_eq!(fetched["publish_at"], "2035-03-01T08:30:00Z");

    let scheduled = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "scheduled"}))
        .fetch_json()
        .await;
    assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
    assert_eq!(scheduled["publish_at"], "2035-03-01T08:30:00Z");
}
