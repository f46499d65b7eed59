//! The admin API: round trips and every error case, checked against the database.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{sample_review, FetchJson, TestApp};

#[tokio::test]
async fn create_returns_the_review_with_its_ids() {
    let app = TestApp::spawn().await;
    let response = app
        .api(Method::POST, "/reviews")
        .json(&sample_review("Never Let Me Go (2010)"))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 201);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .expect("Location");
    let created: Value = response.json().await.expect("JSON");
    let id = created["id"].as_str().expect("id");
    assert_eq!(location, format!("/api/v1/reviews/{id}"));
    assert_eq!(created["slug"], "never-let-me-go-2010");
    assert_eq!(created["url"], app.url("/reviews/never-let-me-go-2010"));
    assert_eq!(created["ap_id"], app.url(&format!("/reviews/{id}")));
    assert_eq!(created["status"], "published");
    assert_eq!(
        created["rating"],
        json!({"value": 4.0, "best": 5, "stars": "★★★★☆"})
    );
    assert_eq!(created["film"]["directors"], json!(["Mark Romanek"]));
    assert_eq!(
        created["film"]["credits"],
        json!([{"role": "Music", "name": "Rachel Portman"}])
    );
    assert_eq!(created["categories"], json!(["Science Fiction"]));
    assert_eq!(
        created["author"], "Test Critic",
        "the configured author fills in"
    );
    assert_eq!(created["language"], "en");
    assert!(created["published_at"].is_string());
    assert!(created["body_html"]
        .as_str()
        .expect("html")
        .contains("<em>emphasis</em>"));

    let fetched: Value = app
        .api(Method::GET, &format!("/reviews/{id}"))
        .fetch_json()
        .await;
    assert_eq!(fetched, created);
    app.stop().await;
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_and_write_nothing() {
    let app = TestApp::spawn().await;
    let no_token = app
        .client
        .post(app.url("/api/v1/reviews"))
        .json(&sample_review("A"))
        .send()
        .await
        .expect("POST");
    assert_eq!(no_token.status().as_u16(), 401);
    assert!(no_token.headers().get("www-authenticate").is_some());
    let body: Value = no_token.json().await.expect("JSON error");
    assert!(body["error"].is_string());

    let wrong = app
        .client
        .post(app.url("/api/v1/reviews"))
        .bearer_auth("wrong-token-0123456789")
        .json(&sample_review("A"))
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong.status().as_u16(), 401);
    let list = app
        .client
        .get(app.url("/api/v1/reviews"))
        .send()
        .await
        .expect("GET");
    assert_eq!(list.status().as_u16(), 401);
    assert_eq!(app.review_count().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn stored_tokens_work_until_revoked() {
    let app = TestApp::spawn().await;
    let (id, token) = reviewpub::sessions::mint_token(&app.pool, "test")
        .await
        .expect("minted");
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(&app.pool)
        .await
        .expect("select");
    assert!(
        stored.iter().all(|h| h != token.as_bytes()),
        "only the hash is stored"
    );

    let ok = app
        .client
        .get(app.url("/api/v1/reviews"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(ok.status().as_u16(), 200);
    reviewpub::db::tokens::revoke(&app.pool, id)
        .await
        .expect("revoke");
    let revoked = app
        .client
        .get(app.url("/api/v1/reviews"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(revoked.status().as_u16(), 401);
    app.stop().await;
}

async fn expect_error(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.expect("JSON error body");
    assert!(body["error"].is_string(), "{body}");
    body
}

#[tokio::test]
async fn invalid_input_gets_the_right_status_naming_each_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let malformed = app
        .api(Method::POST, "/reviews")
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .expect("POST");
    expect_error(malformed, 400).await;

    let invalid = app
        .api(Method::POST, "/reviews")
        .json(&json!({
            "title": "",
            "film": {"year": 1700, "poster_url": "javascript:alert(1)", "imdb_id": "123"},
            "rating": {"value": 4.3, "best": 5},
            "status": "scheduled",
            "slug": "Not a slug",
            "categories": ["  "]
        }))
        .send()
        .await
        .expect("POST");
    let body = expect_error(invalid, 422).await;
    for field in [
        "title",
        "film.title",
        "film.year",
        "film.poster_url",
        "film.imdb_id",
        "rating",
        "publish_at",
        "slug",
        "categories[0]",
    ] {
        assert!(
            body["details"][field].is_string(),
            "{field} not named in {body}"
        );
    }

    let wrong_type = app
        .api(Method::POST, "/reviews")
        .json(&json!({"title": "x", "film": {"title": "x", "year": "nineteen"}}))
        .send()
        .await
        .expect("POST");
    let body = expect_error(wrong_type, 422).await;
    assert!(body["details"]["film.year"].is_string(), "{body}");

    let unknown = app
        .api(Method::POST, "/reviews")
        .json(&json!({"title": "x", "film": {"title": "x"}, "stars": 5}))
        .send()
        .await
        .expect("POST");
    let body = expect_error(unknown, 422).await;
    assert!(body["details"].to_string().contains("stars"), "{body}");

    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = app
        .api(Method::POST, "/reviews")
        .json(&json!({"title": "x", "film": {"title": "x"}, "body": huge}))
        .send()
        .await
        .expect("POST");
    expect_error(too_big, 413).await;

    assert_eq!(app.review_count().await, 0, "failed requests write nothing");
    app.stop().await;
}

#[tokio::test]
async fn slug_clash_is_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = app.create_review(sample_review("Heat")).await;
    let clash = app
        .api(Method::POST, "/reviews")
        .json(&sample_review("Heat"))
        .send()
        .await
        .expect("POST");
    let body = expect_error(clash, 409).await;
    assert!(body["details"]["slug"].is_string(), "{body}");
    assert_eq!(app.review_count().await, 1);

    let other = app.create_review(sample_review("Other")).await;
    let id = other["id"].as_str().expect("id");
    let patch = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"slug": "heat", "title": "Changed"}))
        .send()
        .await
        .expect("PATCH");
    expect_error(patch, 409).await;
    let unchanged: Value = app
        .api(Method::GET, &format!("/reviews/{id}"))
        .fetch_json()
        .await;
    assert_eq!(
        unchanged["title"], "Other",
        "the failed PATCH wrote nothing"
    );
    assert_eq!(first["slug"], "heat");
    app.stop().await;
}

