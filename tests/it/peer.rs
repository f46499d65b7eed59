//! A small fediverse peer for tests: one actor (`alice`) with a real key pair, inboxes that
//! record what arrives and answer what the test tells them, and signed sending.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::http_signatures::generate_actor_keypair;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use reviewpub::db::federation::KeyRow;
use reviewpub::federation::actors::LocalActor;
use serde_json::{json, Value};
use url::Url;

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

/// A request signed by hand: what is signed and what is sent can differ.
pub struct RawSigned<'a> {
    pub method: &'a str,
    /// Path and query, as in `(request-target)`.
    pub target: &'a str,
    /// The headers sent, which are also the ones signed unless `signed` overrides them.
    pub headers: Vec<(&'a str, String)>,
    /// Header name → value put into the signing string instead of the sent one.
    pub signed: Vec<(&'a str, String)>,
    /// The components listed in `headers="…"`.
    pub components: &'a str,
    /// Extra parameters appended to the Signature header verbatim (`,created=…`).
    pub extra: &'a str,
    pub body: Option<String>,
    /// Another `keyId` than alice's.
    pub key_id: Option<String>,
}

impl<'a> RawSigned<'a> {
    /// A POST of `body` to `path` on `host`, signed as Mastodon signs (`(request-target) host
    /// date digest`), dated now.
    pub fn post(host: &str, path: &'a str, body: &serde_json::Value) -> Self {
        Self {
            method: "POST",
            target: path,
            headers: vec![
                ("host", host.to_string()),
                ("date", http_date(chrono::Utc::now())),
                ("content-type", "application/activity+json".to_string()),
            ],
            signed: Vec::new(),
            components: "(request-target) host date digest",
            extra: "",
            body: Some(body.to_string()),
            key_id: None,
        }
    }

    /// A GET of `path` on `host` asking for ActivityPub JSON, signed `(request-target) host
    /// date`, dated now.
    pub fn get(host: &str, path: &'a str) -> Self {
        Self {
            method: "GET",
            target: path,
            headers: vec![
                ("host", host.to_string()),
                ("date", http_date(chrono::Utc::now())),
                ("accept", "application/activity+json".to_string()),
            ],
            signed: Vec::new(),
            components: "(request-target) host date",
            extra: "",
            body: None,
            key_id: None,
        }
    }

    /// Replaces a header's value (sent and signed).
    pub fn with(mut self, name: &'a str, value: String) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
        self
    }
}

/// An HTTP date, as in `Date` headers.
pub fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn actor_doc(State(shared): State<Shared>) -> impl IntoResponse {
    let doc = lock(&shared.actor).clone();
    (
        [("content-type", "application/activity+json")],
        doc.to_string(),
    )
}

async fn object(
    State(shared): State<Shared>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> axum::response::Response {
    match lock(&shared.objects).get(&name) {
        Some(doc) => (
            [("content-type", "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn webfinger(State(shared): State<Shared>) -> axum::response::Response {
    let base = lock(&shared.base).clone();
    let doc = json!({
        "subject": format!("acct:alice@{}", base.trim_start_matches("http://")),
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": format!("{base}/users/alice")},
            {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": format!("{base}/authorize_interaction?uri={{uri}}")},
        ],
    });
    ([("content-type", "application/jrd+json")], doc.to_string()).into_response()
}

async fn inbox(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let _ = method;
    let at = Instant::now();
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    lock(&shared.received).push(Received {
        at,
        path: uri.path().to_string(),
        headers,
        body,
    });
    let first = lock(&shared.first_answers).remove(uri.path());
    let status = first.unwrap_or_else(|| lock(&shared.script).pop_front().unwrap_or(202));
    StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED)
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

    /// A GET signed by alice (as Mastodon's secure mode requires).
    pub async fn get_signed(&self, url: &str, accept: &str) -> reqwest::Response {
        self.get_signed_by(&self.signer, url, accept).await
    }

    async fn get_signed_by(&self, signer: &Data<()>, url: &str, accept: &str) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .get(url)
            .header("accept", accept);
        let request = signer
            .sign_request(builder, bytes::Bytes::new())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("GET")
    }

    /// Signs as alice (her keyId) with a key that is not hers.
    async fn impostor(&self) -> Data<()> {
        let pair = tokio::task::spawn_blocking(generate_actor_keypair)
            .await
            .expect("join")
            .expect("keys");
        let keys = KeyRow {
            public_key_pem: pair.public_key,
            private_key_pem: pair.private_key,
            created_at: chrono::Utc::now(),
        };
        let id = Url::parse(&self.actor_id).expect("url");
        let me = LocalActor {
            inbox: id.clone(),
            id,
            keys,
        };
        let domain = self.base.trim_start_matches("http://").to_string();
        signer_for(domain, &me).await
    }

    pub async fn get_signed_with_wrong_key(&self, url: &str, accept: &str) -> reqwest::Response {
        let impostor = self.impostor().await;
        self.get_signed_by(&impostor, url, accept).await
    }

    pub async fn post_with_wrong_key(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        let impostor = self.impostor().await;
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = impostor
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
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

    /// A note by alice as Mastodon writes replies: mixed `tag`, `contentMap`, `conversation`.
    pub fn note(
        &self,
        name: &str,
        in_reply_to: &str,
        html: &str,
        public: bool,
        mention: &str,
    ) -> Value {
        let id = format!("{}/objects/{name}", self.base);
        let (to, cc) = if public {
            (
                json!(["https://www.w3.org/ns/activitystreams#Public"]),
                json!([format!("{}/followers", self.actor_id), mention]),
            )
        } else {
            (
                json!([format!("{}/followers", self.actor_id)]),
                json!([mention]),
            )
        };
        json!({
            "id": id,
            "type": "Note",
            "summary": null,
            "inReplyTo": in_reply_to,
            "published": "2026-11-20T10:00:00Z",
            "url": format!("{}/@alice/{name}", self.base),
            "attributedTo": self.actor_id,
            "to": to,
            "cc": cc,
            "sensitive": false,
            "atomUri": id,
            "inReplyToAtomUri": in_reply_to,
            "conversation": format!("tag:{},2026:objectId=1:objectType=Conversation", self.base.trim_start_matches("http://")),
            "context": format!("{}/contexts/1", self.base),
            "content": html,
            "contentMap": {"en": html},
            "attachment": [],
            "tag": [
                {"type": "Mention", "href": mention, "name": "@reviews@blog"},
                {"type": "Hashtag", "href": format!("{}/tags/film", self.base), "name": "#film"},
                {"id": format!("{}/emojis/1", self.base), "type": "Emoji", "name": ":blobcat:", "icon": {"type": "Image", "url": format!("{}/blobcat.png", self.base)}},
            ],
            "replies": {"id": format!("{id}/replies"), "type": "Collection", "first": {"type": "CollectionPage", "items": []}},
        })
    }

    /// Wraps an object in an activity by alice.
    pub fn activity(&self, kind: &str, name: &str, object: Value) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "conversation": "ostatus:conversation"}],
            "id": self.id(name),
            "type": kind,
            "actor": self.actor_id,
            "published": "2026-11-20T10:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": object,
        })
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

    /// An activity id on this peer.
    pub fn id(&self, name: &str) -> String {
        format!("{}/activities/{name}", self.base)
    }

    /// POSTs `activity` to `inbox`, signed by alice as Mastodon signs.
    pub async fn post(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        let body = activity.to_string();
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = self
            .signer
            .sign_request(builder, body.into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
    }

    /// POSTs `body` as it is (any bytes, not only JSON a `Value` can hold) to `inbox`, signed
    /// by alice as Mastodon signs; a dropped connection is an `Err`, not a panic.
    pub async fn try_post_raw(
        &self,
        inbox: &str,
        body: String,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = self
            .signer
            .sign_request(builder, body.into())
            .await
            .expect("signing");
        self.client.execute(request).await
    }

    /// A POST signed by alice with the given `Date` (for stale and future dates).
    pub async fn post_dated(
        &self,
        inbox: &str,
        activity: &Value,
        date: chrono::DateTime<chrono::Utc>,
    ) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json")
            .header("date", date.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        let request = self
            .signer
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
    }

    /// The same request, with its body changed after signing (the Digest no longer matches).
    pub async fn post_tampered(
        &self,
        inbox: &str,
        activity: &Value,
        tampered: &Value,
    ) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let mut request = self
            .signer
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        *request.body_mut() = Some(tampered.to_string().into());
        self.client.execute(request).await.expect("POST")
    }

    /// Sends a request whose signature alice built by hand from `raw` (a valid signature over
    /// whatever `raw` says is signed).
    pub async fn send_raw(&self, url: &str, raw: RawSigned<'_>) -> reqwest::Response {
        use sha2::Digest;
        let mut headers = raw.headers.clone();
        if let Some(body) = &raw.body {
            let digest = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                sha2::Sha256::digest(body.as_bytes()),
            );
            headers.push(("digest", format!("SHA-256={digest}")));
        }
        let lookup = |name: &str| {
            raw.signed
                .iter()
                .chain(headers.iter())
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let signing_string = raw
            .components
            .split(' ')
            .map(|c| match c {
                "(request-target)" => format!(
                    "(request-target): {} {}",
                    raw.method.to_ascii_lowercase(),
                    raw.target
                ),
                "(created)" | "(expires)" => {
                    let param = c.trim_matches(['(', ')']);
                    let value = raw
                        .extra
                        .split(',')
                        .find_map(|p| p.trim().strip_prefix(&format!("{param}=")))
                        .unwrap_or_default();
                    format!("{c}: {value}")
                }
                name => format!("{name}: {}", lookup(name)),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let signature = self.raw_signer.sign_string(&signing_string).expect("sign");
        let header = format!(
            "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{signature}\"{}",
            raw.key_id
                .clone()
                .unwrap_or_else(|| format!("{}#main-key", self.actor_id)),
            raw.components,
            raw.extra
        );
        let method = reqwest::Method::from_bytes(raw.method.as_bytes()).expect("method");
        let mut request = self.client.request(method, url).header("signature", header);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = raw.body {
            request = request.body(body);
        }
        request
            .send()
            .await
            .expect("request answered (not dropped)")
    }

    /// An unsigned POST.
    pub async fn post_unsigned(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        self.client
            .post(inbox)
            .header("content-type", "application/activity+json")
            .body(activity.to_string())
            .send()
            .await
            .expect("POST")
    }

    pub fn follow(&self, target: &str, name: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.id(name),
            "type": "Follow",
            "actor": self.actor_id,
            "object": target,
        })
    }
}
