//! `/interact`: redirects only to the asked account's http(s) template, lookups limited per
//! client.

use std::sync::Arc;

use serde_json::{json, Value};

use super::interact_url;
use crate::helpers::{free_port, sample_review, TestApp};

/// A WebFinger server answering for someone else, or with a template that is not http(s), is
/// not followed (it was an open redirect).
#[tokio::test]
async fn interact_redirects_only_to_the_asked_accounts_http_template() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Redirects")).await;
    let uri = review["ap_id"].as_str().expect("ap_id").to_string();
    let answers: Arc<std::sync::Mutex<Value>> = Arc::new(std::sync::Mutex::new(Value::Null));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
    let served = answers.clone();
    let server = axum::Router::new().route(
        "/.well-known/webfinger",
        axum::routing::get(move || {
            let doc = served.lock().map(|d| d.clone()).unwrap_or_default();
            async move { ([("content-type", "application/jrd+json")], doc.to_string()) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, server).await;
    });
    let jrd = |subject: &str, template: &str| {
        json!({"subject": subject, "links": [
            {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}
        ]})
    };
    let ask = || {
        app.client
            .get(interact_url(&app, &uri, &format!("reader@{host}")))
            .send()
    };
    for (doc, what) in [
        (
            jrd(
                "acct:someone-else@evil.example",
                "https://evil.example/go?u={uri}",
            ),
            "another account's answer",
        ),
        (
            jrd(&format!("acct:reader@{host}"), "javascript:alert(1)//{uri}"),
            "a javascript: template",
        ),
        (
            jrd(&format!("acct:reader@{host}"), "data:text/html,{uri}"),
            "a data: template",
        ),
    ] {
        *answers.lock().expect("lock") = doc;
        let response = ask().await.expect("GET");
        assert!(
            !response.status().is_redirection(),
            "{what} was followed: {:?}",
            response.headers().get("location")
        );
    }
    *answers.lock().expect("lock") = jrd(
        &format!("acct:reader@{host}"),
        &format!("http://{host}/authorize_interaction?uri={{uri}}"),
    );
    let response = ask().await.expect("GET");
    assert_eq!(
        response.status().as_u16(),
        303,
        "the real answer is followed"
    );
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(location.starts_with(&format!("http://{host}/authorize_interaction?uri=")));
    app.stop().await;
}

/// Lookups are limited per client: past the allowance, 429 with Retry-After.
#[tokio::test]
async fn interact_lookups_are_limited_per_client() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.interact_per_minute", 2))).await;
    let review = app.create_review(sample_review("Limited")).await;
    let uri = review["ap_id"].as_str().expect("ap_id").to_string();
    let closed = format!("localhost:{}", free_port());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .get(interact_url(&app, &uri, &format!("r@{closed}")))
            .send()
            .await
            .expect("GET");
        if response.status().as_u16() == 429 {
            assert!(response.headers().get("retry-after").is_some());
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![502, 502, 429]);
    app.stop().await;
}
