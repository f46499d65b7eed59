//! The SMTP password is never logged nor shown at the desk, even when sending fails.

use std::time::Duration;

use super::{desk_page, desk_post};
use crate::desk::{csrf_of, http_client, PASSWORD};
use crate::helpers::{eventually, free_port, fresh_database, shared_tmp, wait_ready, Server};
use crate::peer::Peer;

const SMTP_PASSWORD: &str = "smtp-password-4d9e1b";

#[tokio::test]
async fn the_smtp_password_is_never_logged_nor_shown() {
    let dir = shared_tmp("reviewpub-mail-logs-");
    let log = dir.path().join("reviewpub.log");
    let database = fresh_database().await;
    let port = free_port();
    let smtp_port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start_logging_to(
        &["serve"],
        &[
            ("DATABASE_URL", database.clone()),
            ("REVIEWPUB_LISTEN", format!("127.0.0.1:{port}")),
            ("REVIEWPUB_PUBLIC_URL", base.clone()),
            ("REVIEWPUB_SCHEDULER__INTERVAL_SECONDS", "1".to_string()),
            ("REVIEWPUB_ALLOW_PRIVATE_NETWORKS", "true".to_string()),
            ("REVIEWPUB_NOTIFICATIONS__DIGEST", "immediate".to_string()),
            ("REVIEWPUB_NOTIFICATIONS__DEBOUNCE_SECONDS", "0".to_string()),
            ("REVIEWPUB_NOTIFICATIONS__RETRY_SECONDS", "1".to_string()),
            (
                "REVIEWPUB_NOTIFICATIONS__EMAIL_TO",
                "critic@example.test".to_string(),
            ),
            (
                "REVIEWPUB_NOTIFICATIONS__EMAIL_FROM",
                "blog@example.test".to_string(),
            ),
            (
                "REVIEWPUB_NOTIFICATIONS__SMTP_URL",
                format!("smtp://critic:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}"),
            ),
            ("RUST_LOG", "trace".to_string()),
        ],
        Some(&log),
    );
    wait_ready(&base).await;
    let pool = sqlx::PgPool::connect(&database).await.expect("database");
    reviewpub::sessions::set_password(&pool, &secrecy::SecretString::from(PASSWORD))
        .await
        .expect("password");

    // A report arrives; mailing it fails (nothing listens), and that is logged.
    let alice = Peer::start().await;
    let flag = serde_json::json!({"id": alice.id("flag"), "type": "Flag",
        "actor": alice.actor_id, "content": "Spoilers", "object": [format!("{base}/users/reviews")]});
    let status = alice.post(&format!("{base}/inbox"), &flag).await.status();
    assert_eq!(status.as_u16(), 202);
    eventually("the failure logged", Duration::from_secs(30), || async {
        let logged = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
        if logged.contains("the notification e-mail was not sent") {
            Ok(())
        } else {
            Err("not yet".into())
        }
    })
    .await;

    // The desk names the server, never the password, also after a failed test e-mail.
    let desk = http_client();
    let signed_in = desk
        .post(format!("{base}/admin/sign-in"))
        .form(&[("password", PASSWORD), ("next", "/admin/notifications")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status().as_u16(), 303);
    let page = desk_page(&desk, format!("{base}/admin/notifications")).await;
    assert!(
        page.contains(&format!("smtp://127.0.0.1:{smtp_port}")),
        "{page}"
    );
    let tested = desk_post(
        &desk,
        format!("{base}/admin/notifications/test"),
        &csrf_of(&page),
    )
    .await;
    assert!(tested.contains("The test e-mail was not sent"), "{tested}");
    for shown in [&page, &tested] {
        assert!(!shown.contains(SMTP_PASSWORD), "{shown}");
    }
    // The server goes on.
    let home = reqwest::get(&base).await.expect("GET /");
    assert_eq!(home.status().as_u16(), 200);

    let status = server.terminate();
    assert!(status.success(), "{status}");
    let logged = std::fs::read_to_string(&log).expect("log");
    let line = logged.lines().find(|l| l.contains(SMTP_PASSWORD));
    assert!(
        line.is_none(),
        "the SMTP password logged: {}",
        line.unwrap_or_default()
    );
}
