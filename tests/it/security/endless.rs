//! Remote servers that never stop answering: a WebFinger answer and a delivery's answer are
//! cut short.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{eventually, interact_url};
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

/// A server that answers every request with a body that never ends, and says how much of it
/// went out and whether the reader hung up.
struct Endless {
    base: String,
    sent: Arc<AtomicU64>,
    dropped: Arc<AtomicBool>,
}

struct HangUp(Arc<AtomicBool>);

impl Drop for HangUp {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Endless {
    async fn start(status: u16, content_type: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let sent = Arc::new(AtomicU64::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let (s, d) = (sent.clone(), dropped.clone());
        let code = axum::http::StatusCode::from_u16(status).expect("status");
        let app = axum::Router::new().fallback(move || {
            let (sent, dropped) = (s.clone(), d.clone());
            async move {
                let guard = HangUp(dropped);
                let chunk = bytes::Bytes::from(vec![b'['; 64 * 1024]);
                let stream = futures_util::stream::unfold(guard, move |guard| {
                    let chunk = chunk.clone();
                    let sent = sent.clone();
                    async move {
                        sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                        Some((Ok::<_, std::io::Error>(chunk), guard))
                    }
                });
                (
                    code,
                    [("content-type", content_type)],
                    axum::body::Body::from_stream(stream),
                )
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: format!("http://localhost:{port}"),
            sent,
            dropped,
        }
    }

    /// Waits until the reader hung up; returns how many bytes had gone out by then.
    async fn wait_hung_up(&self) -> u64 {
        let dropped = self.dropped.clone();
        eventually(Duration::from_secs(30), "the reader to hang up", || {
            let dropped = dropped.clone();
            async move { dropped.load(Ordering::SeqCst) }
        })
        .await;
        self.sent.load(Ordering::SeqCst)
    }
}

/// At most this much of an endless body goes out before reviewpub hangs up (what it reads,
/// plus what the kernel's socket buffers and the sending server hold).
const HANG_UP_WITHIN: u64 = 16 * 1024 * 1024;

/// `/interact` pointed at a server whose WebFinger answer never ends used to read it all
/// (1.2 GiB of memory for one anonymous request); now it reads at most 64 KiB and answers 502.
#[tokio::test]
async fn an_endless_webfinger_answer_is_cut_short() {
    let app = TestApp::spawn().await;
    let review = app.create_review(sample_review("Endless")).await;
    let evil = Endless::start(200, "application/jrd+json").await;
    let host = evil.base.trim_start_matches("http://");
    let started = Instant::now();
    let response = app
        .client
        .get(interact_url(
            &app,
            review["ap_id"].as_str().expect("ap_id"),
            &format!("a@{host}"),
        ))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 502);
    let sent = evil.wait_hung_up().await;
    assert!(
        sent < HANG_UP_WITHIN,
        "{sent} bytes went out before the hang-up"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered without waiting for the end"
    );
    app.stop().await;
}

/// A follower whose inbox answers with an endless body: the `Accept` is delivered (its status
/// is all that counts) and only the start of the answer is read (it took the process to
/// 2.5 GiB).
#[tokio::test]
async fn an_endless_answer_to_a_delivery_is_cut_short() {
    let app = TestApp::spawn().await;
    let alice = Peer::start().await;
    let evil = Endless::start(202, "text/plain").await;
    alice.edit_actor(|actor| {
        actor["inbox"] = json!(format!("{}/inbox", evil.base));
        actor["endpoints"] = json!({});
    });
    let follow = alice.follow(&app.url("/users/reviews"), "endless");
    assert_eq!(
        alice
            .post(&app.url("/inbox"), &follow)
            .await
            .status()
            .as_u16(),
        202
    );
    let sent = evil.wait_hung_up().await;
    assert!(
        sent < HANG_UP_WITHIN,
        "{sent} bytes went out before the hang-up"
    );
    let pool = app.pool.clone();
    eventually(
        Duration::from_secs(30),
        "the Accept to be recorded as delivered",
        || {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, String>("SELECT status FROM deliveries")
                    .fetch_optional(&pool)
                    .await
                    .ok()
                    .flatten()
                    .as_deref()
                    == Some("delivered")
            }
        },
    )
    .await;
    app.stop().await;
}
