//! The notification feed: at its secret address only, what waits, linked to the desk.

use super::{a_held_question, desk_page, follow_request, report};
use crate::desk::{http_client, set_password, sign_in};
use crate::helpers::TestApp;

/// The feed's address made (anew) at the desk, read from the page that shows it once.
pub async fn make_feed_url(app: &TestApp, client: &reqwest::Client, csrf: &str) -> String {
    let response = client
        .post(app.url("/admin/notifications/regenerate"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("page");
    page.split("<code class=\"token\" id=\"feed-url\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the feed's address on the page")
        .to_string()
}

async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Response {
    client.get(url).send().await.expect("GET feed")
}

#[tokio::test]
async fn the_feed_lists_what_waits_at_its_secret_address_only() {
    let app =
        TestApp::spawn_with(|f| f.merge(("federation.manually_approves_followers", true))).await;
    set_password(&app).await;
    let alice = a_held_question(&app).await;
    follow_request(&app, &alice).await;
    report(&app, &alice, "Spoilers without warning").await;

    let desk = http_client();
    let csrf = sign_in(&app, &desk).await;
    let url = make_feed_url(&app, &desk, &csrf).await;
    let secret = url
        .strip_prefix(&app.url("/admin/notifications/"))
        .and_then(|rest| rest.strip_suffix(".atom"))
        .expect("the secret in the address");
    assert_eq!(secret.len(), 64, "256 random bits");
    // Shown once: the page does not show it again, and only its hash is stored.
    let later = desk_page(&desk, app.url("/admin/notifications")).await;
    assert!(!later.contains(secret) && later.contains("The current address was made"));
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret_hash FROM notification_feed")
        .fetch_one(&app.pool)
        .await
        .expect("stored");
    assert_eq!(stored, reviewpub::secrets::sha256(secret));

    // Read without a session, as a feed reader does.
    let reader = reqwest::Client::new();
    let response = fetch(&reader, &url).await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(
        headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["x-robots-tag"]
        .to_str()
        .expect("text")
        .contains("noindex"));
    let xml = response.text().await.expect("body");
    // The comment's text is escaped, never markup.
    assert!(
        xml.contains("&lt;b&gt;the best&lt;/b&gt;") && !xml.contains("<b>"),
        "{xml}"
    );
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    assert_eq!(feed.entries.len(), 3, "{xml}");
    let entry = |title: &str| {
        feed.entries
            .iter()
            .find(|e| {
                e.title
                    .as_ref()
                    .is_some_and(|t| t.content.starts_with(title))
            })
            .unwrap_or_else(|| panic!("an entry {title}: {xml}"))
    };
    let comment = entry("Held comment by");
    assert!(comment
        .title
        .as_ref()
        .expect("title")
        .content
        .contains("“Heat (1995)”"));
    assert!(comment
        .summary
        .as_ref()
        .expect("summary")
        .content
        .contains("Is the diner scene <b>the best</b> one?"));
    assert!(comment.links[0]
        .href
        .starts_with(&app.url("/admin/comments#comment-")));
    assert!(!comment.authors.is_empty() && comment.updated.is_some());
    let request = entry("Follow request from");
    assert_eq!(request.links[0].href, app.url("/admin/fediverse#requests"));
    let flag = entry("Report from");
    assert_eq!(flag.links[0].href, app.url("/admin/fediverse#reports"));
    assert!(flag
        .summary
        .as_ref()
        .expect("summary")
        .content
        .contains("Spoilers without warning"));

    // Any other secret finds nothing, as an address where there is nothing.
    let (nothing_status, nothing) = app.get_text("/admin/no-such-page").await;
    for wrong in [
        format!("/admin/notifications/{}.atom", "0".repeat(64)),
        format!(
            "/admin/notifications/{}.atom",
            reviewpub::secrets::random_hex(32)
        ),
        format!("/admin/notifications/{}.atom", &secret[..63]),
        format!("/admin/notifications/{secret}"),
    ] {
        let (status, body) = app.get_text(&wrong).await;
        assert_eq!((status, nothing_status), (404, 404), "{wrong}");
        assert_eq!(body, nothing, "{wrong}");
    }

    // A new address kills the old one.
    let renewed = make_feed_url(&app, &desk, &csrf).await;
    assert_ne!(renewed, url);
    assert_eq!(fetch(&reader, &url).await.status().as_u16(), 404);
    assert_eq!(fetch(&reader, &renewed).await.status().as_u16(), 200);
    // Without the desk's CSRF token, no new address is made.
    let forged = desk
        .post(app.url("/admin/notifications/regenerate"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(fetch(&reader, &renewed).await.status().as_u16(), 200);
}
