//! No secret reaches the log; pages carry the security headers.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::eventually;
use crate::helpers::{
    free_port, fresh_database, sample_review, shared_tmp, wait_ready, FetchJson, Server, TestApp,
};

const TOKEN: &str = "log-test-admin-token-5f3a9c";
const DB_PASSWORD: &str = "db-password-7b1e44";

/// Every admin API operation, a scheduler tick and a wrong token, with every span and event
/// logged at `trace`: neither the admin token, nor a presented token, nor the database
/// password appears in the log.
#[tokio::test]
async fn no_secret_reaches_the_log() {
    let dir = shared_tmp("reviewpub-logs-");
    let log = dir.path().join("reviewpub.log");
    let mut database = url::Url::parse(&fresh_database().await).expect("URL");
    // The test cluster trusts local connections: the password is carried, never checked.
    database.set_password(Some(DB_PASSWORD)).expect("password");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start_logging_to(
        &["serve"],
        &[
            ("DATABASE_URL", database.to_string()),
            ("REVIEWPUB_ADMIN_TOKEN", TOKEN.to_string()),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_PUBLIC_URL", base.clone()),
            ("REVIEWPUB_SCHEDULER__INTERVAL_SECONDS", "1".to_string()),
            ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".to_string()),
            ("RUST_LOG", "trace".to_string()),
        ],
        Some(&log),
    );
    wait_ready(&base).await;
    let client = reqwest::Client::new();
    let api = |method: Method, path: &str| {
        client
            .request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(TOKEN)
    };

    let created = api(Method::POST, "/reviews")
        .json(&sample_review("Logged Review"))
        .fetch_json()
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    let patched = api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Logged Review, edited"}))
        .fetch_json()
        .await;
    assert_eq!(patched["title"], "Logged Review, edited", "{patched}");
    let mut scheduled = sample_review("Scheduled Logged Review");
    scheduled["status"] = json!("scheduled");
    scheduled["publish_at"] =
        json!((chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339());
    let scheduled = api(Method::POST, "/reviews")
        .json(&scheduled)
        .fetch_json()
        .await;
    let scheduled_id = scheduled["id"].as_str().expect("id").to_string();
    // The scheduler's tick publishes it (its span used to carry the whole configuration).
    eventually(Duration::from_secs(30), "the scheduled review", || {
        let request = api(Method::GET, &format!("/reviews/{scheduled_id}"));
        async move { request.fetch_json().await["status"] == "published" }
    })
    .await;
    let answer = api(Method::POST, &format!("/reviews/{id}/comments"))
        .json(&json!({"body": "The critic answers."}))
        .fetch_json()
        .await;
    assert!(answer["id"].is_string(), "{answer}");
    for path in [
        "/reviews",
        "/comments",
        "/followers",
        "/deliveries",
        "/blocks",
        "/reports",
    ] {
        let response = api(Method::GET, path).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    let deleted = api(Method::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let wrong = client
        .get(format!("{base}/api/v1/reviews"))
        .bearer_auth("presented-wrong-token-91c2")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status().as_u16(), 401);
    let status = server.terminate();
    assert!(status.success(), "{status}");

    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(
        logged.contains("publish_due") && logged.contains("delete"),
        "the spans that used to carry the settings were logged"
    );
    for secret in [TOKEN, DB_PASSWORD, "presented-wrong-token"] {
        let line = logged.lines().find(|l| l.contains(secret));
        assert!(
            line.is_none(),
            "{secret} logged: {}",
            line.unwrap_or_default()
        );
    }
}

/// Pages run no script, cannot be framed and do not sniff types.
#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Headers")).await;
    let slug = review["slug"].as_str().expect("slug");
    for path in [
        "/".to_string(),
        format!("/reviews/{slug}"),
        "/feed.xml".to_string(),
    ] {
        let response = app.get(&path).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(!header("referrer-policy").is_empty(), "{path}");
    }
    app.stop().await;
}
