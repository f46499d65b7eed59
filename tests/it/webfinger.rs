//! WebFinger as RFC 7033 says: a malformed `resource` is `400`, an unknown one `404`, and
//! `rel` parameters filter the links.

use serde_json::Value;

use crate::helpers::TestApp;

async fn webfinger(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app.get(&format!("/.well-known/webfinger?{query}")).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn rels(body: &Value) -> Vec<String> {
    body["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["rel"].as_str().expect("rel").to_string())
        .collect()
}

#[tokio::test]
async fn malformed_resources_are_400_unknown_ones_404_and_rel_filters_links() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.pages_per_minute", 0))).await;
    let host = app.base.trim_start_matches("http://").to_string();

    for bad in [
        "resource=reviews",
        "resource=acct:reviews",
        "resource=a@b@c",
        "resource=",
    ] {
        assert_eq!(webfinger(&app, bad).await.0, 400, "{bad}");
    }
    assert_eq!(webfinger(&app, "").await.0, 400, "no resource at all");
    for unknown in [
        "resource=acct:nobody@elsewhere.example".to_string(),
        "resource=mailto:critic@blog.example".into(),
        format!("resource=acct:someone@{host}"),
    ] {
        assert_eq!(webfinger(&app, &unknown).await.0, 404, "{unknown}");
    }

    let (status, all) = webfinger(&app, &format!("resource=acct:reviews@{host}")).await;
    assert_eq!(status, 200);
    assert_eq!(rels(&all).len(), 4);
    let (status, only_self) =
        webfinger(&app, &format!("resource=acct:reviews@{host}&rel=self")).await;
    assert_eq!(status, 200);
    assert_eq!(rels(&only_self), ["self"]);
    assert_eq!(only_self["subject"], all["subject"], "the subject stays");
    let (_, two) = webfinger(
        &app,
        &format!(
            "resource=acct:reviews@{host}&rel=self&rel=http%3A%2F%2Fwebfinger.net%2Frel%2Fprofile-page"
        ),
    )
    .await;
    assert_eq!(
        rels(&two),
        ["self", "http://webfinger.net/rel/profile-page"]
    );
    let (_, none) = webfinger(&app, &format!("resource=acct:reviews@{host}&rel=nothing")).await;
    assert_eq!(rels(&none).len(), 0);
    app.stop().await;
}
