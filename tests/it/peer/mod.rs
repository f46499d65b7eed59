//! A small fediverse peer for tests: one actor (`alice`) with a real key pair, inboxes that
//! record what arrives and answer what the test tells them, and signed sending.
mod documents;
mod handlers;
mod raw;
mod sending;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::http_signatures::generate_actor_keypair;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use reviewpub::db::federation::KeyRow;
use reviewpub::federation::actors::LocalActor;
use serde_json::{json, Value};
use url::Url;

use handlers::{actor_doc, inbox, object, webfinger};
pub use raw::RawSigned;

/// A request that reached the peer's inbox.
#[derive(Debug, Clone)]
pub struct Received {
    /// When it arrived.
    pub at: Instant,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Received {
    pub fn kind(&self) -> &str {
        self.body["type"].as_str().unwrap_or_default()
    }
}

#[derive(Clone, Default)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 202 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
    /// Requests being answered now, and the most at once since the last reset.
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    /// Inbox paths that answer this status to their first request only.
    first_answers: Arc<Mutex<std::collections::HashMap<String, u16>>>,
    actor: Arc<Mutex<Value>>,
    /// How long each inbox takes to answer.
    delay: Arc<Mutex<Duration>>,
    /// Objects served at `/objects/{name}`.
    objects: Arc<Mutex<std::collections::HashMap<String, Value>>>,
    base: Arc<Mutex<String>>,
}

pub struct Peer {
    pub base: String,
    pub actor_id: String,
    pub shared_inbox: String,
    shared: Shared,
    signer: Data<()>,
    /// Alice's key, for signatures built by hand (`post_signed_raw`).
    raw_signer: reviewpub::federation::signatures::Signer,
    client: reqwest::Client,
}

/// Signs requests as `me` (the crate's draft-cavage format, as reviewpub signs).
async fn signer_for(domain: impl Into<String>, me: &LocalActor) -> Data<()> {
    FederationConfig::builder()
        .domain(domain)
        .app_data(())
        .debug(true)
        // Signs `host` (and `date`), as Mastodon, Misskey, GoToSocial and Fedify do.
        .http_signature_compat(true)
        .signed_fetch_actor(me)
        .build()
        .await
        .expect("signer")
        .to_request_data()
}

fn raw_signer(me: &LocalActor) -> reviewpub::federation::signatures::Signer {
    reviewpub::federation::signatures::Signer::new(
        &me.id,
        &me.keys.private_key_pem,
        reviewpub::federation::signatures::SigningBackend::Rsa,
    )
    .expect("signer")
}

