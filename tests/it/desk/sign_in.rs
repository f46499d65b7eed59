//! Signing in: the password, the session cookie, CSRF tokens, limits, signing out everywhere;
//! API tokens minted and revoked from the desk.

use super::{http_client, set_password, sign_in, PASSWORD};
use crate::helpers::browser::Browser;
use crate::helpers::TestApp;

#[tokio::test]
async fn the_critic_signs_in_in_a_browser_mints_a_token_and_signs_out() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let browser = Browser::start().await;

    // The desk asks who is there, then brings the critic back where they were going.
    browser.goto(&app.url("/admin/tokens")).await;
    assert!(browser
        .url()
        .await
        .contains("/admin/sign-in?next=%2Fadmin%2Ftokens"));
    browser.fill("#password", "not the password").await;
    browser.click("button[type=submit]").await;
    assert_eq!(
        browser.text("[role=alert]").await,
        "That password is not right."
    );
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "API tokens");
    assert_eq!(browser.url().await, app.url("/admin/tokens"));
    // What waits is counted on every page.
    assert_eq!(browser.text("header [data-count=held]").await, "0");

    // A token, shown once, that works with the API until it is revoked.
    browser.fill("#token-name", "laptop").await;
    browser.click("form[action='/admin/tokens'] button").await;
    let token = browser.text("code.token").await;
    assert!(token.starts_with("rp_"), "{token}");
    let api = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/api/v1/reviews"))
                .bearer_auth(token)
                .send()
                .await
                .expect("GET")
                .status()
                .as_u16()
        }
    };
    assert_eq!(api(token.clone()).await, 200);
    browser.click("button[aria-label='Revoke laptop']").await;
    assert!(browser.text("tbody").await.contains("revoked"));
    assert_eq!(api(token).await, 401);

    // Signed out, the desk asks again.
    browser.click("form[action='/admin/sign-out'] button").await;
    assert!(browser.url().await.contains("/admin/sign-in"));
    browser.goto(&app.url("/admin")).await;
    assert!(browser.url().await.contains("/admin/sign-in"));
    browser.stop().await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_strict_and_secure_on_https() {
    for (public_url, name, secure) in [
        (None, "reviewpub_session=", false),
        (
            Some("https://reviews.example"),
            "__Host-reviewpub_session=",
            true,
        ),
    ] {
        let app = match public_url {
            None => TestApp::spawn().await,
            Some(url) => TestApp::spawn_with(|f| f.merge(("public_url", url))).await,
        };
        set_password(&app).await;
        let response = http_client()
            .post(app.url("/admin/sign-in"))
            .form(&[("password", PASSWORD)])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/admin");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(cookie.starts_with(name), "{cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute}: {cookie}");
        }
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        // The secret is random and long; only its hash is stored.
        let secret = cookie[name.len()..].split(';').next().expect("value");
        assert_eq!(secret.len(), 64);
        let stored: Vec<u8> = sqlx::query_scalar("SELECT id FROM desk_sessions")
            .fetch_one(&app.pool)
            .await
            .expect("session");
        assert_eq!(stored, reviewpub::secrets::sha256(secret));
    }
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let client = http_client();
    let csrf = sign_in(&app, &client).await;
    let tokens = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM api_tokens")
            .fetch_one(&app.pool)
            .await
            .expect("count")
    };
    for form in [
        vec![("name", "forged")],
        vec![("name", "forged"), ("csrf", "")],
        vec![("name", "forged"), ("csrf", "0123456789abcdef")],
    ] {
        let response = client
            .post(app.url("/admin/tokens"))
            .form(&form)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status().as_u16(), 403, "{form:?}");
    }
    assert_eq!(tokens().await, 0);
    // Another session's token is not this one's.
    let other = http_client();
    let other_csrf = sign_in(&app, &other).await;
    assert_ne!(other_csrf, csrf);
    let response = client
        .post(app.url("/admin/tokens"))
        .form(&[("name", "forged"), ("csrf", other_csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(tokens().await, 0);
    // With its own token, the form works.
    let response = client
        .post(app.url("/admin/tokens"))
        .form(&[("name", "laptop"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(tokens().await, 1);
    // Without a session, a form leads to the sign-in page.
    let response = http_client()
        .post(app.url("/admin/tokens"))
        .form(&[("name", "x"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let client = http_client();
    let attempt = |password: &'static str| {
        let client = &client;
        let app = &app;
        async move {
            client
                .post(app.url("/admin/sign-in"))
                .form(&[("password", password)])
                .send()
                .await
                .expect("POST")
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong guess").await.status().as_u16(), 401);
    }
    // The sixth in the minute is refused, even with the right password.
    let refused = attempt(PASSWORD).await;
    assert_eq!(refused.status().as_u16(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused
        .text()
        .await
        .expect("body")
        .contains("Too many attempts"));
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM desk_sessions")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn signing_out_everywhere_or_a_new_password_ends_every_session() {
    let app = TestApp::spawn().await;
    set_password(&app).await;
    let (laptop, phone) = (http_client(), http_client());
    let csrf = sign_in(&app, &laptop).await;
    sign_in(&app, &phone).await;
    let desk_status = |client: &reqwest::Client| {
        let request = client.get(app.url("/admin"));
        async move { request.send().await.expect("GET").status().as_u16() }
    };
    assert_eq!(desk_status(&phone).await, 200);
    let response = laptop
        .post(app.url("/admin/sign-out-everywhere"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(desk_status(&phone).await, 303);
    assert_eq!(desk_status(&laptop).await, 303);

    // `reviewpub admin set-password` signs everyone out too, and the new password works.
    sign_in(&app, &phone).await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .args(["admin", "set-password", "--password-stdin"])
        .env("DATABASE_URL", app.database_url())
        .env("REVIEWPUB_PUBLIC_URL", &app.base)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    {
        use tokio::io::AsyncWriteExt as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"a new and longer password\n")
            .await
            .expect("write");
    }
    let output = child.wait_with_output().await.expect("ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(desk_status(&phone).await, 303);
    let response = http_client()
        .post(app.url("/admin/sign-in"))
        .form(&[("password", "a new and longer password")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);

    // A password too short is refused, and the one set stays.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .args(["admin", "set-password", "--password-stdin"])
        .env("DATABASE_URL", app.database_url())
        .env("REVIEWPUB_PUBLIC_URL", &app.base)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}
