//! Blocklists from elsewhere (issue 12, point 5): a Mastodon domain-block CSV imported through
//! the API or the CLI; suspends refuse a server, silences hold its comments; re-importing
//! updates.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{sample_review, shared_tmp, FetchJson, TestApp};
use crate::peer::Peer;

async fn import(app: &TestApp, csv: String) -> Value {
    let (status, body) = import_status(app, csv).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn import_status(app: &TestApp, csv: String) -> (u16, Value) {
    let response = app
        .api(Method::POST, "/blocks/import")
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn stored_blocks(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM blocks")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

fn host(peer: &Peer) -> String {
    peer.base.trim_start_matches("http://").to_string()
}

async fn reply(app: &TestApp, peer: &Peer, review: &Value, name: &str) -> (u16, Option<String>) {
    let note = peer.note(
        name,
        review["ap_id"].as_str().expect("ap_id"),
        "<p>hello</p>",
        true,
        &app.url("/users/reviews"),
    );
    let create = peer.activity("Create", &format!("c-{name}"), note);
    let status = peer
        .post(&app.url("/inbox"), &create)
        .await
        .status()
        .as_u16();
    let stored = sqlx::query_scalar("SELECT status FROM comments WHERE ap_id = $1")
        .bind(format!("{}/objects/{name}", peer.base))
        .fetch_optional(&app.pool)
        .await
        .expect("query");
    (status, stored)
}

/// An app that publishes comments at once and does not limit the inbox.
async fn open_app() -> TestApp {
    TestApp::spawn_with(|f| {
        f.merge(("comments.moderation", "open"))
            .merge(("limits.inbox_per_minute", 0))
    })
    .await
}

#[tokio::test]
async fn suspends_refuse_silences_hold_and_importing_again_updates() {
    let app = open_app().await;
    let loud = Peer::start().await;
    let spam = Peer::start().await;
    let review = app.create_review(sample_review("Moderated")).await;
    let csv = format!(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         {},suspend,true,true,Spam,false\n\
         {},silence,false,false,,false\n\
         fine.example,noop,false,false,,false\n\
         not a domain,suspend,false,false,,false\n",
        host(&spam),
        host(&loud)
    );
    let report = import(&app, csv.clone()).await;
    assert_eq!(
        (&report["added"], &report["updated"], &report["skipped"]),
        (&Value::from(2), &Value::from(0), &Value::from(1))
    );
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));

    assert_eq!(reply(&app, &spam, &review, "s1").await, (403, None));
    assert_eq!(
        reply(&app, &loud, &review, "l1").await,
        (202, Some("pending".into())),
        "a silenced server's comments wait"
    );

    // Again, with the silence turned into a suspend: updated, nothing added.
    let harder = csv.replace("silence", "suspend");
    let report = import(&app, harder).await;
    assert_eq!(
        (&report["added"], &report["updated"]),
        (&Value::from(0), &Value::from(2))
    );
    assert_eq!(reply(&app, &loud, &review, "l2").await, (403, None));
    let blocks = blocks_listed(&app).await;
    assert_eq!(
        blocks
            .as_array()
            .map(Vec::len)
            .or(blocks["items"].as_array().map(Vec::len)),
        Some(2)
    );
    app.stop().await;
}

/// `reviewpub blocks import` of a file holding `csv`.
fn cli_import(app: &TestApp, csv: &str) -> std::process::Output {
    let dir = shared_tmp("reviewpub-blocklist-");
    let file = dir.path().join("blocks.csv");
    std::fs::write(&file, csv).expect("write");
    std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"))
        .args(["blocks", "import", file.to_str().expect("path")])
        .env("DATABASE_URL", app.database_url())
        .env("REVIEWPUB_PUBLIC_URL", &app.base)
        .output()
        .expect("runs")
}

#[tokio::test]
async fn the_command_line_imports_the_same_file() {
    let app = TestApp::spawn().await;
    let output = cli_import(
        &app,
        "#domain,#severity\nspam.example,suspend\nloud.example,silence\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("2 added, 0 updated"), "{stdout}");
    let severities: Vec<(String, String)> =
        sqlx::query_as("SELECT value, severity FROM blocks ORDER BY value")
            .fetch_all(&app.pool)
            .await
            .expect("blocks");
    assert_eq!(
        severities,
        [
            ("loud.example".to_string(), "silence".to_string()),
            ("spam.example".to_string(), "suspend".to_string())
        ]
    );
    app.stop().await;
}

async fn blocks_listed(app: &TestApp) -> Value {
    app.api(Method::GET, "/blocks").fetch_json().await
}

#[tokio::test]
async fn a_block_by_hand_suspends_a_silenced_server_and_no_list_softens_it() {
    let app = open_app().await;
    let loud = Peer::start().await;
    let review = app.create_review(sample_review("Blocked by hand")).await;
    let csv = format!("#domain,#severity\n{},silence\n", host(&loud));
    import(&app, csv.clone()).await;
    assert_eq!(blocks_listed(&app).await[0]["severity"], "silence");

    // The critic blocks the silenced server by hand: it is suspended, and refused.
    let response = app
        .api(Method::POST, "/blocks")
        .json(&serde_json::json!({ "domain": host(&loud) }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 201);
    let made: Value = response.json().await.expect("JSON");
    assert_eq!(made["severity"], "suspend", "{made}");
    assert_eq!(reply(&app, &loud, &review, "b1").await, (403, None));

    // Importing the list again keeps the suspend, and says so.
    let report = import(&app, csv).await;
    assert_eq!(
        report["kept_suspended"],
        serde_json::json!([host(&loud)]),
        "{report}"
    );
    assert_eq!(
        (&report["added"], &report["updated"]),
        (&Value::from(0), &Value::from(0))
    );
    let listed = blocks_listed(&app).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["severity"], "suspend", "{listed}");
    assert_eq!(reply(&app, &loud, &review, "b2").await, (403, None));

    // The OpenAPI description shows the severity.
    let openapi = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .fetch_json()
        .await;
    assert!(
        openapi["components"]["schemas"]["BlockView"]["properties"]["severity"].is_object(),
        "{}",
        openapi["components"]["schemas"]["BlockView"]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_list_naming_no_server_or_over_the_limits_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    // No header and no row that names a server: 422, naming the problem.
    let (status, body) = import_status(&app, "<html>Not found</html>\n".into()).await;
    assert_eq!(status, 422, "{body}");
    let why = body["details"]["file"].as_str().unwrap_or_default();
    assert!(why.contains("no row names a server"), "{body}");
    let (status, body) = import_status(&app, String::new()).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) =
        import_status(&app, "#host,#severity\nspam.example,suspend\n".into()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["details"]["file"]
            .as_str()
            .unwrap_or_default()
            .contains("domain column"),
        "{body}"
    );

    // One row more than 100,000: refused whole, saying the limit (none of the first rows kept).
    let rows: String = (0..=100_000).map(|i| format!("a{i}.io\n")).collect();
    let (status, body) = import_status(&app, rows).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["details"]["file"]
            .as_str()
            .unwrap_or_default()
            .contains("100000 rows"),
        "{body}"
    );

    // Over 1 MiB: 413.
    let big = format!(
        "#domain,#severity\nspam.example,suspend,\"{}\"\n",
        "a".repeat(1024 * 1024)
    );
    let (status, _) = import_status(&app, big.clone()).await;
    assert_eq!(status, 413);
    assert_eq!(stored_blocks(&app).await, 0);

    // The command line has the same limit, and reads no further than it.
    let output = cli_import(&app, &big);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("larger than 1 MiB"), "{stderr}");
    assert_eq!(stored_blocks(&app).await, 0);
    app.stop().await;
}