/// An HTTP date, as in `Date` headers.
pub fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Peer {
    pub async fn start() -> Self {
        reviewpub::federation::install_crypto_provider();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let base = format!("http://localhost:{port}");
        let actor_id = format!("{base}/users/alice");
        // Peers started in one test get different keys (a pool generated once per run).
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let keys = crate::helpers::test_key(2 + n % (crate::helpers::TEST_KEYS - 2));
        let shared = Shared::default();
        *lock(&shared.base) = base.clone();
        *lock(&shared.actor) = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": "alice",
            "name": "Alice <script>",
            "url": format!("{base}/@alice"),
            "icon": {"type": "Image", "url": format!("{base}/alice.png")},
            "inbox": format!("{actor_id}/inbox"),
            "endpoints": {"sharedInbox": format!("{base}/inbox")},
            "publicKey": {"id": format!("{actor_id}#main-key"), "owner": actor_id, "publicKeyPem": keys.public_key_pem},
        });
        let app = Router::new()
            .route("/users/alice", get(actor_doc))
            .route("/users/alice/inbox", post(inbox))
            .route("/inbox", post(inbox))
            .route("/inboxes/{n}", post(inbox))
            .route("/objects/{name}", get(object))
            .route("/.well-known/webfinger", get(webfinger))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let me = LocalActor {
            id: Url::parse(&actor_id).expect("url"),
            inbox: Url::parse(&format!("{actor_id}/inbox")).expect("url"),
            keys,
        };
        let signer = signer_for(format!("localhost:{port}"), &me).await;
        let raw_signer = raw_signer(&me);
        Self {
            shared_inbox: format!("{base}/inbox"),
            base,
            actor_id,
            shared,
            signer,
            raw_signer,
            client: reqwest::Client::new(),
        }
    }

    /// Answers the next deliveries with these statuses.
    /// Alice's account is deleted: her actor document answers `410 Gone` from now on.
    pub fn delete_account(&self) {
        *lock(&self.shared.actor) = serde_json::Value::Null;
    }

    pub fn answer(&self, statuses: &[u16]) {
        lock(&self.shared.script).extend(statuses.iter().copied());
    }

    /// Makes each of these inbox paths answer `status` to its first request only (scripted
    /// answers apply to the requests after it).
    pub fn answer_first(&self, paths: impl IntoIterator<Item = String>, status: u16) {
        lock(&self.shared.first_answers).extend(paths.into_iter().map(|p| (p, status)));
    }

    /// How many inbox requests are being answered now.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// The most inbox requests answered at once since the last call (which starts afresh).
    pub fn take_max_in_flight(&self) -> usize {
        self.shared
            .max_in_flight
            .swap(self.in_flight(), Ordering::SeqCst)
    }

    /// Makes every inbox answer only after `delay`.
    pub fn slow_down(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay;
    }

    /// Serves `doc` at `/objects/{name}` and returns its URL.
    pub fn serve_object(&self, name: &str, doc: Value) -> String {
        lock(&self.shared.objects).insert(name.to_string(), doc);
        format!("{}/objects/{name}", self.base)
    }

    /// A new key pair: the actor document shows the new key, and what alice signs from now on
    /// is signed with it (servers that cached the old key must fetch her again).
    pub async fn rotate_key(&mut self) {
        let pair = tokio::task::spawn_blocking(generate_actor_keypair)
            .await
            .expect("join")
            .expect("keys");
        let keys = KeyRow {
            public_key_pem: pair.public_key,
            private_key_pem: pair.private_key,
            created_at: chrono::Utc::now(),
        };
        lock(&self.shared.actor)["publicKey"]["publicKeyPem"] = json!(keys.public_key_pem);
        let id = Url::parse(&self.actor_id).expect("url");
        let me = LocalActor {
            inbox: id.clone(),
            id,
            keys,
        };
        self.signer = signer_for(self.base.trim_start_matches("http://").to_string(), &me).await;
        self.raw_signer = raw_signer(&me);
    }

    /// Changes alice's actor document (what servers fetch from now on).
    pub fn edit_actor(&self, edit: impl FnOnce(&mut Value)) {
        edit(&mut lock(&self.shared.actor));
    }

    /// Stops serving `/objects/{name}` (it answers 404, as for a deleted note).
    pub fn forget_object(&self, name: &str) {
        lock(&self.shared.objects).remove(name);
    }

    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// Waits (bounded) until `count` received requests satisfy `pred`.
    pub async fn wait_for(
        &self,
        what: &str,
        count: usize,
        pred: impl Fn(&Received) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let matching: Vec<Received> = self.received().into_iter().filter(|r| pred(r)).collect();
            if matching.len() >= count {
                return matching;
            }
            assert!(
                Instant::now() < deadline,
                "waited 20 s for {count} × {what}; got {:#?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Alice follows the blog of `app`, and waits until it accepted.
    pub async fn follow_blog(&self, app: &crate::helpers::TestApp) {
        let blog = app.url("/users/reviews");
        let follow = self.follow(&blog, "follow-blog");
        let status = self.post(&format!("{blog}/inbox"), &follow).await.status();
        assert_eq!(status.as_u16(), 202);
        self.wait_for("Accept", 1, |r| r.kind() == "Accept").await;
    }

    /// Alice replies in public to `in_reply_to` (a review or comment of `app`) with the note
    /// `/objects/{name}`, mentioning the blog; asserts the inbox took it (202).
    pub async fn reply(
        &self,
        app: &crate::helpers::TestApp,
        name: &str,
        in_reply_to: &str,
        html: &str,
    ) {
        let note = self.note(name, in_reply_to, html, true, &app.url("/users/reviews"));
        let create = self.activity("Create", &format!("create-{name}"), note);
        let status = self.post(&app.url("/inbox"), &create).await.status();
        assert_eq!(status.as_u16(), 202, "the reply {name} was taken");
    }

    /// An activity id on this peer.
    pub fn id(&self, name: &str) -> String {
        format!("{}/activities/{name}", self.base)
    }
}
