//! Being told: the notification feed at its secret address, and e-mail through a real SMTP
//! server on loopback (`mailin-embedded`, in this process).

mod daily;
mod feed;
mod immediate;
mod secrets;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use figment::Figment;
use mailin_embedded::{response, Handler, Response, Server};
use serde_json::json;

use crate::helpers::{eventually, TestApp};
use crate::peer::Peer;

/// An SMTP server that keeps every message it is given.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    mails: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone)]
struct Keeper {
    mails: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
}

impl Handler for Keeper {
    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = decode_quoted_printable(&self.current);
        self.mails.lock().unwrap().push(mail);
        response::OK
    }
}

/// The message with its quoted-printable parts decoded (soft line breaks joined).
fn decode_quoted_printable(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Sink {
    /// A sink on a port of its own.
    pub fn start() -> Self {
        Self::on(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"))
    }

    /// A sink on `port` (where nothing listened until now).
    pub fn start_on(port: u16) -> Self {
        Self::on(std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind"))
    }

    fn on(listener: std::net::TcpListener) -> Self {
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Keeper {
            mails: mails.clone(),
            current: Vec::new(),
        });
        server.with_name("sink.test").with_tcp_listener(listener);
        // It serves until the test binary exits.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, mails }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<String> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until `n` mails arrived; all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        eventually(
            &format!("{n} e-mails at the sink"),
            Duration::from_secs(30),
            || async {
                let mails = self.mails();
                if mails.len() >= n {
                    Ok(mails)
                } else {
                    Err(format!("{} so far", mails.len()))
                }
            },
        )
        .await
    }
}

/// The settings for mailing to `smtp_url`, with `digest`.
pub fn mailing(figment: Figment, smtp_url: &str, digest: &str) -> Figment {
    figment
        .merge(("notifications.digest", digest))
        .merge(("notifications.email_to", "Critic <critic@example.test>"))
        .merge(("notifications.email_from", "Blog <blog@example.test>"))
        .merge(("notifications.smtp_url", smtp_url))
        .merge(("notifications.debounce_seconds", 0))
        .merge(("notifications.retry_seconds", 1))
        .merge(("federation.manually_approves_followers", true))
}

/// The question alice asks in a held reply (its markup is text, escaped wherever shown).
pub const QUESTION: &str = "<p>Is the diner scene &lt;b&gt;the best&lt;/b&gt; one?</p>";

/// A review, and a held reply to it from a new peer (alice), who is returned.
pub async fn a_held_question(app: &TestApp) -> Peer {
    let review = app
        .create_review(crate::helpers::sample_review("Heat (1995)"))
        .await;
    let alice = Peer::start().await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    held_reply(app, &alice, ap_id, "reply-1", QUESTION).await;
    alice
}

/// A desk page's HTML (`GET`).
pub async fn desk_page(client: &reqwest::Client, url: String) -> String {
    let response = client.get(url).send().await.expect("GET");
    response.text().await.expect("page")
}

/// A desk form with only the CSRF token sent (`POST`); the page answered.
pub async fn desk_post(client: &reqwest::Client, url: String, csrf: &str) -> String {
    let response = client
        .post(url)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .expect("POST");
    response.text().await.expect("page")
}

/// The peer replies to the review `ap_id` (held: a first comment); asserts 202.
pub async fn held_reply(app: &TestApp, peer: &Peer, ap_id: &str, name: &str, html: &str) {
    let note = peer.note(name, ap_id, html, true, &app.url("/users/reviews"));
    let create = peer.activity("Create", &format!("create-{name}"), note);
    let status = peer.post(&app.url("/inbox"), &create).await.status();
    assert_eq!(status.as_u16(), 202);
}

/// The peer asks to follow the blog (held: manual approval); asserts 202.
pub async fn follow_request(app: &TestApp, peer: &Peer) {
    let blog = app.url("/users/reviews");
    let follow = peer.follow(&blog, "follow-1");
    let status = peer.post(&format!("{blog}/inbox"), &follow).await.status();
    assert_eq!(status.as_u16(), 202);
}

/// The peer reports the blog (`Flag`); asserts 202.
pub async fn report(app: &TestApp, peer: &Peer, text: &str) {
    let flag = json!({"id": peer.id("flag"), "type": "Flag", "actor": peer.actor_id,
        "content": text, "object": [app.url("/users/reviews")]});
    let status = peer.post(&app.url("/inbox"), &flag).await.status();
    assert_eq!(status.as_u16(), 202);
}

/// One e-mail round run here as of `now` (waiting while another round holds the state).
pub async fn round_at(
    app: &TestApp,
    now: chrono::DateTime<chrono::Utc>,
) -> reviewpub::notifications::Outcome {
    let urls = reviewpub::urls::Urls::new(app.settings());
    eventually("a round of our own", Duration::from_secs(20), || async {
        match reviewpub::notifications::round(&app.pool, app.settings(), &urls, now).await {
            Ok(reviewpub::notifications::Outcome::Busy) => Err("busy".to_string()),
            Ok(outcome) => Ok(outcome),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

/// How many of `mails` name `text`.
pub fn naming(mails: &[String], text: &str) -> usize {
    mails.iter().filter(|m| m.contains(text)).count()
}