#[tokio::test]
async fn patch_merges_fields_and_clears_with_null() {
    let app = TestApp::spawn().await;
    let created = app.create_review(sample_review("Heat (1995)")).await;
    let id = created["id"].as_str().expect("id");
    let response = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Heat, revisited", "rating": null, "film": {"year": 1995}, "tags": ["Michael Mann"]}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    let patched: Value = response.json().await.expect("JSON");
    assert_eq!(patched["title"], "Heat, revisited");
    assert_eq!(
        patched["slug"], created["slug"],
        "the slug stays unless asked"
    );
    assert!(patched["rating"].is_null());
    assert_eq!(patched["film"]["year"], 1995);
    assert_eq!(
        patched["film"]["directors"], created["film"]["directors"],
        "untouched nested fields stay"
    );
    assert_eq!(patched["tags"], json!(["Michael Mann"]));
    assert_eq!(
        patched["published_at"], created["published_at"],
        "publication date kept"
    );
    assert_eq!(patched["id"], created["id"]);

    let invalid = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"film": {"year": 3000}}))
        .send()
        .await
        .expect("PATCH");
    expect_error(invalid, 422).await;
    let not_object = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!([1]))
        .send()
        .await
        .expect("PATCH");
    expect_error(not_object, 400).await;
    let missing = app
        .api(Method::PATCH, &format!("/reviews/{}", uuid::Uuid::now_v7()))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .expect("PATCH");
    expect_error(missing, 404).await;
    let not_an_id = app
        .api(Method::GET, "/reviews/not-an-id")
        .send()
        .await
        .expect("GET");
    expect_error(not_an_id, 404).await;
    app.stop().await;
}

