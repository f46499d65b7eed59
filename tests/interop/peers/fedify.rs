//! The Fedify peer on loopback and the test against it: lookups, follows and verified
//! deliveries.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::Method;
use serde_json::{json, Value};

use super::{eventually, followers, peers_dir, script};
use crate::helpers::{free_port, sample_review, shared_tmp, FetchJson, TestApp};

/// The Fedify peer (`scripts/peers/fedify-peer.mjs`).
struct Fedify {
    node: PathBuf,
    port: u16,
    state: PathBuf,
    server: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Fedify {
    fn new() -> Self {
        let node = peers_dir().join("bin/node");
        let dir = shared_tmp("reviewpub-fedify-");
        Self {
            node,
            port: free_port(),
            state: dir.path().join("state"),
            server: None,
            _dir: dir,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.node);
        command
            .arg(script("fedify-peer.mjs"))
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--state")
            .arg(&self.state);
        command
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let output = self.command().args(args).output().expect("node runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    }

    async fn serve(&mut self) {
        std::fs::create_dir_all(&self.state).expect("state dir");
        let log = std::fs::File::create(self.state.join("serve.log")).expect("serve log");
        let child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("serve");
        self.server = Some(child);
        let url = format!("http://127.0.0.1:{}/users/peer", self.port);
        eventually("the Fedify peer to listen", 30, || {
            std::net::TcpStream::connect(("127.0.0.1", self.port))
                .ok()
                .map(|_| ())
        })
        .await;
        let _ = url;
    }

    fn actor(&self) -> String {
        format!("http://localhost:{}/users/peer", self.port)
    }

    /// What the server said of each request: `HTTP-IN <METHOD> <path> sig=<kind> -> <status>`
    /// (202 on an inbox only once Fedify verified the signature).
    fn serve_log(&self) -> String {
        std::fs::read_to_string(self.state.join("serve.log")).unwrap_or_default()
    }

    fn inbox_log(&self) -> String {
        std::fs::read_to_string(self.state.join("inbox.log")).unwrap_or_default()
    }
}

impl Drop for Fedify {
    fn drop(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn lookup(fedify: &Fedify, url: &str) -> Value {
    let (ok, out, err) = fedify.run(&["lookup", url]);
    assert!(ok, "Fedify lookup of {url} failed: {err}");
    serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("lookup output is not JSON ({e}): {out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fedify_looks_up_follows_and_verifies_deliveries() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("federation.retry_base_seconds", 1))
            .merge(("comments.moderation", "open"))
    })
    .await;
    let mut fedify = Fedify::new();
    let actor = app.url("/users/reviews");
    let first = app.create_review(sample_review("Alien (1979)")).await;

    // Signed lookups: strict JSON-LD finds the Person's key and reads the Article.
    let person = lookup(&fedify, &actor);
    assert_eq!(person["type"], "Person");
    assert_eq!(
        person["publicKeyFound"], true,
        "Fedify must find publicKey (security/v1 in @context)"
    );
    let article = lookup(&fedify, first["ap_id"].as_str().expect("ap_id"));
    assert_eq!(article["type"], "Article");
    assert_eq!(article["jsonld"]["attributedTo"], actor);

    // A follow from Fedify is accepted, and Fedify verifies the Accept's signature.
    fedify.serve().await;
    let (ok, out, err) = fedify.run(&["--wait", "30", "follow", &actor]);
    assert!(
        ok,
        "Fedify did not get a verified Accept: {out} {err}\n{}",
        fedify.inbox_log()
    );
    let list = followers(&app).await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|f| f["actor"] == fedify.actor()),
        "{list}"
    );

    // The next review's Create passes Fedify's signature verification.
    let second = app.create_review(sample_review("Aliens (1986)")).await;
    let ap_id = second["ap_id"].as_str().expect("ap_id").to_string();
    eventually("a verified Create at Fedify", 30, || {
        fedify
            .inbox_log()
            .lines()
            .any(|l| l.starts_with(&format!("RECV Create {ap_id} ")))
            .then_some(())
    })
    .await;
    assert!(
        !fedify.inbox_log().contains("REJECT"),
        "Fedify rejected something: {}",
        fedify.inbox_log()
    );
    // Our deliveries reach Fedify signed the RFC 9421 way, and Fedify verifies them.
    assert!(
        fedify
            .serve_log()
            .lines()
            .any(|l| l.starts_with("HTTP-IN POST") && l.ends_with("sig=rfc9421 -> 202")),
        "no RFC 9421 delivery verified by Fedify: {}",
        fedify.serve_log()
    );

    // Fedify signs with RFC 9421 first: the inbox takes it at the first knock (it used to
    // answer 401 and have Fedify fall back to draft-cavage).
    let (ok, out, err) = fedify.run(&["reply", &ap_id, "A reply signed by Fedify"]);
    assert!(ok, "{out} {err}");
    assert!(
        err.contains("POST") && err.contains("sig=rfc9421 -> 202") && !err.contains("-> 401"),
        "Fedify's RFC 9421 signature was not accepted at once: {err}"
    );
    let (_, html) = app
        .get_text(&format!(
            "/reviews/{}",
            second["slug"].as_str().expect("slug")
        ))
        .await;
    assert!(
        html.contains("A reply signed by Fedify"),
        "the reply is not on the page"
    );

    // The critic answers; Fedify replies to that answer: the thread nests three deep.
    let comments: Value = app
        .api(Method::GET, "/comments?status=published")
        .fetch_json()
        .await;
    let fedify_comment = comments["items"][0]["id"].as_str().expect("id").to_string();
    let answer: Value = app
        .api(
            Method::POST,
            &format!("/reviews/{}/comments", second["id"].as_str().expect("id")),
        )
        .json(&json!({"in_reply_to": fedify_comment, "body": "The critic answers Fedify."}))
        .fetch_json()
        .await;
    let (ok, out, err) = fedify.run(&[
        "reply",
        answer["ap_id"].as_str().expect("ap_id"),
        "Fedify answers the critic",
    ]);
    assert!(ok, "{out} {err}");
    let (_, html) = app
        .get_text(&format!(
            "/reviews/{}",
            second["slug"].as_str().expect("slug")
        ))
        .await;
    let doc = scraper::Html::parse_document(&html);
    let selector =
        scraper::Selector::parse("#comments > ol > li > ol > li > ol > li .comment-body")
            .expect("selector");
    let deepest: Vec<String> = doc
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(deepest, vec!["Fedify answers the critic"]);
    app.stop().await;
}
