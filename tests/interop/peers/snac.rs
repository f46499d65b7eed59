//! snac2 on loopback: the server, its web forms and pages, and the tests against it (follows,
//! edits, deletions, unfollows; replies, reactions and the critic's answer).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::{eventually, followers, peers_dir, script};
use crate::helpers::{free_port, sample_review, shared_tmp, FetchJson, TestApp};

/// A running snac2 with one user, `critic` (more with [`Snac::add_user`]).
pub(super) struct Snac {
    data: PathBuf,
    port: u16,
    pub(super) actor: String,
    bin: PathBuf,
    _dir: tempfile::TempDir,
}

impl Snac {
    pub(super) fn start() -> Self {
        let bin = peers_dir().join("bin/snac");
        let dir = shared_tmp("reviewpub-snac-");
        let data = dir.path().join("snac");
        let port = free_port();
        let output = Command::new(script("snac-setup"))
            .arg(&data)
            .arg(port.to_string())
            .output()
            .expect("snac-setup runs");
        assert!(
            output.status.success(),
            "snac-setup failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let vars = String::from_utf8_lossy(&output.stdout).to_string();
        let actor = vars
            .lines()
            .find_map(|l| l.strip_prefix("SNAC_ACTOR="))
            .expect("SNAC_ACTOR")
            .to_string();
        Self {
            data,
            port,
            actor,
            bin,
            _dir: dir,
        }
    }

    /// Adds a user to the running server; its actor id.
    pub(super) fn add_user(&self, name: &str) -> String {
        let output = Command::new(script("snac-setup"))
            .arg(&self.data)
            .arg(self.port.to_string())
            .arg(name)
            .output()
            .expect("snac-setup runs");
        assert!(
            output.status.success(),
            "snac-setup {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        format!("http://localhost:{}/{name}", self.port)
    }

    /// `@user@localhost:port`.
    pub(super) fn handle(&self, name: &str) -> String {
        format!("@{name}@localhost:{}", self.port)
    }

    pub(super) fn cli(&self, args: &[&str]) {
        let output = Command::new(&self.bin)
            .arg(args[0])
            .arg(&self.data)
            .args(&args[1..])
            .output()
            .expect("snac runs");
        assert!(
            output.status.success(),
            "snac {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub(super) fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("httpd.log")).unwrap_or_default()
    }

    /// The object snac stored under this id (`object/<md5[0:2]>/<md5>.json`).
    pub(super) fn object(&self, id: &str) -> Option<Value> {
        let output = Command::new("md5sum")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(id.as_bytes())?;
                child.wait_with_output()
            });
        let hash = String::from_utf8_lossy(&output.expect("md5sum").stdout)
            .chars()
            .take(32)
            .collect::<String>();
        let path = self
            .data
            .join("object")
            .join(&hash[..2])
            .join(format!("{hash}.json"));
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    }
}

impl Drop for Snac {
    fn drop(&mut self) {
        let _ = Command::new(script("snac-setup"))
            .arg("--stop")
            .arg(&self.data)
            .output();
    }
}

// The peers' commands block while they talk to the in-process server: several threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snac_follows_receives_edits_deletions_and_unfollows() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("federation.retry_base_seconds", 1))
            .merge(("comments.moderation", "open"))
    })
    .await;
    let snac = Snac::start();
    let actor = app.url("/users/reviews");
    let host = app.base.trim_start_matches("http://").to_string();

    // 1. snac follows the blog by its handle; the Accept reaches it.
    snac.cli(&["follow", "critic", &format!("@reviews@{host}")]);
    eventually("snac to confirm the follow", 30, || {
        snac.log()
            .contains(&format!("confirmed follow from {actor}"))
            .then_some(())
    })
    .await;
    let list = followers(&app).await;
    assert_eq!(list["items"][0]["actor"], snac.actor);
    assert_eq!(list["items"][0]["status"], "accepted");

    // 3. A published review lands in snac's store as an Article.
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();
    let stored = {
        let snac = &snac;
        let ap_id = ap_id.clone();
        eventually("the Article in snac's store", 30, move || {
            snac.object(&ap_id)
        })
        .await
    };
    assert_eq!(stored["type"], "Article");
    assert_eq!(stored["name"], "Heat (1995)");
    assert_eq!(stored["attributedTo"], actor);
    assert!(snac
        .log()
        .contains(&format!("new 'Article' {actor} {ap_id}")));

    // 4. An edit arrives as an Update; snac's copy changes.
    crate::helpers::edits_count_for(&review).await;
    let id = review["id"].as_str().expect("id");
    app.api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"title": "Heat (1995), revisited"}))
        .send()
        .await
        .expect("PATCH");
    {
        let snac = &snac;
        let ap_id = ap_id.clone();
        eventually("snac's copy to change", 30, move || {
            snac.object(&ap_id)
                .filter(|o| o["name"] == "Heat (1995), revisited" && o["updated"].is_string())
        })
        .await;
    }

    // A reply from snac (its note form with in_reply_to) becomes a comment.
    snac_form(
        &snac,
        "note",
        &[("content", "A reply from snac"), ("in_reply_to", &ap_id)],
    )
    .await;
    wait_page(&app, &review, "snac's reply", |h| {
        h.contains("A reply from snac")
    })
    .await;

    // Back to draft: snac drops its copy. Published again: it comes under a new id, which
    // snac stores (a server that kept a tombstone for the first id would refuse that one).
    app.api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "draft"}))
        .send()
        .await
        .expect("PATCH");
    {
        let snac = &snac;
        let ap_id = ap_id.clone();
        eventually("snac to drop the withdrawn Article", 30, move || {
            snac.object(&ap_id).is_none().then_some(())
        })
        .await;
    }
    let again: Value = app
        .api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "published"}))
        .send()
        .await
        .expect("PATCH")
        .json()
        .await
        .expect("JSON");
    let first_id = ap_id;
    let ap_id = again["ap_id"].as_str().expect("ap_id").to_string();
    assert_eq!(ap_id, format!("{first_id}/v1"));
    {
        let snac = &snac;
        let ap_id = ap_id.clone();
        let stored = eventually("the Article again in snac's store", 30, move || {
            snac.object(&ap_id)
        })
        .await;
        assert_eq!(stored["name"], "Heat (1995), revisited");
        assert_eq!(stored["url"], review["url"]);
    }

    // Hidden instead: no Delete, snac keeps its copy; back, it is an Update of the same id.
    let hidden = app
        .api(Method::POST, &format!("/reviews/{id}/hide"))
        .send()
        .await
        .expect("POST");
    assert_eq!(hidden.status().as_u16(), 200);
    crate::helpers::deliveries_idle(&app.pool).await;
    assert!(
        snac.object(&ap_id).is_some(),
        "snac keeps the hidden review"
    );
    app.api(Method::PATCH, &format!("/reviews/{id}"))
        .json(&json!({"status": "published", "title": "Heat (1995), back"}))
        .send()
        .await
        .expect("PATCH");
    {
        let snac = &snac;
        let ap_id = ap_id.clone();
        eventually("snac's copy to be updated in place", 30, move || {
            snac.object(&ap_id)
                .filter(|o| o["name"] == "Heat (1995), back")
        })
        .await;
    }

    // 4. Deleted: snac drops its copy.
    app.api(Method::DELETE, &format!("/reviews/{id}"))
        .send()
        .await
        .expect("DELETE");
    {
        let snac = &snac;
        let ap_id = ap_id.clone();
        eventually("snac to drop the Article", 30, move || {
            snac.object(&ap_id).is_none().then_some(())
        })
        .await;
    }
    assert!(snac
        .log()
        .contains(&format!("new 'Delete' {actor} {ap_id}")));

    // 5. snac unfollows: the follower is gone and nothing more is sent to it.
    snac.cli(&["unfollow", "critic", &actor]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while followers(&app).await["total"] != 0 {
        assert!(
            Instant::now() < deadline,
            "snac's unfollow did not remove the follower"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after = app.create_review(sample_review("After Unfollow")).await;
    crate::helpers::deliveries_idle(&app.pool).await;
    assert!(snac
        .object(after["ap_id"].as_str().expect("ap_id"))
        .is_none());
    assert!(
        !snac.log().contains("bad signature"),
        "snac rejected a signature: {}",
        snac.log()
    );
    app.stop().await;
}

/// snac's web form, as its user `critic` (answers 303 on success).
async fn snac_form(snac: &Snac, path: &str, form: &[(&str, &str)]) {
    let password = std::fs::read_to_string(snac.data.join("critic.password"))
        .expect("password")
        .trim()
        .to_string();
    let base = snac.actor.trim_end_matches("/critic").to_string();
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{base}/critic/admin/{path}"))
        .basic_auth("critic", Some(&password))
        .form(form)
        .send()
        .await
        .expect("snac form");
    assert!(
        response.status().is_redirection() || response.status().is_success(),
        "snac {path}: {}",
        response.status()
    );
}

async fn page_text(app: &TestApp, review: &Value) -> String {
    app.get_text(&format!(
        "/reviews/{}",
        review["slug"].as_str().expect("slug")
    ))
    .await
    .1
}

async fn wait_page(
    app: &TestApp,
    review: &Value,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let html = page_text(app, review).await;
        if pred(&html) {
            return html;
        }
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snac_replies_edits_reacts_and_gets_the_critics_answer() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("federation.retry_base_seconds", 1))
            .merge(("comments.moderation", "open"))
    })
    .await;
    let snac = Snac::start();
    let review = app.create_review(sample_review("Thief (1981)")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id").to_string();

    // A reply from snac's note form becomes a comment on the page and in `replies`.
    snac_form(
        &snac,
        "note",
        &[("content", "Caan is great here"), ("in_reply_to", &ap_id)],
    )
    .await;
    wait_page(&app, &review, "snac's reply", |h| {
        h.contains("Caan is great here")
    })
    .await;
    let comments: Value = app
        .api(Method::GET, "/comments?status=published")
        .fetch_json()
        .await;
    let theirs = comments["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["author_actor"] == snac.actor)
        .expect("snac's comment")
        .clone();
    let note_id = theirs["ap_id"].as_str().expect("ap_id").to_string();

    // snac edits it: the page shows the new text, marked edited.
    snac_form(
        &snac,
        "note",
        &[
            ("content", "Caan is superb here"),
            ("in_reply_to", &ap_id),
            ("edit_id", &note_id),
        ],
    )
    .await;
    let html = wait_page(&app, &review, "snac's edit", |h| {
        h.contains("Caan is superb here")
    })
    .await;
    assert!(html.contains("class=\"edited\""));

    // snac likes and boosts the review: the counts move.
    snac_form(
        &snac,
        "action",
        &[
            ("action", "Like"),
            ("id", &ap_id),
            ("actor", &app.url("/users/reviews")),
        ],
    )
    .await;
    snac.cli(&["boost", "critic", &ap_id]);
    wait_page(&app, &review, "the like and the boost", |h| {
        h.contains("♥ 1 like") && h.contains("↻ 1 boost")
    })
    .await;

    // The critic answers: the Note reaches snac's store.
    let id = review["id"].as_str().expect("id");
    let answer: Value = app
        .api(Method::POST, &format!("/reviews/{id}/comments"))
        .json(&json!({"in_reply_to": theirs["id"], "body": "Thanks, critic here."}))
        .fetch_json()
        .await;
    let answer_id = answer["ap_id"].as_str().expect("ap_id").to_string();
    let stored = {
        let snac = &snac;
        eventually("the critic's answer in snac's store", 30, move || {
            snac.object(&answer_id)
        })
        .await
    };
    assert_eq!(stored["inReplyTo"], note_id);
    assert!(stored["content"]
        .as_str()
        .expect("content")
        .contains("Thanks, critic here."));

    // snac deletes its reply. snac sends its Delete to its followers only, which the blog is
    // not; a thread refresh finds the note gone (404) and removes it, keeping its place since
    // it has an answer.
    snac_form(&snac, "action", &[("action", "Delete"), ("id", &note_id)]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let refreshed: Value = app
            .api(Method::POST, &format!("/reviews/{id}/comments/refresh"))
            .fetch_json()
            .await;
        if refreshed["removed"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "snac's deleted note never went: {refreshed}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let html = page_text(&app, &review).await;
    assert!(!html.contains("Caan is superb here"));
    assert!(html.contains("This comment was deleted."));
    assert!(!snac.log().contains("bad signature"), "{}", snac.log());
    app.stop().await;
}
