//! The critic's desk (`/admin`), in a real headless Chromium and over plain HTTP.

mod editor;
mod fediverse;
mod live;
mod moderation;
mod sign_in;
mod thread;
mod trash;

use crate::helpers::browser::Browser;
use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

/// Sets the desk's password as `reviewpub admin set-password` does.
pub async fn set_password(app: &TestApp) {
    reviewpub::sessions::set_password(&app.pool, &secrecy::SecretString::from(PASSWORD))
        .await
        .expect("password set");
}

/// A plain HTTP client that keeps cookies and does not follow redirects.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs `client` in over HTTP; the session's CSRF token (read from the desk's page).
pub async fn sign_in(app: &TestApp, client: &reqwest::Client) -> String {
    let response = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", PASSWORD), ("next", "/admin")])
        .send()
        .await
        .expect("POST sign-in");
    assert_eq!(response.status().as_u16(), 303);
    let page = client
        .get(app.url("/admin"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    csrf_of(&page)
}

pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with a CSRF token")
        .to_string()
}

/// Signs the browser in through the sign-in form.
pub async fn sign_in_browser(app: &TestApp, browser: &Browser) {
    browser.goto(&app.url("/admin/sign-in")).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Desk");
}
