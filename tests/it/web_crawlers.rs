//! What search engines read, and addresses with a trailing slash (issue 13, point 7).

use crate::helpers::{sample_review, TestApp};

#[tokio::test]
async fn robots_txt_keeps_crawlers_out_of_the_desk_and_names_the_sitemap() {
    let app = TestApp::spawn().await;
    let (status, robots) = app.get_text("/robots.txt").await;
    assert_eq!(status, 200);
    for line in ["Disallow: /admin", "Disallow: /api/", "Disallow: /preview/"] {
        assert!(robots.lines().any(|l| l == line), "{line}: {robots}");
    }
    assert!(
        robots.contains(&format!("Sitemap: {}", app.url("/sitemap.xml"))),
        "{robots}"
    );
}

#[tokio::test]
async fn the_sitemap_lists_every_public_page_and_nothing_else() {
    let app = TestApp::spawn().await;
    let published = app.create_review(sample_review("Heat (1995)")).await;
    let mut draft = sample_review("Thief (1981)");
    draft["status"] = "draft".into();
    app.create_review(draft).await;
    let (status, xml) = app.get_text("/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">")
    );
    let locs: Vec<&str> = xml
        .split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .collect();
    assert!(locs.contains(&app.url("/").as_str()), "{xml}");
    assert!(locs.contains(&app.url("/about").as_str()), "{xml}");
    assert!(
        locs.contains(&published["url"].as_str().expect("url")),
        "{xml}"
    );
    assert!(!xml.contains("thief"), "a draft is not listed: {xml}");
    assert!(xml.contains("<lastmod>"), "{xml}");
}

#[tokio::test]
async fn an_address_with_a_trailing_slash_leads_to_the_page_and_never_elsewhere() {
    let app = TestApp::spawn().await;
    app.create_review(sample_review("Heat (1995)")).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get = |path: &str| client.get(app.url(path)).send();
    let response = get("/reviews/heat-1995/").await.expect("GET");
    assert_eq!(response.status().as_u16(), 301);
    assert_eq!(
        response.headers()["location"],
        app.url("/reviews/heat-1995").as_str()
    );
    let response = get("/about//?x=1").await.expect("GET");
    assert_eq!(
        response.headers()["location"],
        app.url("/about?x=1").as_str()
    );
    // Not to another site.
    let response = client
        .get(format!("{}//evil.example/", app.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 404);
}