#[tokio::test]
async fn list_is_paginated_and_filtered_by_status() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        app.create_review(sample_review(&format!("Published {i}")))
            .await;
    }
    let mut draft = sample_review("A draft");
    draft["status"] = json!("draft");
    app.create_review(draft).await;

    let page: Value = app
        .api(Method::GET, "/reviews?per_page=2&page=1")
        .fetch_json()
        .await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().expect("items").len(), 2);
    assert_eq!(page["items"][0]["title"], "A draft", "newest first");
    let page2: Value = app
        .api(Method::GET, "/reviews?per_page=2&page=2")
        .fetch_json()
        .await;
    assert_eq!(page2["items"].as_array().expect("items").len(), 2);

    let drafts: Value = app
        .api(Method::GET, "/reviews?status=draft")
        .fetch_json()
        .await;
    assert_eq!(drafts["total"], 1);
    assert_eq!(drafts["items"][0]["status"], "draft");

    let bad = app
        .api(Method::GET, "/reviews?per_page=1000&status=hidden")
        .send()
        .await
        .expect("GET");
    let body = expect_error(bad, 422).await;
    assert!(
        body["details"]["per_page"].is_string() && body["details"]["status"].is_string(),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn delete_makes_the_review_gone_for_good() {
    let app = TestApp::spawn().await;
    let created = app.create_review(sample_review("Gone Girl")).await;
    let id = created["id"].as_str().expect("id");
    let deleted = app
        .api(Method::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status().as_u16(), 204);
    expect_error(
        app.api(Method::GET, &format!("/reviews/{id}"))
            .send()
            .await
            .expect("GET"),
        404,
    )
    .await;
    expect_error(
        app.api(Method::DELETE, &format!("/reviews/{id}"))
            .send()
            .await
            .expect("DELETE"),
        404,
    )
    .await;
    assert_eq!(app.get("/reviews/gone-girl").await.status().as_u16(), 410);
    assert_eq!(
        app.get(&format!("/reviews/{id}")).await.status().as_u16(),
        410
    );

    // The slug is free again; the id is not reused.
    let again = app.create_review(sample_review("Gone Girl")).await;
    assert_eq!(again["slug"], "gone-girl");
    assert_ne!(again["id"], created["id"]);
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200);
    let doc: Value = response.json().await.expect("JSON");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for path in ["/api/v1/reviews", "/api/v1/reviews/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["paths"]["/api/v1/reviews"]["post"]["responses"]["422"].is_object());
    for schema in ["ReviewInput", "FilmInput", "ReviewView", "ErrorBody"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // Client generators need each operation named once.
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|ops| ops.as_object().expect("operations").values())
        .map(|op| op["operationId"].as_str().expect("an operationId"))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids used twice: {ids:?}");
    // The review's status is one of its words, in what is sent and in the list's filter.
    let status = &doc["components"]["schemas"]["ReviewStatus"]["enum"];
    assert_eq!(status, &json!(["draft", "scheduled", "published"]));
    let text = doc.to_string();
    for internal in ["::", "crate", "`parse`"] {
        assert!(!text.contains(internal), "{internal} in the description");
    }

    // And an OpenAPI validator (scripts/install-test-deps installs it) finds nothing wrong.
    let dir = crate::helpers::shared_tmp("reviewpub-openapi-");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &text).expect("write");
    let output = std::process::Command::new("openapi-spec-validator")
        .arg(&file)
        .output()
        .expect("openapi-spec-validator (run scripts/install-test-deps)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    app.stop().await;
}

#[tokio::test]
async fn wrong_methods_bad_queries_and_nested_typos_get_json_errors() {
    let app = TestApp::spawn().await;
    let put = app
        .api(Method::PUT, "/reviews")
        .json(&json!({}))
        .send()
        .await
        .expect("PUT");
    expect_error(put, 405).await;
    let unknown_path = app
        .api(Method::GET, "/nothing-here")
        .send()
        .await
        .expect("GET");
    expect_error(unknown_path, 404).await;
    let bad_query = app
        .api(Method::GET, "/reviews?page=1&page=2")
        .send()
        .await
        .expect("GET");
    expect_error(bad_query, 400).await;
    let typo = app
        .api(Method::POST, "/reviews")
        .json(&json!({"title": "x", "film": {"title": "x", "directer": "Someone"}}))
        .send()
        .await
        .expect("POST");
    let body = expect_error(typo, 422).await;
    assert!(body["details"].to_string().contains("directer"), "{body}");
    assert_eq!(app.review_count().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn editing_a_scheduled_review_whose_time_has_come_publishes_it() {
    // A scheduler interval of a minute keeps the background task from getting there first.
    let app = TestApp::spawn_with(|f| f.merge(("scheduler.interval_seconds", 60))).await;
    let mut review = sample_review("Due Soon");
    review["status"] = json!("scheduled");
    review["publish_at"] =
        json!((chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339());
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(review["publish_at"].clone()).expect("publish_at");
    let created = app.create_review(review).await;
    crate::helpers::until(due + chrono::Duration::milliseconds(100)).await;
    let id = created["id"].as_str().expect("id");
    let response = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Due Now"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(response.status().as_u16(), 200);
    let patched: Value = response.json().await.expect("JSON");
    assert_eq!(patched["status"], "published");
    assert_eq!(patched["published_at"], created["publish_at"]);
    app.stop().await;
}
